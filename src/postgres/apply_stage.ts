/**
 * How staged rows reach a stream's table in PostgreSQL, inside the write session's transaction:
 *
 * - append: rows are copied straight into the table (no stage);
 * - merge: rows are copied into an UNLOGGED stage table; at a checkpoint the table's rows with
 *   the staged keys are deleted and one row per key is inserted: the greatest cursor, and among
 *   equal cursors the last one received (the greatest `_airbyte_raw_id`, whose UUIDs count up);
 * - replace: rows are copied into a new table, which takes the old one's place at the end of the
 *   read (drop and rename in one transaction: readers see the old rows or the new, never a mix).
 *
 * Stage tables live beside their table, named `_airbyte_stage_<hash>` (short whatever the table's
 * name). Only the holder of the table's write lock touches its stage, so one left by a killed
 * writer is dropped by the next writer once it holds the lock.
 *
 * @module
 */
import type { PgClient } from "./connection.ts";
import { ident, qualified } from "../cache/sql_quote.ts";
import type { PgType } from "./pg_types.ts";

/** A table column: its name and PostgreSQL type. */
export interface PgColumn {
  name: string;
  pgType: PgType;
}

/**
 * The stage table's name for `schema.table`: `_airbyte_stage_` and 16 hex digits of a hash of the
 * qualified name (identifiers are at most 63 bytes, so the table's own name cannot be kept).
 *
 * @example
 * ```ts
 * import { stageTableName } from "./apply_stage.ts";
 * const name = await stageTableName("public", "users");
 * if (!/^_airbyte_stage_[0-9a-f]{16}$/.test(name)) throw new Error(name);
 * ```
 */
export async function stageTableName(schema: string, table: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${schema}\u0000${table}`));
  const hex = Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  return `_airbyte_stage_${hex}`;
}

/** `CREATE TABLE` for a stream table (or a stage: `unlogged` skips the WAL, for merge stages). */
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
export async function ensureKeyIndex(client: PgClient, schema: string, table: string, keys: string[]) {
  const name = `${(await stageTableName(schema, table)).replace("_airbyte_stage_", "_airbyte_pk_")}`;
  await client.query(
    `CREATE INDEX IF NOT EXISTS ${ident(name)} ON ${qualified(schema, table)} (${
      keys.map(ident).join(", ")
    })`,
  );
}

/**
 * Merge the stage into the table: delete the table's rows whose keys were staged, insert the
 * staged row that wins for each key, empty the stage. Key columns are matched with `=` (a hash
 * or index join); rows with a NULL key are matched NULL-to-NULL in a second, small statement.
 */
export async function mergeStage(
  client: PgClient,
  schema: string,
  stage: string,
  table: string,
  options: { columns: string[]; keys: string[]; cursor?: string },
): Promise<void> {
  const t = qualified(schema, table);
  const s = qualified(schema, stage);
  const keys = options.keys.map(ident);
  const equal = keys.map((k) => `t.${k} = s.${k}`).join(" AND ");
  const anyNull = keys.map((k) => `s.${k} IS NULL`).join(" OR ");
  const sameOrBothNull = keys.map((k) => `t.${k} IS NOT DISTINCT FROM s.${k}`).join(" AND ");
  await client.query(`DELETE FROM ${t} AS t USING ${s} AS s WHERE ${equal}`);
  await client.query(
    `DELETE FROM ${t} AS t USING (SELECT * FROM ${s} AS s WHERE ${anyNull}) AS s WHERE ${sameOrBothNull}`,
  );
  const cols = options.columns.map(ident).join(", ");
  const cursor = options.cursor ? `${ident(options.cursor)} DESC NULLS LAST, ` : "";
  await client.query(
    `INSERT INTO ${t} (${cols}) SELECT DISTINCT ON (${keys.join(", ")}) ${cols} FROM ${s} ` +
      `ORDER BY ${keys.join(", ")}, ${cursor}"_airbyte_raw_id" DESC`,
  );
  await client.query(`TRUNCATE ${s}`);
}

/** Swap the fully written stage in for the table (drop and rename; atomic in the transaction). */
export async function replaceWithStage(client: PgClient, schema: string, stage: string, table: string) {
  await client.query(`DROP TABLE IF EXISTS ${qualified(schema, table)}`);
  await client.query(`ALTER TABLE ${qualified(schema, stage)} RENAME TO ${ident(table)}`);
}

/** Drop a stage left by a writer that died (call while holding the table's write lock). */
export async function dropStage(client: PgClient, schema: string, stage: string) {
  await client.query(`DROP TABLE IF EXISTS ${qualified(schema, stage)}`);
}
