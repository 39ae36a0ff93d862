/**
 * `CacheStore`: the storage operations one cache backend offers to write sessions. The write
 * session (`write_session.ts`) decides what to do: batches, checkpoints, strategies, state; a
 * store only knows how to do it in its database. DuckDB and PostgreSQL each implement it.
 *
 * @module
 */
import type { ColumnSpec } from "../arrow/stream_columns.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import type { ExistingColumn } from "./table_columns.ts";
import type { ResolvedWriteStrategy } from "./write_strategy.ts";

/**
 * How a staging table's rows reach their stream table.
 *
 * @example Merge on `id`, greatest `updated_at` wins
 * ```ts
 * import type { StageApply } from "./cache_store.ts";
 * const how: StageApply = { merge: { keys: ["id"], cursor: "updated_at" }, tableExists: true, columns: [] };
 * if (!how.merge) throw new Error();
 * ```
 */
export interface StageApply {
  /**
   * Merge: keep one row per key (the greatest cursor; among equals the last one staged) and
   * replace the table's rows with the same key. Absent: append.
   */
  merge?: { keys: string[]; cursor?: string };
  /** Does the stream table exist yet? When not, the stage becomes it. */
  tableExists: boolean;
  /** The columns the rows were built with (columns the table lacks are added first). */
  columns: ColumnSpec[];
}

/**
 * One write session's connection to a store. Its calls run in the order they are made, inside
 * the connection's own transaction once `begin()` was called; other sessions' connections have
 * their own transactions.
 *
 * @example The calls of one checkpoint
 * ```ts ignore
 * const conn = await store.connect();
 * const table = await conn.claimTable("source-x", "users", { jsonSchema, primaryKey: [], cursor: [] });
 * await conn.begin();
 * await conn.insert(conn.stageFor(table), ipcBytes, { create: true, columns });
 * await conn.applyStage(conn.stageFor(table), table, { tableExists: false, columns });
 * await conn.writeState("source-x", state);
 * await conn.commit();
 * await conn.release();
 * ```
 */
export interface StoreConnection {
  /**
   * Find or assign the table of a source's stream, and register it with its schema and keys (at
   * once, outside any transaction). Two sources with one stream name get two tables. `strategy`
   * says how the session will write it (a store may stage differently for a merge than for a
   * replace); registries keep the rest.
   */
  claimTable(
    sourceName: string,
    stream: string,
    info: { jsonSchema: unknown; primaryKey: string[][]; cursor: string[]; strategy?: ResolvedWriteStrategy },
  ): Promise<string>;
  /** The columns of a table, in order; empty when it does not exist. */
  columns(table: string): Promise<ExistingColumn[]>;
  /** The staging table of a stream table: a name no stream table can have. */
  stageFor(table: string): string;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Append one Arrow IPC stream's rows to a table, creating it from `columns` first when `create`. */
  insert(table: string, ipc: Uint8Array, options: { create: boolean; columns: ColumnSpec[] }): Promise<void>;
  /** Create an empty stream table. */
  createTable(table: string, columns: ColumnSpec[]): Promise<void>;
  /** Move a stage's rows into its stream table (see {@linkcode StageApply}) and drop the stage. */
  applyStage(stage: string, table: string, how: StageApply): Promise<void>;
  /** Make the stage the stream table, or with no stage an empty table of `columns`. */
  replaceTable(stage: string | undefined, table: string, columns: ColumnSpec[]): Promise<void>;
  /** Drop a table if it exists. */
  dropTable(table: string): Promise<void>;
  /** Store a source's state message (inside the current transaction). */
  writeState(sourceName: string, state: AirbyteStateMessage): Promise<void>;
  /** Give the connection back; an open transaction is rolled back. */
  release(): Promise<void>;
}

/**
 * A backend's storage: hands out one connection per write session.
 *
 * @example
 * ```ts ignore
 * const session = await WriteSession.open(store, "source-x", plans);
 * ```
 */
export interface CacheStore {
  /** A connection for one write session. */
  connect(): Promise<StoreConnection>;
}
