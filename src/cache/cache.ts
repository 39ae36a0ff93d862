/**
 * The `Cache` contract: what sources, results and destinations need from a cache, whatever stores
 * it (DuckDB-WASM, PostgreSQL). A cache keeps one table per stream, the stream registry, source
 * state, destination state and delivery marks; a stream's records and its state commit together.
 *
 * @module
 */
import type * as arrow from "npm:apache-arrow@17.0.0";
import type { ProgressTracker } from "../progress/progress_tracker.ts";
import type { AirbyteStateMessage, AirbyteStream } from "../protocol/messages.ts";
import type { StateProvider } from "../state/state_provider.ts";
import type { StateWriter } from "../state/state_writer.ts";
import type { CachedDataset } from "./cached_dataset.ts";
import type { ResolvedWriteStrategy } from "./write_strategy.ts";

/**
 * One registered stream table: which source's stream it holds, and the schema and keys it was
 * last written with.
 *
 * @example A registry entry
 * ```ts
 * import type { StreamTable } from "./cache.ts";
 * const users: StreamTable = { sourceName: "source-faker", stream: "users", table: "users", jsonSchema: {}, primaryKey: [["id"]], cursor: ["updated_at"] };
 * if (users.table !== "users") throw new Error();
 * ```
 */
export interface StreamTable {
  /** The source whose stream the table holds, e.g. `source-faker`. */
  sourceName: string;
  /** The stream's name. */
  stream: string;
  /** The table's name in the cache's schema. */
  table: string;
  /** The stream's JSON Schema as last written. */
  jsonSchema: Record<string, unknown>;
  /** Paths of the primary key's fields (each path a list of keys); empty for none. */
  primaryKey: string[][];
  /** The cursor's path; empty for none. */
  cursor: string[];
}

/**
 * What to do with one stream in a read: its catalog entry, the write strategy (`auto` settled)
 * and its keys.
 *
 * @example Merge users on their id
 * ```ts
 * import type { StreamPlan } from "./cache.ts";
 * const plan: StreamPlan = {
 *   stream: { name: "users", json_schema: {}, supported_sync_modes: ["full_refresh"] },
 *   strategy: "merge", primaryKey: [["id"]], cursor: [],
 * };
 * if (plan.strategy !== "merge") throw new Error();
 * ```
 */
export interface StreamPlan {
  /** The stream's catalog entry (name and JSON Schema). */
  stream: AirbyteStream;
  /** How its records land in the table. */
  strategy: ResolvedWriteStrategy;
  /** Paths of the primary key's fields (each path a list of keys); `merge` needs one. */
  primaryKey: string[][];
  /** The cursor's path; empty for none. */
  cursor: string[];
}

/**
 * One page of a stream's cached records, as Airbyte record bodies in cache order.
 *
 * @example An empty page
 * ```ts
 * import type { CachedRecordPage } from "./cache.ts";
 * const page: CachedRecordPage = { records: [], lastRawId: "" };
 * if (page.records.length) throw new Error();
 * ```
 */
export interface CachedRecordPage {
  /** The records, as the body of a RECORD message each. */
  records: { stream: string; data: Record<string, unknown>; emitted_at: number }[];
  /** The `_airbyte_raw_id` of the page's last row: resume after it. */
  lastRawId: string;
}

/**
 * Tuning for one read's writes; the defaults bound memory to a few tens of MB per stream.
 *
 * @example Smaller batches, and a checkpoint every 10,000 rows
 * ```ts
 * import type { WriteSessionOptions } from "./cache.ts";
 * const options: WriteSessionOptions = { batchRows: 10_000, commitEveryRows: 10_000 };
 * if (options.batchRows !== 10_000) throw new Error();
 * ```
 */
export interface WriteSessionOptions {
  /** Rows per Arrow batch handed to the store. @default 50_000 */
  batchRows?: number;
  /** Commit a checkpoint once this many rows are staged and a state arrives. @default 200_000 */
  commitEveryRows?: number;
  /** ...or once this much time has passed since the last commit. @default 5_000 */
  commitEveryMs?: number;
  /** The sync's id (a timestamp): the start of its row ids and `_airbyte_meta.sync_id`. */
  syncId?: number;
  /** Told about streams starting, records counted and streams finishing. */
  progress?: ProgressTracker;
}

/**
 * One read's writes into a cache: records go in (as RECORD line bytes or as parsed objects),
 * states mark checkpoints, and each checkpoint commits the records before it with their state.
 *
 * @example The loop of a read
 * ```ts ignore
 * const session = await cache.openWriteSession("source-x", plans);
 * for await (const msg of messages) {
 *   if (msg.type === "RECORD") await session.addRecord(msg.record.stream, msg.record.data, msg.record.emitted_at);
 *   else if (msg.type === "STATE") await session.addState(msg.state);
 * }
 * await session.finish();
 * ```
 */
export interface CacheWriteSession {
  /**
   * Add one RECORD line given as UTF-8 bytes `bytes[start, end)`. Returns false when the line
   * must be parsed instead (then `addRecord` or `addState`), true when it was added, or a
   * promise when a batch was flushed (await it).
   */
  readonly addRecordLine: (bytes: Uint8Array, start: number, end: number) => boolean | Promise<void>;
  /** Add one parsed record; a promise only when a batch was flushed (await it). */
  addRecord(stream: string, data: Record<string, unknown>, emittedAt: number): Promise<void> | undefined;
  /**
   * Tell progress about every record counted so far (counts otherwise move every 4,096
   * records): call it before passing on what the connector says about a stream's progress.
   */
  reportProgress(): void;
  /** Note a state checkpoint; a promise when it committed (await it). */
  addState(state: AirbyteStateMessage): Promise<void> | undefined;
  /** Commit everything left, swap replaced tables in, create tables for empty streams. */
  finish(): Promise<void>;
  /** Roll back what is not committed; committed checkpoints stay. */
  abort(): Promise<void>;
  /** Records received per stream. */
  readonly recordCounts: Map<string, number>;
  /** Streams the connector sent records for without them being planned. */
  readonly ignoredStreams: string[];
}

/**
 * A cache: the interface `Source.read`, `ReadResult`, `CachedDataset` and `Destination.write`
 * depend on. `DuckDBCache` and `PostgresCache` implement it.
 *
 * @example Any cache answers SQL and lists its streams
 * ```ts ignore
 * import type { Cache } from "../../mod.ts";
 * async function describe(cache: Cache) {
 *   for (const stream of await cache.streams) console.log(stream, await cache.get(stream).count());
 * }
 * ```
 */
export interface Cache extends AsyncDisposable {
  /** The schema holding the stream tables. */
  readonly schemaName: string;
  /** Where the cache lives, for messages: a path, or a URL without its password. */
  readonly location: string;
  /** True once `close()` has been called. */
  readonly isClosed: boolean;
  /** Open (once) and make sure the internal tables exist. */
  open(): Promise<void>;
  /**
   * Whether the cache is being created now and so holds no tables and no state: a read into it
   * may start its connector before the cache is open. False when unknown.
   */
  isNewDatabase(): Promise<boolean>;
  /** Run a SQL query; the result as an Arrow table. */
  sql(query: string): Promise<arrow.Table>;
  /** Names of the streams with tables in this cache (of every source). */
  readonly streams: Promise<string[]>;
  /** Every registered stream table. */
  listStreamTables(): Promise<StreamTable[]>;
  /** The table name of a stream (of the given source, or of the only source that cached it). */
  tableFor(stream: string, sourceName?: string): Promise<string>;
  /** A stream's cached records. */
  get(stream: string, options?: { sourceName?: string }): CachedDataset;
  /** A stream's records as Airbyte record bodies, page by page in cache order, after `after`. */
  recordPages(
    target: Pick<StreamTable, "stream" | "table" | "jsonSchema">,
    options?: { after?: string; pageRows?: number },
  ): AsyncIterable<CachedRecordPage>;
  /** Start one read's writes for the planned streams of `sourceName`. */
  openWriteSession(
    sourceName: string,
    plans: StreamPlan[],
    options?: WriteSessionOptions,
  ): Promise<CacheWriteSession>;
  /**
   * Stored state: the source's own (from reads), or with `destinationName`, the source states
   * that destination confirmed.
   */
  getStateProvider(sourceName: string, destinationName?: string): Promise<StateProvider>;
  /** A writer into this cache's state: source state, or a destination's confirmed state. */
  getStateWriter(sourceName: string, destinationName?: string): StateWriter;
  /** Per stream, the last `_airbyte_raw_id` a destination confirmed. */
  getDeliveryMarks(sourceName: string, destinationName: string): Promise<Map<string, string>>;
  /**
   * Record what a destination confirmed: delivery marks and, when this cache also keeps the
   * destination's state, the confirmed states, in one transaction.
   */
  recordDelivery(
    sourceName: string,
    destinationName: string,
    marks: Map<string, string>,
    states: AirbyteStateMessage[],
  ): Promise<void>;
  /** Delete stored source state for the given streams (all when omitted). */
  clearState(sourceName: string, streams?: string[]): Promise<void>;
  /** Close the cache; further calls fail. */
  close(): Promise<void>;
}
