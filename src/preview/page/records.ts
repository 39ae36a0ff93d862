/**
 * A stream table as grid data: pages of rows fetched by position, in the table's stored order or
 * sorted by a column. Sorting runs once per choice: it stores the sorted row ids in a temporary
 * table (8 bytes a row, in the page's in-memory database), and each page then fetches its hundred
 * rows by row id, so scrolling a sorted million-row table does not sort it again.
 */
import type { StreamInfo } from "./catalog.ts";
import { tableToTextRows } from "./format.ts";
import type { GridData, GridSort } from "./grid.ts";
import { ident, type PreviewDb, rows, tableRef } from "./preview_db.ts";

let orderTables = 0;

/** Every column as DuckDB's own text (timestamps, decimals, UUIDs, structs and lists alike). */
export function textSelectList(columns: { name: string }[]): string {
  return columns.map((c) => `CAST(${ident(c.name)} AS VARCHAR) AS ${ident(c.name)}`).join(", ");
}

/** Are row ids 0..n-1 without gaps? Then a page is a row id range (row groups are skipped). */
async function denseRowIds(db: PreviewDb, from: string, count: number): Promise<boolean> {
  if (count === 0) return true;
  const [r] = await rows<{ lo: number; hi: number }>(
    db,
    `SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${from}`,
  );
  return r.lo === 0 && r.hi === count - 1;
}

/** Grid data for a stream table, optionally sorted. Resolves once a sort is ready. */
export async function recordsData(
  db: PreviewDb,
  stream: StreamInfo,
  sort: GridSort | null,
): Promise<GridData> {
  const from = tableRef(stream.schema, stream.table);
  const select = textSelectList(stream.columns);
  const columns = stream.columns.map((c) => ({ name: c.name, type: c.type }));
  const count = stream.rows;
  if (!sort) {
    const dense = await denseRowIds(db, from, count);
    return {
      columns,
      count,
      fetch: async (start, n) =>
        tableToTextRows(
          await db.query(
            dense
              ? `SELECT ${select} FROM ${from} WHERE rowid >= ${start} AND rowid < ${
                start + n
              } ORDER BY rowid`
              : `SELECT ${select} FROM ${from} LIMIT ${n} OFFSET ${start}`,
          ),
        ).rows,
    };
  }
  const order = `pv_order_${++orderTables}`;
  // The table keeps the sorted order (DuckDB preserves insertion order), so a page is a LIMIT and
  // OFFSET over 8-byte rows; a row_number() column costs twice as long to build.
  await db.query(
    `CREATE OR REPLACE TEMP TABLE ${order} AS SELECT rowid AS rid FROM ${from} ` +
      `ORDER BY ${ident(sort.column)} ${sort.descending ? "DESC" : "ASC"} NULLS LAST, rowid`,
  );
  return {
    columns,
    count,
    fetch: async (start, n) => {
      const ids = await rows<{ rid: number }>(
        db,
        `SELECT rid FROM temp.main.${order} LIMIT ${n} OFFSET ${start}`,
      );
      if (ids.length === 0) return [];
      const table = await db.query(
        `SELECT rowid AS __rid, ${select} FROM ${from} WHERE rowid IN (${ids.map((r) => r.rid).join(",")})`,
      );
      const text = tableToTextRows(table);
      const byId = new Map(text.rows.map((row) => [Number(row[0]), row.slice(1)]));
      return ids.map((r) => byId.get(r.rid) ?? columns.map(() => null));
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
