/**
 * DuckDB DDL for stream tables: create one from its columns, and add the columns a new read
 * brings (schema evolution never drops or retypes a column).
 *
 * @module
 */
import type { ColumnSpec } from "../arrow/stream_columns.ts";
import { type ExistingColumn, findExisting } from "../cache/table_columns.ts";
import { ident, qualified } from "../cache/sql_quote.ts";

/**
 * `CREATE TABLE IF NOT EXISTS` for a stream's table. Names are quoted, not normalized: pass
 * already-normalized names.
 *
 * @example Compare type spellings
 * ```ts
 * import { createTableSql } from "./table_sql.ts";
 * import { toStreamColumns } from "../arrow/stream_columns.ts";
 * const sql = createTableSql("main", "users", toStreamColumns({ properties: { id: { type: "integer" } } }));
 * if (!sql.startsWith('CREATE TABLE IF NOT EXISTS "main"."users" (\n  "id" BIGINT,')) throw new Error(sql);
 * ```
 */
export function createTableSql(schemaName: string, tableName: string, columns: ColumnSpec[]): string {
  const lines = columns.map((c) => `  ${ident(c.name)} ${c.sqlType}`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(schemaName, tableName)} (\n${lines.join(",\n")}\n)`;
}

/**
 * Schema evolution: one `ALTER TABLE … ADD COLUMN` per wanted column the table lacks. Columns are
 * never dropped, and a column whose type changed keeps its old type (no statement): rewriting
 * data is never done behind the user's back. Build the batch with
 * {@linkcode alignColumnsToTable} so values are converted to the type the table really has.
 *
 * @example Add the new column only
 * ```ts
 * import { addMissingColumnsSql } from "./table_sql.ts";
 * import { toStreamColumns } from "../arrow/stream_columns.ts";
 * const wanted = toStreamColumns({ properties: { id: { type: "integer" }, email: { type: "string" } } });
 * const existing = [{ name: "id", sqlType: "VARCHAR" }, { name: "_airbyte_raw_id", sqlType: "VARCHAR" },
 *   { name: "_airbyte_extracted_at", sqlType: "TIMESTAMP WITH TIME ZONE" }, { name: "_airbyte_meta", sqlType: "VARCHAR" }];
 * const sql = addMissingColumnsSql("main", "users", existing, wanted);
 * if (sql.length !== 1 || sql[0] !== 'ALTER TABLE "main"."users" ADD COLUMN "email" VARCHAR') throw new Error(sql[0]);
 * ```
 */
export function addMissingColumnsSql(
  schemaName: string,
  tableName: string,
  existing: ExistingColumn[],
  wanted: ColumnSpec[],
): string[] {
  return wanted
    .filter((c) => !findExisting(existing, c.name))
    .map((c) => `ALTER TABLE ${qualified(schemaName, tableName)} ADD COLUMN ${ident(c.name)} ${c.sqlType}`);
}
