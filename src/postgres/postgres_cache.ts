/**
 * `PostgresCache`: the cache for many syncs, on many hosts, into one PostgreSQL database that
 * analysts, dashboards and destinations read. One typed table per stream in the cache's schema
 * (`jsonb` for objects and arrays, `timestamptz`, `numeric`/`double precision` as the DuckDB
 * cache decides), bulk-loaded with binary `COPY` from the same Arrow batches the DuckDB cache
 * takes; the stream registry, source state, destination state and delivery marks in the shared
 * schema `_airbyte_internal`. A stream's records and its state commit in one transaction; two
 * writers of one stream take turns (an advisory lock, with a message while one waits). This
 * class is the public face; the work is done by its database, stream registry, state store and
 * write store. The driver (`pg`) is loaded on first connect, so bundles that never connect never
 * load it.
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
import { InvalidArgumentError } from "../errors.ts";
import { printAboveProgress } from "../progress/print_above_progress.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import type { StateProvider } from "../state/state_provider.ts";
import { type PostgresConnectionOptions, resolveConnection } from "./connection.ts";
import { INTERNAL_SCHEMA } from "./internal_tables.ts";
import { PostgresDatabase } from "./postgres_database.ts";
import { PostgresStore } from "./postgres_store.ts";
import { postgresRecordPages } from "./record_pages.ts";
import { StateStore } from "./state_store.ts";
import type { LockHolder } from "./stream_lock.ts";
import { StreamRegistry } from "./stream_registry.ts";

/**
 * Options for {@linkcode PostgresCache}: where to connect (a URL, fields, or both: fields
 * override the URL) and how to lay out the tables.
 *
 * @example One schema per source
 * ```ts
 * import type { PostgresCacheOptions } from "./postgres_cache.ts";
 * const options: PostgresCacheOptions = {
 *   url: "postgres://airbyte@db.internal:5432/warehouse?sslmode=verify-full",
 *   password: "from-a-secret-store",
 *   schemaName: "faker",
 * };
 * if (options.schemaName !== "faker") throw new Error();
 * ```
 */
export interface PostgresCacheOptions extends PostgresConnectionOptions {
  /**
   * The schema holding the stream tables (created when missing). Give each source its own for a
   * schema per source. @default the URL's `schema` parameter, else "airbyte_raw"
   */
  schemaName?: string;
  /** Prefix for stream table names. @default "" */
  tablePrefix?: string;
  /** Connections the cache may hold at once (each running read holds one). @default 8 */
  maxConnections?: number;
  /**
   * Called once when a read must wait because another session (this process or another, on any
   * host) is writing one of its stream tables. @default a line on stderr, above any progress display
   */
  onLockWait?: (message: string, holder: LockHolder | undefined) => void;
  /** Give up waiting for another writer of a stream table after this long. @default wait */
  lockTimeoutMs?: number;
}

/**
 * A cache in a PostgreSQL database, for syncs that outgrow one machine. Several processes, on
 * one host or several, may read into one database at once; reads of different streams run side
 * by side, two reads of one stream take turns.
 *
 * @example The location never shows the password
 * ```ts
 * import { PostgresCache } from "./postgres_cache.ts";
 * const cache = new PostgresCache({ url: "postgres://ada:s3cret@db.example:5432/warehouse", schemaName: "faker" });
 * if (cache.location !== "postgres://ada:****@db.example:5432/warehouse?schema=faker") throw new Error(cache.location);
 * await cache.close(); // it never connected
 * ```
 *
 * @example Read a source into PostgreSQL and query it
 * ```ts ignore
 * import { getSource, PostgresCache } from "../../mod.ts";
 * await using cache = new PostgresCache({ url: "postgres://airbyte:secret@localhost:5432/warehouse", schemaName: "faker" });
 * const source = await getSource("source-faker", { config: { count: 1000 } });
 * const result = await source.read({ cache });
 * console.log(await result.get("users").count());
 * console.log((await cache.sql("SELECT count(*) AS n FROM users")).get(0)?.n);
 * ```
 */
export class PostgresCache implements Cache {
  /** The schema holding the stream tables. */
  readonly schemaName: string;
  /** Prefix of stream table names. */
  readonly tablePrefix: string;
  readonly #db: PostgresDatabase;
  readonly #registry: StreamRegistry;
  readonly #state: StateStore;
  readonly #store: PostgresStore;

  /**
   * Checks the options at once (a URL that cannot be read throws `InvalidArgumentError`, with the
   * password masked); connects on first use.
   *
   * @param options URL or fields, TLS, schema, table prefix; see {@linkcode PostgresCacheOptions}.
   */
  constructor(options: PostgresCacheOptions = {}) {
    this.schemaName = options.schemaName ?? schemaOfUrl(options.url) ?? "airbyte_raw";
    this.tablePrefix = options.tablePrefix ?? "";
    if (!this.schemaName || this.schemaName === INTERNAL_SCHEMA || this.schemaName.startsWith("pg_")) {
      throw new InvalidArgumentError(`Cannot use the schema '${this.schemaName}' for stream tables.`, {
        guidance:
          `Name another schema: '${INTERNAL_SCHEMA}' holds the cache's own tables, and 'pg_' names are PostgreSQL's.`,
      });
    }
    const connection = resolveConnection(options);
    this.#db = new PostgresDatabase(connection, this.schemaName, { maxConnections: options.maxConnections });
    this.#registry = new StreamRegistry(this.#db, this.tablePrefix);
    this.#state = new StateStore(this.#db);
    this.#store = new PostgresStore({
      db: this.#db,
      registry: this.#registry,
      state: this.#state,
      onLockWait: options.onLockWait ??
        ((message) => printAboveProgress(`${message}\n`, (t) => console.error(t.trimEnd()))),
      lockTimeoutMs: options.lockTimeoutMs,
    });
  }

  /** Where the cache lives, for messages: the server's URL and the schema, the password masked. */
  get location(): string {
    const url = this.#db.connection.location;
    return `${url}${url.includes("?") ? "&" : "?"}schema=${encodeURIComponent(this.schemaName)}`;
  }

  /** True once `close()` has been called. */
  get isClosed(): boolean {
    return this.#db.isClosed;
  }

  /**
   * Connect (once) and make sure the internal tables and the cache's schema exist. Fails with
   * `CacheConnectionError` (wrong password, unreachable server, missing database, TLS) or
   * `CachePermissionError` (no right to create the schema), the password masked.
   */
  async open(): Promise<void> {
    await this.#db.open();
  }

  /**
   * Always false: a server cannot be known to be empty without asking it, so a read asks for
   * the stored state (which opens the cache) before it starts its connector.
   */
  isNewDatabase(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /**
   * Run SQL on the database and return the result as an Arrow table (the last statement's, for
   * several). Unqualified table names are looked up in the cache's schema first. Column types
   * follow DuckDB's Arrow output (see `result_to_arrow.ts`): `bigint` as Int64, `jsonb` and
   * `uuid` as text, timestamps in microseconds.
   */
  sql(query: string): Promise<arrow.Table> {
    return this.#db.sql(query);
  }

  /** Names of the streams with tables in this cache's schema (of every source). */
  get streams(): Promise<string[]> {
    return this.listStreamTables().then((rows) => [...new Set(rows.map((r) => r.stream))]);
  }

  /** Every registered (source, stream, table) of this schema, with the stream's schema and keys. */
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
    return postgresRecordPages(this.#db, target, options);
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

  /** The states a destination confirmed for a source. Same as `getStateProvider(sourceName, destinationName)`. */
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

  /** Close every connection. Further calls fail. */
  close(): Promise<void> {
    return this.#db.close();
  }

  /** `await using cache = new PostgresCache(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The `schema` parameter of a `postgres://` URL (`?schema=raw`), if any. */
function schemaOfUrl(url: string | undefined): string | undefined {
  const query = url?.split("#")[0].split("?")[1];
  if (!query) return undefined;
  return new URLSearchParams(query).get("schema") || undefined;
}
