/**
 * How staged rows reach a stream's table in PostgreSQL, inside the write session's transaction:
 *
 * - append: rows are copied straight into the table when its columns are the batch's; otherwise
 *   into a stage that is appended at each checkpoint (after the new columns were added);
 * - merge: rows are copied into an UNLOGGED stage; at a checkpoint the table's rows with the
 *   staged keys are deleted and one row per key is inserted: the greatest cursor, and among
 *   equal cursors the last one received (the greatest `_airbyte_raw_id`, whose UUIDs count up);
 * - replace: rows are copied into a new table, which takes the old one's place at the end of the
 *   read (drop and rename in one transaction: readers see the old rows or the new, never a mix).
 *
 * Stage tables live beside their table (see `pg_names.ts`). Only the holder of the table's write
 * lock touches its stage, so one left by a killed writer is dropped by the next writer once it
 * holds the lock.
 *
 * @module
 */
import type { PgClient } from "./connection.ts";
import { ident, qualified } from "../cache/sql_quote.ts";
import { keyIndexName } from "./pg_names.ts";
import type { PgType } from "./pg_types.ts";

/** A table column: its name and PostgreSQL type. */
export interface PgColumn {
  name: string;
  pgType: PgType;
}

/**
 * `CREATE TABLE` for a stream table (or a stage: `unlogged` skips the WAL, for stages whose rows
 * are copied on into the table).
 *
 * @example
 * ```ts
 * import { createTableSql } from "./apply_stage.ts";
 * const sql = createTableSql("raw", "users", [{ name: "id", pgType: "bigint" }], { unlogged: true });
 * if (sql !== 'CREATE UNLOGGED TABLE "raw"."users" ("id" bigint)') throw new Error(sql);
 * ```
 */
export function createTableSql(
  schema: string,
  table: string,
  columns: PgColumn[],
  options: { unlogged?: boolean; ifNotExists?: boolean } = {},
): string {
  const list = columns.map((c) => `${ident(c.name)} ${c.pgType}`).join(", ");
  return `CREATE ${options.unlogged ? "UNLOGGED " : ""}TABLE ${options.ifNotExists ? "IF NOT EXISTS " : ""}${
    qualified(schema, table)
  } (${list})`;
}

/**
 * A plain index on the primary key columns of a merged table, so that each checkpoint's
 * delete finds the replaced rows without reading the whole table. Not unique: rows appended
 * before may repeat a key.
 */
export async function ensureKeyIndex(
  client: PgClient,
  schema: string,
  table: string,
  keys: string[],
): Promise<void> {
  await client.query(
    `CREATE INDEX IF NOT EXISTS ${ident(keyIndexName(schema, table))} ON ${qualified(schema, table)} (${
      keys.map(ident).join(", ")
    })`,
  );
}

/**
 * Does each key occur once in the stage? Answered by building a unique index on the key columns
 * (NULLs equal, as merge matches them): an index sorts the keys alone, far cheaper than sorting
 * whole rows to pick a winner per key, which is then skipped. Needs PostgreSQL 15
 * (`NULLS NOT DISTINCT`); older servers answer false and rows are always picked by sorting.
 */
export async function stageKeysUnique(
  client: PgClient,
  schema: string,
  stage: string,
  keys: string[],
): Promise<boolean> {
  const { rows } = await client.query("SELECT current_setting('server_version_num')::int AS v");
  if (rows[0].v < 150000) return false;
  await client.query("SAVEPOINT airbyte_stage_keys");
  try {
    await client.query(
      `CREATE UNIQUE INDEX ${ident(`${stage}:keys`)} ON ${qualified(schema, stage)} (${
        keys.map(ident).join(", ")
      }) NULLS NOT DISTINCT`,
    );
    await client.query("RELEASE SAVEPOINT airbyte_stage_keys");
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== "23505") throw error; // unique_violation: a key repeats
    await client.query("ROLLBACK TO SAVEPOINT airbyte_stage_keys");
    return false;
  }
}

/** Drop the index {@linkcode stageKeysUnique} built (before the stage becomes a table appends may repeat keys in). */
export async function dropStageKeysIndex(client: PgClient, schema: string, stage: string): Promise<void> {
  await client.query(`DROP INDEX IF EXISTS ${qualified(schema, `${stage}:keys`)}`);
}

/**
 * Merge the stage into the table: delete the table's rows whose keys were staged, insert the
 * staged row that wins for each key (every staged row, when `keysUnique`). Key columns are matched
 * with `=` (a hash or index join); rows with a NULL key are matched NULL-to-NULL in a second,
 * small statement.
 */
export async function mergeStage(
  client: PgClient,
  schema: string,
  stage: string,
  table: string,
  options: { columns: string[]; keys: string[]; cursor?: string; tableIsNew?: boolean; keysUnique?: boolean },
): Promise<void> {
  const t = qualified(schema, table);
  const s = qualified(schema, stage);
  const keys = options.keys.map(ident);
  if (!options.tableIsNew) {
    const equal = keys.map((k) => `t.${k} = s.${k}`).join(" AND ");
    const anyNull = keys.map((k) => `s.${k} IS NULL`).join(" OR ");
    const sameOrBothNull = keys.map((k) => `t.${k} IS NOT DISTINCT FROM s.${k}`).join(" AND ");
    await client.query(`DELETE FROM ${t} AS t USING ${s} AS s WHERE ${equal}`);
    await client.query(
      `DELETE FROM ${t} AS t USING (SELECT * FROM ${s} AS s WHERE ${anyNull}) AS s WHERE ${sameOrBothNull}`,
    );
  }
  const cols = options.columns.map(ident).join(", ");
  if (options.keysUnique) {
    await client.query(`INSERT INTO ${t} (${cols}) SELECT ${cols} FROM ${s}`);
    return;
  }
  const cursor = options.cursor ? `${ident(options.cursor)} DESC NULLS LAST, ` : "";
  await client.query(
    `INSERT INTO ${t} (${cols}) SELECT DISTINCT ON (${keys.join(", ")}) ${cols} FROM ${s} ` +
      `ORDER BY ${keys.join(", ")}, ${cursor}"_airbyte_raw_id" DESC`,
  );
}

/** Append the stage's rows to the table (by column name). */
export async function appendStage(
  client: PgClient,
  schema: string,
  stage: string,
  table: string,
  columns: string[],
): Promise<void> {
  const cols = columns.map(ident).join(", ");
  await client.query(
    `INSERT INTO ${qualified(schema, table)} (${cols}) SELECT ${cols} FROM ${qualified(schema, stage)}`,
  );
}

/**
 * Make the stage the table: drop the table (if any) and rename the stage into its place, atomic in
 * the transaction. An UNLOGGED stage is made logged first, so the table survives a server crash.
 */
export async function replaceWithStage(client: PgClient, schema: string, stage: string, table: string) {
  const { rows } = await client.query(
    "SELECT c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
      "WHERE n.nspname = $1 AND c.relname = $2",
    [schema, stage],
  );
  if (rows[0]?.relpersistence === "u") {
    await client.query(`ALTER TABLE ${qualified(schema, stage)} SET LOGGED`);
  }
  await client.query(`DROP TABLE IF EXISTS ${qualified(schema, table)}`);
  await client.query(`ALTER TABLE ${qualified(schema, stage)} RENAME TO ${ident(table)}`);
}

/** Drop a stage (one left by a writer that died: call while holding the table's write lock). */
export async function dropStage(client: PgClient, schema: string, stage: string) {
  await client.query(`DROP TABLE IF EXISTS ${qualified(schema, stage)}`);
}
