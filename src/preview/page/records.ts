/**
 * A stream table as grid data: pages of rows fetched by position, in the table's stored order or
 * sorted by a column.
 *
 * Sorting answers in two steps. First a top-N query finds the row ids of the first rows in the
 * new order (a heap of a few hundred entries, no full sort) and their rows are fetched, so the
 * grid shows sorted rows at once. Then the whole order is stored as row ids in a temporary table
 * (8 bytes a row, in the page's in-memory database; DuckDB keeps insertion order), and any page is
 * a LIMIT/OFFSET over it plus a fetch of its rows by id: scrolling never sorts again.
 */
import type { StreamInfo } from "./catalog.ts";
import { tableToTextRows } from "./format.ts";
import { type GridData, type GridSort, PAGE_ROWS } from "./grid.ts";
import { ident, type PreviewDb, rows, tableRef } from "./preview_db.ts";

let orderTables = 0;
/** Rows in the first, top-N step of a sort. */
const HEAD_ROWS = 200;
/** Rows of a sorted page: they lie all over the table, so each one costs a little. */
const SORTED_PAGE_ROWS = 40;

/** Every column as DuckDB's own text (timestamps, decimals, UUIDs, structs and lists alike). */
export function textSelectList(columns: { name: string }[]): string {
  return columns.map((c) => `CAST(${ident(c.name)} AS VARCHAR) AS ${ident(c.name)}`).join(", ");
}

/** Sorting state the app can show: when the whole order is stored. */
export interface SortProgress {
  /** Settles when every page of the sorted order can be fetched. */
  complete: Promise<void>;
}

/**
 * Grid data for a stream table in its stored order. The first page is fetched once and kept, so
 * the app can ask for it before the grid exists (while it builds the page around it).
 */
export function storedOrderData(db: PreviewDb, stream: StreamInfo): GridData {
  const from = tableRef(stream.schema, stream.table);
  const select = textSelectList(stream.columns);
  const load = async (start: number, n: number) =>
    tableToTextRows(
      await db.query(
        // Dense row ids: a range, which skips every other row group. Else an offset scan.
        stream.denseRowIds
          ? `SELECT ${select} FROM ${from} WHERE rowid >= ${start} AND rowid < ${start + n} ORDER BY rowid`
          : `SELECT ${select} FROM ${from} LIMIT ${n} OFFSET ${start}`,
      ),
    ).rows;
  let first: Promise<(string | null)[][]> | undefined;
  return {
    columns: stream.columns.map((c) => ({ name: c.name, type: c.type })),
    count: stream.rows,
    fetch: (start, n) => {
      if (start !== 0 || n !== Math.min(PAGE_ROWS, stream.rows)) return load(start, n);
      first ??= load(start, n);
      return first;
    },
  };
}

/** Grid data for a stream table sorted by a column; resolves once the first sorted rows are known. */
export async function sortedData(
  db: PreviewDb,
  stream: StreamInfo,
  sort: GridSort,
): Promise<GridData & SortProgress> {
  const from = tableRef(stream.schema, stream.table);
  const select = textSelectList(stream.columns);
  const columns = stream.columns.map((c) => ({ name: c.name, type: c.type }));
  const orderBy = `${ident(sort.column)} ${sort.descending ? "DESC" : "ASC"} NULLS LAST, rowid`;
  const byIds = async (ids: number[]) => {
    if (ids.length === 0) return [];
    const text = tableToTextRows(
      await db.query(`SELECT rowid AS __rid, ${select} FROM ${from} WHERE rowid IN (${ids.join(",")})`),
    );
    const byId = new Map(text.rows.map((row) => [Number(row[0]), row.slice(1)]));
    return ids.map((id) => byId.get(id) ?? columns.map(() => null));
  };
  // One stored order at a time: the previous sort's goes (8 bytes a row each).
  await dropSortTables(db);
  const head = (await rows<{ rid: number }>(
    db,
    `SELECT rowid AS rid FROM ${from} ORDER BY ${orderBy} LIMIT ${HEAD_ROWS}`,
  ))
    .map((r) => r.rid);
  // Queued before the full sort, so the first page does not wait for it.
  const firstPage = byIds(head.slice(0, SORTED_PAGE_ROWS));
  const order = `pv_order_${++orderTables}`;
  const complete = db.query(
    `CREATE OR REPLACE TEMP TABLE ${order} AS SELECT rowid AS rid FROM ${from} ORDER BY ${orderBy}`,
  )
    .then(() => {});
  complete.catch(() => {});
  return {
    columns,
    count: stream.rows,
    pageRows: SORTED_PAGE_ROWS,
    prefetch: false,
    complete,
    fetch: async (start, n) => {
      if (start === 0 && n <= SORTED_PAGE_ROWS) return firstPage;
      if (start + n <= head.length) return byIds(head.slice(start, start + n));
      await complete;
      const ids = await rows<{ rid: number }>(
        db,
        `SELECT rid FROM temp.main.${order} LIMIT ${n} OFFSET ${start}`,
      );
      return byIds(ids.map((r) => r.rid));
    },
  };
}

/** Drop the temporary sort tables (when a stream is left). */
export async function dropSortTables(db: PreviewDb): Promise<void> {
  const tables = await rows<{ table_name: string }>(
    db,
    "SELECT table_name FROM duckdb_tables() WHERE database_name = 'temp' AND table_name LIKE 'pv_order_%'",
  );
  for (const t of tables) await db.query(`DROP TABLE IF EXISTS temp.main.${ident(t.table_name)}`);
}
