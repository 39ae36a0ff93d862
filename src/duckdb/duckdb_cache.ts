/**
 * `DuckDBCache`: the local cache every read lands in by default, backed by DuckDB-WASM. One table
 * per stream (typed from the stream's JSON Schema) in the cache's schema; the stream registry,
 * source state, destination state and delivery marks in an internal schema. A stream's records
 * and its state are committed in one transaction. This class is the public face; the work is done
 * by its engine queue, stream registry, state store and write store.
 *
 * @module
 */
import type * as arrow from "npm:apache-arrow@17.0.0";
import type {
  Cache,
  CachedRecordPage,
  CacheWriteSession,
  StreamPlan,
  StreamTable,
  WriteSessionOptions,
} from "../cache/cache.ts";
import type { CacheStateWriter } from "../cache/cache_state_writer.ts";
import { CachedDataset } from "../cache/cached_dataset.ts";
import { WriteSession } from "../cache/write_session.ts";
import { AirbyteError, CacheError, InvalidArgumentError } from "../errors.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import type { StateProvider } from "../state/state_provider.ts";
import type { LockHolder } from "./cache_lock.ts";
import { DuckDBStore } from "./duckdb_store.ts";
import { EngineQueue } from "./engine_queue.ts";
import { internalSchemaFor } from "./internal_tables.ts";
import { cachedRecordPages } from "./record_pages.ts";
import { StateStore } from "./state_store.ts";
import { StreamRegistry } from "./stream_registry.ts";

/**
 * Options for {@linkcode DuckDBCache}.
 *
 * @example An in-memory cache with its own schema and prefix
 * ```ts
 * import type { DuckDBCacheOptions } from "./duckdb_cache.ts";
 * const options: DuckDBCacheOptions = { path: ":memory:", schemaName: "raw", tablePrefix: "faker_" };
 * if (options.schemaName !== "raw") throw new Error();
 * ```
 */
export interface DuckDBCacheOptions {
  /**
   * A database file (Deno/Node; durable across processes), `":memory:"`, or `"opfs://name.duckdb"`
   * (browser). @default the default cache file: `$AIRBYTE_TS_CACHE_DIR/default_cache.duckdb`, else
   * `./.cache/default_cache.duckdb`; in a browser OPFS where available, else memory.
   */
  path?: string;
  /** The DuckDB schema holding the stream tables. @default "main" */
  schemaName?: string;
  /** Prefix for stream table names. @default "" */
  tablePrefix?: string;
  /**
   * Browsers only: the URL of a directory serving the files of `@duckdb/duckdb-wasm/dist/` (worker
   * scripts and `.wasm`). @default `./duckdb/` next to the page
   */
  assetsBaseUrl?: string | URL;
  /**
   * A file another process holds (`CacheLockedError`): wait this long for it before failing.
   * @default 0 (fail at once)
   */
  lockTimeoutMs?: number;
  /** Called once when opening starts to wait for another process's lock. */
  onLockWait?: (holder: LockHolder) => void;
}

/**
 * A DuckDB-WASM cache. One process at a time may open a cache file (a second gets
 * `CacheLockedError` naming the holder); within a process, caches on one file share one engine,
 * and reads into one cache run side by side in their own transactions.
 *
 * @example An in-memory cache answers SQL
 * ```ts
 * import { DuckDBCache } from "./duckdb_cache.ts";
 * await using cache = new DuckDBCache({ path: ":memory:" });
 * const t = await cache.sql("SELECT 42 AS answer");
 * if (t.get(0)?.answer !== 42) throw new Error();
 * ```
 */
export class DuckDBCache implements Cache {
  /** The schema holding the stream tables. */
  readonly schemaName: string;
  /** Prefix of stream table names. */
  readonly tablePrefix: string;
  readonly #queue: EngineQueue;
  readonly #registry: StreamRegistry;
  readonly #state: StateStore;
  readonly #store: DuckDBStore;

  /**
   * A cache on a DuckDB file (or in memory); nothing is opened until first use.
   *
   * @param options Path, schema, table prefix, lock waiting; see {@linkcode DuckDBCacheOptions}.
   * @throws {InvalidArgumentError} for a schema name reserved for the cache's own tables.
   */
  constructor(options: DuckDBCacheOptions = {}) {
    this.schemaName = options.schemaName ?? "main";
    this.tablePrefix = options.tablePrefix ?? "";
    if (this.schemaName.startsWith("_airbyte_internal")) {
      throw new InvalidArgumentError(`Cannot use the schema '${this.schemaName}' for stream tables.`, {
        guidance: "Schemas whose names start with '_airbyte_internal' hold the cache's own tables.",
      });
    }
    this.#queue = new EngineQueue({
      path: options.path,
      schemaName: this.schemaName,
      assetsBaseUrl: options.assetsBaseUrl,
      lock: { timeoutMs: options.lockTimeoutMs, onWait: options.onLockWait },
    });
    this.#registry = new StreamRegistry(this.#queue, this.schemaName, this.tablePrefix);
    this.#state = new StateStore(this.#queue, this.schemaName);
    this.#store = new DuckDBStore({
      queue: this.#queue,
      registry: this.#registry,
      state: this.#state,
      schemaName: this.schemaName,
    });
  }

  /** The database path (resolved once the cache has been opened when no path was given). */
  get path(): string {
    return this.#queue.path;
  }

  /** Where the cache lives, for messages: its path. */
  get location(): string {
    return this.#queue.path;
  }

  /** The schema holding this cache's registry and state tables. */
  get internalSchemaName(): string {
    return internalSchemaFor(this.schemaName);
  }

  /** True once `close()` has been called. */
  get isClosed(): boolean {
    return this.#queue.isClosed;
  }

  /** Open the database (once): take its lock, create the internal tables. */
  async open(): Promise<void> {
    await this.#queue.open();
  }

  /**
   * Whether this cache is creating its database (a file that did not exist yet, or memory) and
   * has not finished opening it: then it holds no tables and no state. Known long before
   * DuckDB-WASM is ready, so a read into a new cache can start its connector while the engine
   * starts. Once the engine is open this is false. Starts opening; never rejects.
   *
   * @returns true for a new database still opening; false otherwise, or when unknown (OPFS).
   *
   * @example A new file is new once
   * ```ts
   * import { DuckDBCache } from "./duckdb_cache.ts";
   * const dir = Deno.makeTempDirSync();
   * const first = new DuckDBCache({ path: `${dir}/c.duckdb` });
   * if (!await first.isNewDatabase()) throw new Error();
   * await first.close();
   * const again = new DuckDBCache({ path: `${dir}/c.duckdb` });
   * if (await again.isNewDatabase()) throw new Error();
   * await again.close();
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  isNewDatabase(): Promise<boolean> {
    return this.#queue.isNewDatabase();
  }

  /**
   * Run a SQL query and return the result as an Arrow table. A failing query rejects with a
   * `CacheError` carrying DuckDB's message.
   */
  sql(query: string): Promise<arrow.Table> {
    return this.#queue.sql(query).catch((error) => {
      throw queryError(error, this.path);
    });
  }

  /** Names of the streams with tables in this cache (of every source). */
  get streams(): Promise<string[]> {
    return this.listStreamTables().then((rows) => [...new Set(rows.map((r) => r.stream))]);
  }

  /** Every registered (source, stream, table), with the stream's schema and keys. */
  listStreamTables(): Promise<StreamTable[]> {
    return this.#registry.list();
  }

  /** The table of a stream (of a given source, or of the only source that has it). */
  tableFor(stream: string, sourceName?: string): Promise<string> {
    return this.#registry.tableFor(stream, sourceName);
  }

  /** A stream's cached records. With two sources sharing a stream name, pass `sourceName`. */
  get(stream: string, options: { sourceName?: string } = {}): CachedDataset {
    return new CachedDataset(this, stream, options.sourceName);
  }

  /** A stream's records as Airbyte record bodies, page by page in cache order. */
  recordPages(
    target: Pick<StreamTable, "stream" | "table" | "jsonSchema">,
    options: { after?: string; pageRows?: number } = {},
  ): AsyncIterable<CachedRecordPage> {
    return cachedRecordPages((q) => this.sql(q), this.schemaName, target, options);
  }

  /** Start one read's writes (a connection and transactions of its own). */
  openWriteSession(
    sourceName: string,
    plans: StreamPlan[],
    options: WriteSessionOptions = {},
  ): Promise<CacheWriteSession> {
    return WriteSession.open(this.#store, sourceName, plans, options);
  }

  /** The source's stored state, or with `destinationName` the states that destination confirmed. */
  getStateProvider(sourceName: string, destinationName?: string): Promise<StateProvider> {
    return this.#state.provider(sourceName, destinationName);
  }

  /**
   * The destination state stored for a source → destination pair: the states that destination
   * confirmed (echoed back). Same as `getStateProvider(sourceName, destinationName)`.
   */
  getDestinationStateProvider(sourceName: string, destinationName: string): Promise<StateProvider> {
    return this.#state.provider(sourceName, destinationName);
  }

  /**
   * A state writer that stores states in this cache: source state, or with `destinationName`,
   * the destination's confirmed state.
   */
  getStateWriter(sourceName: string, destinationName?: string): CacheStateWriter {
    return this.#state.writer(sourceName, destinationName);
  }

  /** How far each stream of `sourceName` has been delivered to `destinationName` (last `_airbyte_raw_id`). */
  getDeliveryMarks(sourceName: string, destinationName: string): Promise<Map<string, string>> {
    return this.#state.deliveryMarks(sourceName, destinationName);
  }

  /** Record delivery marks and the destination's confirmed states, in one transaction. */
  recordDelivery(
    sourceName: string,
    destinationName: string,
    marks: Map<string, string>,
    states: AirbyteStateMessage[],
  ): Promise<void> {
    return this.#state.recordDelivery(sourceName, destinationName, marks, states);
  }

  /** Delete stored source state for the given streams (all when omitted). */
  clearState(sourceName: string, streams?: string[]): Promise<void> {
    return this.#state.clear(sourceName, streams);
  }

  /** Checkpoint and close the database, and give up its lock. Further calls fail. */
  close(): Promise<void> {
    return this.#queue.close();
  }

  /** `await using cache = new DuckDBCache(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A failed query as a `CacheError` that keeps DuckDB's own message. */
function queryError(error: unknown, path: string): unknown {
  if (error instanceof AirbyteError) return error;
  const message = String((error as Error)?.message ?? error);
  const fatal = /\bFATAL\b|database has been invalidated/i.test(message);
  return new CacheError(`Query failed on the cache '${path}': ${message}`, {
    guidance: fatal
      ? "The database hit an error it cannot recover from (a full disk, a failed write): free space and open the cache again; committed reads are safe in its write-ahead log."
      : undefined,
    cause: error,
  });
}
