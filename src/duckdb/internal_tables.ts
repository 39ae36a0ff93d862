/**
 * The DuckDB cache's own tables: the stream registry, source state, destination state and
 * delivery marks. They live in a schema of their own, so no stream name can reach them (a stream
 * called `_airbyte_state` gets an ordinary table in the cache's schema). Caches written before
 * this layout kept them beside the stream tables; they are moved on open.
 *
 * @module
 */
import { ident, literal, qualified } from "../cache/sql_quote.ts";

/**
 * The internal table names, without schema.
 *
 * @example
 * ```ts
 * import { INTERNAL_TABLES } from "./internal_tables.ts";
 * if (INTERNAL_TABLES.streams !== "streams") throw new Error();
 * ```
 */
export const INTERNAL_TABLES = {
  /** One row per (source, stream): its table, JSON Schema, primary key and cursor. */
  streams: "streams",
  /** One row per (source, state key): the source's latest state message. */
  state: "state",
  /** One row per (source, destination, state key): the states a destination confirmed. */
  destinationState: "destination_state",
  /** One row per (source, destination, stream): the last `_airbyte_raw_id` it confirmed. */
  delivery: "delivery",
} as const;

/** What staging tables are named: `_airbyte_stage:<table>`; `:` never occurs in a stream table name. */
const STAGE_PREFIX = "_airbyte_stage:";

/**
 * The schema holding a cache's internal tables: `_airbyte_internal` for a cache in `main`, else
 * `_airbyte_internal__<schemaName>`.
 *
 * @param schemaName The cache's schema.
 * @returns The internal schema's name.
 *
 * @example
 * ```ts
 * import { internalSchemaFor } from "./internal_tables.ts";
 * if (internalSchemaFor("main") !== "_airbyte_internal") throw new Error();
 * if (internalSchemaFor("raw") !== "_airbyte_internal__raw") throw new Error();
 * ```
 */
export function internalSchemaFor(schemaName: string): string {
  return schemaName === "main" ? "_airbyte_internal" : `_airbyte_internal__${schemaName}`;
}

/**
 * The staging table of a stream table. Stream table names are normalized to `[a-z0-9_]` (plus a
 * table prefix), so a name with `:` is never a stream's.
 *
 * @param table The stream table's name.
 * @returns Its staging table's name (in the same schema, so it can be renamed into place).
 *
 * @example
 * ```ts
 * import { stageTableFor } from "./internal_tables.ts";
 * if (stageTableFor("users") !== "_airbyte_stage:users") throw new Error();
 * ```
 */
export function stageTableFor(table: string): string {
  return `${STAGE_PREFIX}${table}`;
}

/**
 * SQL creating the internal schema and tables (if missing), one statement list for one transaction.
 *
 * @param schemaName The cache's schema.
 * @returns The statements, `;`-separated.
 *
 * @example
 * ```ts
 * import { createInternalTablesSql } from "./internal_tables.ts";
 * if (!createInternalTablesSql("main").includes('"_airbyte_internal"."streams"')) throw new Error();
 * ```
 */
export function createInternalTablesSql(schemaName: string): string {
  const s = internalSchemaFor(schemaName);
  const t = (name: string) => qualified(s, name);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${ident(schemaName)}`,
    `CREATE SCHEMA IF NOT EXISTS ${ident(s)}`,
    `CREATE TABLE IF NOT EXISTS ${t(INTERNAL_TABLES.streams)} (source_name VARCHAR, stream_name VARCHAR, ` +
    `table_name VARCHAR, json_schema VARCHAR, primary_key VARCHAR, cursor_field VARCHAR, ` +
    `updated_at TIMESTAMPTZ, PRIMARY KEY (source_name, stream_name))`,
    `CREATE TABLE IF NOT EXISTS ${t(INTERNAL_TABLES.state)} (source_name VARCHAR, state_key VARCHAR, ` +
    `state_type VARCHAR, state_json VARCHAR, updated_at TIMESTAMPTZ, PRIMARY KEY (source_name, state_key))`,
    `CREATE TABLE IF NOT EXISTS ${t(INTERNAL_TABLES.destinationState)} (source_name VARCHAR, ` +
    `destination_name VARCHAR, state_key VARCHAR, state_type VARCHAR, state_json VARCHAR, ` +
    `updated_at TIMESTAMPTZ, PRIMARY KEY (source_name, destination_name, state_key))`,
    `CREATE TABLE IF NOT EXISTS ${t(INTERNAL_TABLES.delivery)} (source_name VARCHAR, ` +
    `destination_name VARCHAR, stream_name VARCHAR, last_raw_id VARCHAR, updated_at TIMESTAMPTZ, ` +
    `PRIMARY KEY (source_name, destination_name, stream_name))`,
  ].join("; ");
}

/** Where the tables of the earlier layout lived: beside the stream tables, with these names. */
const LEGACY_TABLES: [legacy: string, current: string][] = [
  ["_airbyte_streams", INTERNAL_TABLES.streams],
  ["_airbyte_state", INTERNAL_TABLES.state],
  ["_airbyte_destination_state", INTERNAL_TABLES.destinationState],
  ["_airbyte_delivery", INTERNAL_TABLES.delivery],
];

/**
 * A query listing which tables of the earlier layout exist in the cache's schema (with the
 * columns that make them ours), for {@linkcode migrateLegacyTablesSql}.
 *
 * @param schemaName The cache's schema.
 * @returns SQL answering `table_name` rows.
 *
 * @example
 * ```ts
 * import { legacyTablesQuery } from "./internal_tables.ts";
 * if (!legacyTablesQuery("main").includes("_airbyte_streams")) throw new Error();
 * ```
 */
export function legacyTablesQuery(schemaName: string): string {
  const names = LEGACY_TABLES.map(([legacy]) => literal(legacy)).join(", ");
  // The registry of the old layout is recognized by its columns, not by its name alone.
  return `SELECT table_name FROM information_schema.columns WHERE table_schema = ${literal(schemaName)} ` +
    `AND table_name IN (${names}) GROUP BY table_name ` +
    `HAVING bool_or(column_name = 'source_name') AND bool_or(column_name = 'updated_at')`;
}

/**
 * SQL moving the earlier layout's tables (found by {@linkcode legacyTablesQuery}) into the
 * internal schema, and the old layout's leftover staging tables (`_airbyte_stage__<table>`) away.
 *
 * @param schemaName The cache's schema.
 * @param found Names of legacy tables that exist.
 * @param leftoverStages Old-layout staging tables to drop.
 * @returns Statements for one transaction (run after {@linkcode createInternalTablesSql}).
 *
 * @example
 * ```ts
 * import { migrateLegacyTablesSql } from "./internal_tables.ts";
 * const sql = migrateLegacyTablesSql("main", ["_airbyte_state"], []);
 * if (!sql.includes('INSERT OR REPLACE INTO "_airbyte_internal"."state"')) throw new Error(sql);
 * ```
 */
export function migrateLegacyTablesSql(
  schemaName: string,
  found: string[],
  leftoverStages: string[],
): string {
  const s = internalSchemaFor(schemaName);
  const statements: string[] = [];
  for (const [legacy, current] of LEGACY_TABLES) {
    if (!found.includes(legacy)) continue;
    statements.push(
      `INSERT OR REPLACE INTO ${qualified(s, current)} SELECT * FROM ${qualified(schemaName, legacy)}`,
      `DROP TABLE ${qualified(schemaName, legacy)}`,
    );
  }
  for (const stage of leftoverStages) statements.push(`DROP TABLE IF EXISTS ${qualified(schemaName, stage)}`);
  return statements.join("; ");
}

/**
 * A query listing this cache's leftover staging tables: uncommitted work of reads that died.
 * Matched exactly by prefix (no `LIKE` wildcards), in the cache's schema.
 *
 * @param schemaName The cache's schema.
 * @returns SQL answering `table_name` rows.
 *
 * @example
 * ```ts
 * import { leftoverStagesQuery } from "./internal_tables.ts";
 * if (!leftoverStagesQuery("main").includes("starts_with")) throw new Error();
 * ```
 */
export function leftoverStagesQuery(schemaName: string): string {
  return `SELECT table_name FROM information_schema.tables WHERE table_schema = ${literal(schemaName)} ` +
    `AND starts_with(table_name, ${literal(STAGE_PREFIX)})`;
}
