/**
 * A stream's cached rows read back as Airbyte record bodies, page by page in `_airbyte_raw_id`
 * order (the order they were cached), resuming after a given id: what destinations are fed and
 * what `ReadResult.toMessages()` replays. Memory stays bounded by the page size.
 *
 * @module
 */
import type * as arrow from "npm:apache-arrow@17.0.0";
import type { CachedRecordPage } from "../cache/cache.ts";
import { toPlainRows } from "../cache/cached_dataset.ts";
import { recordPageOf, recordSelectList } from "../cache/row_to_record.ts";
import { literal, qualified } from "../cache/sql_quote.ts";
import { toStreamColumns } from "../arrow/stream_columns.ts";

/**
 * Page through a stream's table.
 *
 * @param sql Runs a query on the cache.
 * @param schemaName The schema holding the table.
 * @param target The stream's name, table and JSON Schema (as registered in the cache).
 * @param options `after`: resume after this `_airbyte_raw_id`; `pageRows`: rows per page.
 * @returns Pages of records, in cache order.
 *
 * @example
 * ```ts ignore
 * for await (const page of cachedRecordPages(queue.sql, "main", { stream: "users", table: "users", jsonSchema })) {
 *   console.log(page.records.length, page.lastRawId);
 * }
 * ```
 */
export async function* cachedRecordPages(
  sql: (query: string) => Promise<arrow.Table>,
  schemaName: string,
  target: { stream: string; table: string; jsonSchema: unknown },
  options: { after?: string; pageRows?: number } = {},
): AsyncGenerator<CachedRecordPage> {
  const pageRows = options.pageRows ?? 10_000;
  const present = new Set(
    (await sql(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = ${literal(schemaName)} ` +
        `AND table_name = ${literal(target.table)}`,
    )).toArray().map((r) => String(r.column_name)),
  );
  // Columns of the registered schema that the table really has (older tables may lack new ones).
  const columns = toStreamColumns(target.jsonSchema ?? {}, { stream: target.stream }).filter((c) =>
    present.has(c.name)
  );
  const select = recordSelectList(columns);
  const table = qualified(schemaName, target.table);
  let last = options.after;
  for (;;) {
    const where = last === undefined ? "" : `WHERE _airbyte_raw_id > ${literal(last)}`;
    const rows = toPlainRows(
      await sql(
        `SELECT ${select}, epoch_ms(_airbyte_extracted_at) AS _ab_emitted_at FROM ${table} ${where} ` +
          `ORDER BY _airbyte_raw_id LIMIT ${pageRows}`,
      ),
    );
    if (rows.length === 0) return;
    const page = recordPageOf(target.stream, rows, columns);
    last = page.lastRawId;
    yield page;
    if (rows.length < pageRows) return;
  }
}
