/** What a cache holds: its streams (tables, row counts, columns) and its stored state. */
import { findInternalTables, type InternalTables, isInternalTable } from "./internal_tables.ts";
import { ident, literal, type PreviewDb, rows, tableRef } from "./preview_db.ts";

export interface ColumnInfo {
  name: string;
  /** DuckDB's type, e.g. `BIGINT`, `TIMESTAMP WITH TIME ZONE`. */
  type: string;
}

export interface StreamInfo {
  /** The connector that wrote it (empty for a table no connector registered). */
  source: string;
  stream: string;
  schema: string;
  table: string;
  rows: number;
  columns: ColumnInfo[];
  primaryKey: string[][];
  cursor: string[];
  /** Has `_airbyte_meta` (so misfit values can be listed). */
  hasMeta: boolean;
  /** Columns holding times, for the timeline. */
  timeColumns: string[];
  /** Row ids run 0..rows-1 without gaps: a page of the stored order is a row id range. */
  denseRowIds: boolean;
}

export interface StateEntry {
  source: string;
  /** For destination state: which destination confirmed it. */
  destination?: string;
  key: string;
  type: string;
  /** The state message as stored (JSON text). */
  json: string;
  updatedAt: string | null;
}

export interface Catalog {
  streams: StreamInfo[];
  /** Filled by {@linkcode loadState}, after the first rows are on screen. */
  state: StateEntry[];
  destinationState: StateEntry[];
  /** "internal", "legacy" or "none" (a DuckDB file that is not an airbyte-ts cache). */
  layout: string;
  /** Where the state lives (for {@linkcode loadState}). */
  internal: InternalTables[];
}

const TIME_TYPES = /^(TIMESTAMP|DATE)/;

function parseJson<T>(text: unknown, fallback: T): T {
  try {
    return text === null || text === undefined ? fallback : JSON.parse(String(text)) as T;
  } catch {
    return fallback;
  }
}

/** Read the streams: three small queries, whatever the table sizes. */
export async function loadCatalog(db: PreviewDb): Promise<Catalog> {
  const columns = await rows<
    { schema_name: string; table_name: string; column_name: string; data_type: string }
  >(
    db,
    "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() " +
      "WHERE database_name = current_database() ORDER BY schema_name, table_name, column_index",
  );
  const columnsOf = (schema: string, table: string): ColumnInfo[] =>
    columns.filter((c) => c.schema_name === schema && c.table_name === table).map((c) => ({
      name: c.column_name,
      type: c.data_type,
    }));
  const tableExists = (schema: string, table: string) =>
    columns.some((c) => c.schema_name === schema && c.table_name === table);
  const internal = findInternalTables(columns);

  const registered: Omit<StreamInfo, "rows" | "columns" | "hasMeta" | "timeColumns" | "denseRowIds">[] = [];
  for (const tables of internal) {
    const streamRows = await rows<Record<string, unknown>>(
      db,
      `SELECT source_name, stream_name, table_name, primary_key, cursor_field FROM ${tables.streams} ORDER BY 1, 2`,
    );
    for (const r of streamRows) {
      const table = String(r.table_name);
      // A stream is claimed when its read starts; it is listed once its table is committed.
      if (!tableExists(tables.dataSchema, table)) continue;
      registered.push({
        source: String(r.source_name),
        stream: String(r.stream_name),
        schema: tables.dataSchema,
        table,
        primaryKey: parseJson(r.primary_key, []),
        cursor: parseJson(r.cursor_field, []),
      });
    }
  }
  // Tables no connector registered (or a plain DuckDB file): listed by name.
  const seen = new Set(registered.map((r) => `${r.schema}.${r.table}`));
  const others = [...new Set(columns.map((c) => `${c.schema_name}\u0000${c.table_name}`))]
    .map((key) => key.split("\u0000"))
    .filter(([schema, table]) => !seen.has(`${schema}.${table}`) && !isInternalTable(schema, table));
  for (const [schema, table] of others) {
    registered.push({ source: "", stream: table, schema, table, primaryKey: [], cursor: [] });
  }

  const counts = registered.length === 0 ? [] : await rows<{ i: number; n: number; lo: number; hi: number }>(
    db,
    registered.map((r, i) =>
      `SELECT ${i} AS i, count(*) AS n, min(rowid) AS lo, max(rowid) AS hi FROM ${
        tableRef(r.schema, r.table)
      }`
    ).join(" UNION ALL "),
  );
  const streams = registered.map((r, i) => {
    const cols = columnsOf(r.schema, r.table);
    const count = counts.find((c) => c.i === i);
    const n = Number(count?.n ?? 0);
    return {
      ...r,
      rows: n,
      denseRowIds: n === 0 || (Number(count?.lo) === 0 && Number(count?.hi) === n - 1),
      columns: cols,
      hasMeta: cols.some((c) => c.name === "_airbyte_meta"),
      timeColumns: cols.filter((c) => TIME_TYPES.test(c.type)).map((c) => c.name),
    };
  });
  return {
    streams,
    state: [],
    destinationState: [],
    layout: internal.length === 0 ? "none" : internal[0].layout,
    internal,
  };
}

/** Read the stored source and destination state into the catalog. */
export async function loadState(db: PreviewDb, catalog: Catalog): Promise<void> {
  const state: StateEntry[] = [];
  const destinationState: StateEntry[] = [];
  for (const tables of catalog.internal) {
    state.push(...await stateEntries(db, tables.state, false));
    if (tables.destinationState) {
      destinationState.push(...await stateEntries(db, tables.destinationState, true));
    }
  }
  catalog.state = state;
  catalog.destinationState = destinationState;
}

async function stateEntries(db: PreviewDb, table: string, destination: boolean): Promise<StateEntry[]> {
  const list = await rows<Record<string, unknown>>(
    db,
    `SELECT *, strftime(updated_at::TIMESTAMP, '%Y-%m-%d %H:%M:%S') AS updated_text FROM ${table} ` +
      `ORDER BY source_name, ${destination ? "destination_name, " : ""}state_key`,
  );
  return list.map((r) => ({
    source: String(r.source_name),
    destination: destination ? String(r.destination_name) : undefined,
    key: String(r.state_key),
    type: String(r.state_type ?? ""),
    json: String(r.state_json ?? ""),
    updatedAt: r.updated_text === null || r.updated_text === undefined ? null : String(r.updated_text),
  }));
}

/** SQL that selects misfit rows: `_airbyte_meta.changes` is not empty. */
export function misfitCondition(): string {
  // _airbyte_meta is JSON text written with "changes" first (no JSON extension offline in
  // DuckDB-WASM); the page parses the rows it shows to list each change.
  return `(_airbyte_meta LIKE ${literal('{"changes":[{%')})`;
}

export { ident };
