/**
 * The tables a `PostgresCache` keeps beside the stream tables, in one schema per database
 * (`_airbyte_internal`), shared by every cache, schema and process that writes there:
 *
 * - `streams`: which table holds each source's stream (per cache schema), with its JSON Schema
 *   and keys;
 * - `state`: the source state committed with the data (JSON text, kept exactly as the source sent it);
 * - `destination_state`: the states each destination confirmed;
 * - `delivery`: how far each stream was delivered to each destination (last `_airbyte_raw_id`).
 *
 * Every row carries the cache schema it belongs to, so caches with different schemas in one
 * database never see each other's state. Creating the tables takes a transaction-scoped advisory
 * lock: several processes opening caches at once do not race on `CREATE … IF NOT EXISTS`.
 *
 * @module
 */
import type { PgClient, PgPool } from "./connection.ts";
import { ident } from "../cache/sql_quote.ts";

/** The schema of the internal tables. */
export const INTERNAL_SCHEMA = "_airbyte_internal";
/** Table names inside {@linkcode INTERNAL_SCHEMA}. */
export const STREAMS_TABLE = "streams";
export const STATE_TABLE = "state";
export const DESTINATION_STATE_TABLE = "destination_state";
export const DELIVERY_TABLE = "delivery";

/** `"_airbyte_internal"."<table>"`. */
export function internalTable(table: string): string {
  return `${ident(INTERNAL_SCHEMA)}.${ident(table)}`;
}

/**
 * First key of every advisory lock this library takes (`pg_advisory_lock(ADVISORY_NAMESPACE, k)`):
 * "ABTS" as an int4, so our locks are told apart from an application's own.
 */
export const ADVISORY_NAMESPACE = 0x41425453;
/** Second key of the lock that guards creating the internal tables and cache schemas. */
export const BOOTSTRAP_LOCK = 0;
/**
 * First key of the lock that serializes claiming stream tables in one cache schema (the second
 * is `hashtext(schema)`), so two processes never pick the same table name for different sources.
 */
export const REGISTRY_NAMESPACE = ADVISORY_NAMESPACE + 1;

const DDL = `
CREATE SCHEMA IF NOT EXISTS ${ident(INTERNAL_SCHEMA)};
CREATE TABLE IF NOT EXISTS ${internalTable(STREAMS_TABLE)} (
  schema_name text NOT NULL, source_name text NOT NULL, stream_name text NOT NULL, table_name text NOT NULL,
  json_schema text, primary_key text, cursor_field text, updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schema_name, source_name, stream_name), UNIQUE (schema_name, table_name));
CREATE TABLE IF NOT EXISTS ${internalTable(STATE_TABLE)} (
  schema_name text NOT NULL, source_name text NOT NULL, state_key text NOT NULL, state_type text NOT NULL,
  state_json text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schema_name, source_name, state_key));
CREATE TABLE IF NOT EXISTS ${internalTable(DESTINATION_STATE_TABLE)} (
  schema_name text NOT NULL, source_name text NOT NULL, destination_name text NOT NULL, state_key text NOT NULL,
  state_type text NOT NULL, state_json text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schema_name, source_name, destination_name, state_key));
CREATE TABLE IF NOT EXISTS ${internalTable(DELIVERY_TABLE)} (
  schema_name text NOT NULL, source_name text NOT NULL, destination_name text NOT NULL, stream_name text NOT NULL,
  last_raw_id text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schema_name, source_name, destination_name, stream_name));`;

/**
 * Creates the internal schema and tables when missing (idempotent, safe to run from many
 * processes at once). Returns true when the database had no internal schema before.
 *
 * @example
 * ```ts ignore
 * const isNew = await ensureInternalTables(pool);
 * ```
 */
export async function ensureInternalTables(db: PgPool | PgClient): Promise<boolean> {
  const present = await db.query(
    `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2)`,
    [INTERNAL_SCHEMA, [STREAMS_TABLE, STATE_TABLE, DESTINATION_STATE_TABLE, DELIVERY_TABLE]],
  );
  if (present.rows[0].n === 4) return false;
  const client = "release" in db ? db : await (db as PgPool).connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [ADVISORY_NAMESPACE, BOOTSTRAP_LOCK]);
    const schemaExisted = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [
      INTERNAL_SCHEMA,
    ]);
    await client.query(DDL);
    await client.query("COMMIT");
    return schemaExisted.rowCount === 0;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    if (client !== db) client.release();
  }
}
