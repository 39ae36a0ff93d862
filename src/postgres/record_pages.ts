/**
 * A stream's cached rows read back from PostgreSQL as Airbyte record bodies, page by page in
 * `_airbyte_raw_id` order (the order they were cached), after a given id: what destinations are
 * fed and what `ReadResult.toMessages()` replays. One cursor in a read-only snapshot sorts the
 * table once and hands out pages (keyset queries would sort it again for every page); memory
 * stays bounded by the page size.
 *
 * @module
 */
import type { CachedRecordPage } from "../cache/cache.ts";
import { recordPageOf } from "../cache/row_to_record.ts";
import { ident, literal, qualified } from "../cache/sql_quote.ts";
import { toStreamColumns } from "../arrow/stream_columns.ts";
import { PG_OID } from "./result_to_arrow.ts";
import { type PostgresDatabase, TEXT_VALUES } from "./postgres_database.ts";

/** A column as text, read back the way the DuckDB cache reads it (ISO text for timestamps). */
function selectExpression(name: string, type: string): string {
  const col = ident(name);
  if (type === "timestamp with time zone") {
    return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${col}`;
  }
  if (type === "timestamp without time zone") {
    return `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ${col}`;
  }
  return col;
}

/** A text value as the DuckDB cache's rows hold it: integers and doubles as numbers, booleans. */
function plainValue(text: string | null, oid: number): unknown {
  if (text === null) return null;
  switch (oid) {
    case PG_OID.int8:
    case PG_OID.int4:
    case PG_OID.int2: {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case PG_OID.float4:
    case PG_OID.float8:
      return Number(text);
    case PG_OID.bool:
      return text === "t";
    default:
      return text;
  }
}

/**
 * Page through a stream's table.
 *
 * @param db The cache's database.
 * @param target The stream's name, table and JSON Schema (as registered in the cache).
 * @param options `after`: resume after this `_airbyte_raw_id`; `pageRows`: rows per page.
 * @returns Pages of records, in cache order.
 *
 * @example
 * ```ts ignore
 * for await (const page of postgresRecordPages(db, { stream: "users", table: "users", jsonSchema })) {
 *   console.log(page.records.length, page.lastRawId);
 * }
 * ```
 */
export async function* postgresRecordPages(
  db: PostgresDatabase,
  target: { stream: string; table: string; jsonSchema: unknown },
  options: { after?: string; pageRows?: number } = {},
): AsyncGenerator<CachedRecordPage> {
  const pageRows = Math.max(1, Math.floor(options.pageRows ?? 10_000));
  const client = await db.client();
  let open = false;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    open = true;
    const { rows: present } = await client.query({
      text:
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a ` +
        `JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ` +
        `WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
      values: [db.schemaName, target.table],
      types: TEXT_VALUES,
    });
    const types = new Map(present.map((r) => [String(r.name), String(r.type)]));
    // Columns of the registered schema that the table really has (older tables may lack new ones).
    const columns = toStreamColumns(target.jsonSchema ?? {}, { stream: target.stream }).filter((c) =>
      types.has(c.name)
    );
    const select = columns.map((c) => selectExpression(c.name, types.get(c.name)!)).join(", ");
    const where = options.after === undefined ? "" : `WHERE _airbyte_raw_id > ${literal(options.after)}`;
    await client.query(
      `DECLARE airbyte_pages NO SCROLL CURSOR FOR SELECT ${select}, ` +
        `floor(extract(epoch FROM _airbyte_extracted_at) * 1000)::int8 AS _ab_emitted_at ` +
        `FROM ${qualified(db.schemaName, target.table)} ${where} ORDER BY _airbyte_raw_id`,
    );
    for (;;) {
      const page = await client.query({
        text: `FETCH ${pageRows} FROM airbyte_pages`,
        rowMode: "array",
        types: TEXT_VALUES,
      });
      const fields = page.fields;
      const rows = (page.rows as (string | null)[][]).map((values) => {
        const row: Record<string, unknown> = {};
        for (let i = 0; i < fields.length; i++) {
          row[fields[i].name] = plainValue(values[i], fields[i].dataTypeID);
        }
        return row;
      });
      if (rows.length === 0) return;
      yield recordPageOf(target.stream, rows, columns);
      if (rows.length < pageRows) return;
    }
  } catch (error) {
    throw db.error(error, `read the records of table '${target.table}' from`);
  } finally {
    if (open) await client.query("ROLLBACK").catch(() => {});
    client.release();
  }
}
