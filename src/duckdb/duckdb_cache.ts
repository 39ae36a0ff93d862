/**
 * `DuckDBCache`: the local cache every read lands in, backed by DuckDB-WASM. One table per stream
 * (typed from the stream's JSON Schema), plus internal tables for the stream registry, source state
 * and destination state. A stream's records and its state are committed in one transaction.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import type { DuckDBEngine } from "../../wasm/duckdb_engine.ts";
import { CacheError, StreamNotFoundError } from "../errors.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import { stateKey, streamsOfState } from "../state/state_key.ts";
import { type StateProvider, StaticInputState } from "../state/state_provider.ts";
import { StateWriterBase } from "../state/state_writer.ts";
import { ident, literal, qualified } from "../cache/sql_quote.ts";
import { CachedDataset, type DatasetHost } from "../cache/cached_dataset.ts";
import { normalizeName } from "../arrow/column_names.ts";
import { openEngine } from "./open_engine.ts";
import { resolveCachePath } from "./cache_path.ts";
import { getRuntime } from "../runtime/detect.ts";

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
  /** The DuckDB schema holding the tables. @default "main" */
  schemaName?: string;
  /** Prefix for stream table names. @default "" */
  tablePrefix?: string;
  /**
   * Browsers only: the URL of a directory serving the files of `@duckdb/duckdb-wasm/dist/` (worker
   * scripts and `.wasm`). @default `./duckdb/` next to the page
   */
  assetsBaseUrl?: string | URL;
}

/** Internal table names. */
export const STREAMS_TABLE = "_airbyte_streams";
export const STATE_TABLE = "_airbyte_state";
export const DESTINATION_STATE_TABLE = "_airbyte_destination_state";
export const STAGE_PREFIX = "_airbyte_stage__";
export const DELIVERY_TABLE = "_airbyte_delivery";

/** One registered stream table. */
export interface StreamTable {
  sourceName: string;
  stream: string;
  table: string;
  jsonSchema: Record<string, unknown>;
  primaryKey: string[][];
  cursor: string[];
}

/**
 * A DuckDB-WASM cache.
 *
 * @example An in-memory cache answers SQL
 * ```ts ignore
 * import { DuckDBCache } from "../../mod.ts";
 * await using cache = new DuckDBCache({ path: ":memory:" });
 * const t = await cache.sql("SELECT 42 AS answer");
 * if (t.get(0)?.answer !== 42) throw new Error();
 * ```
 */
export class DuckDBCache implements DatasetHost, AsyncDisposable {
  #path?: string;
  #assetsBaseUrl?: string | URL;
  readonly schemaName: string;
  readonly tablePrefix: string;
  #engine?: Promise<DuckDBEngine>;
  #closed = false;
  // One statement or transaction at a time: interleaved awaits must not mix transactions.
  #queue: Promise<unknown> = Promise.resolve();
  /** Settles early in opening: did this cache create its database? */
  #isNew?: Promise<boolean>;
  /** Set once the engine is open and the internal tables exist. */
  #opened = false;

  constructor(options: DuckDBCacheOptions = {}) {
    this.#path = options.path;
    this.#assetsBaseUrl = options.assetsBaseUrl;
    this.schemaName = options.schemaName ?? "main";
    this.tablePrefix = options.tablePrefix ?? "";
  }

  /** The database path (resolved once the cache has been opened when no path was given). */
  get path(): string {
    return this.#path ?? "(default cache, not opened yet)";
  }

  /** Open the database (once) and make sure the internal tables exist. */
  engine(): Promise<DuckDBEngine> {
    if (this.#closed) {
      return Promise.reject(new CacheError(`Cannot use the cache at '${this.path}': it is closed.`));
    }
    this.#engine ??= this.#open().catch((e) => {
      this.#engine = undefined;
      throw e instanceof CacheError
        ? e
        : new CacheError(`Cannot open the cache at '${this.path}': ${e?.message ?? e}`, {
          guidance:
            "Check that the directory exists and is writable, and that no other process holds the file.",
          cause: e,
        });
    });
    return this.#engine;
  }

  /**
   * Whether this cache is creating its database (a file that did not exist yet, or memory) and
   * has not finished opening it: then it holds no tables and no state. Known long before
   * DuckDB-WASM is ready, so a read into a new cache can start its connector while the engine
   * starts. Once the engine is open this is false (anything may have been written since).
   * Starts opening.
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
    const opening = this.engine();
    if (this.#opened) return Promise.resolve(false);
    return this.#isNew ?? opening.then(() => false);
  }

  async #open(): Promise<DuckDBEngine> {
    let settle!: (isNew: boolean) => void;
    this.#isNew = new Promise((resolve) => settle = resolve);
    try {
      this.#path = await resolveCachePath(this.#path);
      settle(await createsDatabase(this.#path));
    } catch (error) {
      settle(false);
      throw error;
    }
    const engine = await openEngine(this.#path, { assetsBaseUrl: this.#assetsBaseUrl });
    const s = ident(this.schemaName);
    // One transaction: one sync to disk instead of five (each commit fdatasyncs the WAL).
    await engine.exec(
      `BEGIN TRANSACTION; CREATE SCHEMA IF NOT EXISTS ${s}; ` +
        `CREATE TABLE IF NOT EXISTS ${s}.${STREAMS_TABLE} (source_name VARCHAR, stream_name VARCHAR, ` +
        `table_name VARCHAR, json_schema VARCHAR, primary_key VARCHAR, cursor_field VARCHAR, updated_at TIMESTAMPTZ, ` +
        `PRIMARY KEY (source_name, stream_name)); ` +
        `CREATE TABLE IF NOT EXISTS ${s}.${STATE_TABLE} (source_name VARCHAR, state_key VARCHAR, ` +
        `state_type VARCHAR, state_json VARCHAR, updated_at TIMESTAMPTZ, PRIMARY KEY (source_name, state_key)); ` +
        `CREATE TABLE IF NOT EXISTS ${s}.${DESTINATION_STATE_TABLE} (source_name VARCHAR, destination_name VARCHAR, ` +
        `state_key VARCHAR, state_type VARCHAR, state_json VARCHAR, updated_at TIMESTAMPTZ, ` +
        `PRIMARY KEY (source_name, destination_name, state_key)); ` +
        `CREATE TABLE IF NOT EXISTS ${s}.${DELIVERY_TABLE} (source_name VARCHAR, destination_name VARCHAR, ` +
        `stream_name VARCHAR, last_raw_id VARCHAR, updated_at TIMESTAMPTZ, ` +
        `PRIMARY KEY (source_name, destination_name, stream_name)); COMMIT`,
    ).catch(async (error) => {
      await engine.exec("ROLLBACK").catch(() => {});
      throw error;
    });
    // Staging tables left by a read that died are uncommitted work: drop them.
    const leftovers = await engine.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = ${literal(this.schemaName)} ` +
        `AND table_name LIKE '${STAGE_PREFIX}%'`,
    );
    for (const row of leftovers.toArray()) {
      await engine.exec(`DROP TABLE IF EXISTS ${qualified(this.schemaName, String(row.table_name))}`);
    }
    this.#opened = true;
    return engine;
  }

  /** Run `fn` with the engine, alone: no other cache call runs until it settles. */
  exclusive<T>(fn: (engine: DuckDBEngine) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.engine()).then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Run a SQL query and return the result as an Arrow table. */
  sql(query: string): Promise<arrow.Table> {
    return this.exclusive((e) => e.query(query));
  }

  /** Names of the streams with tables in this cache (of every source). */
  get streams(): Promise<string[]> {
    return this.listStreamTables().then((rows) => [...new Set(rows.map((r) => r.stream))]);
  }

  /** Every registered (source, stream, table), with the stream's schema and keys. */
  async listStreamTables(): Promise<StreamTable[]> {
    const t = await this.sql(
      `SELECT source_name, stream_name, table_name, json_schema, primary_key, cursor_field ` +
        `FROM ${qualified(this.schemaName, STREAMS_TABLE)} AS s ` +
        // A stream is claimed when its read starts; it is listed once its table is committed.
        `WHERE EXISTS (SELECT 1 FROM information_schema.tables AS t WHERE t.table_schema = ` +
        `${literal(this.schemaName)} AND t.table_name = s.table_name) ORDER BY 1, 2`,
    );
    return t.toArray().map((r) => ({
      sourceName: String(r.source_name),
      stream: String(r.stream_name),
      table: String(r.table_name),
      jsonSchema: JSON.parse(String(r.json_schema ?? "{}")),
      primaryKey: JSON.parse(String(r.primary_key ?? "[]")),
      cursor: JSON.parse(String(r.cursor_field ?? "[]")),
    }));
  }

  /** How far each stream of `sourceName` has been delivered to `destinationName` (last `_airbyte_raw_id`). */
  async getDeliveryMarks(sourceName: string, destinationName: string): Promise<Map<string, string>> {
    const t = await this.sql(
      `SELECT stream_name, last_raw_id FROM ${
        qualified(this.schemaName, DELIVERY_TABLE)
      } WHERE source_name = ` +
        `${literal(sourceName)} AND destination_name = ${literal(destinationName)}`,
    );
    return new Map(t.toArray().map((r) => [String(r.stream_name), String(r.last_raw_id)]));
  }

  /** Record that a destination confirmed a stream up to `lastRawId` (and optionally a state), atomically. */
  async markDelivered(
    sourceName: string,
    destinationName: string,
    marks: Map<string, string>,
    states: AirbyteStateMessage[],
  ): Promise<void> {
    await this.exclusive(async (engine) => {
      await engine.exec("BEGIN TRANSACTION");
      try {
        for (const [stream, rawId] of marks) {
          await engine.exec(
            `INSERT OR REPLACE INTO ${qualified(this.schemaName, DELIVERY_TABLE)} VALUES (${
              literal(sourceName)
            }, ` +
              `${literal(destinationName)}, ${literal(stream)}, ${literal(rawId)}, now())`,
          );
        }
        for (const state of states) {
          await engine.exec(this.stateUpsertSql(sourceName, state, destinationName));
        }
        await engine.exec("COMMIT");
      } catch (error) {
        await engine.exec("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  /** A stream's cached records. With two sources sharing a stream name, pass `sourceName`. */
  get(stream: string, options: { sourceName?: string } = {}): CachedDataset {
    return new CachedDataset(this, stream, options.sourceName);
  }

  /** The table of a stream (of a given source, or of the only source that has it). */
  async tableFor(stream: string, sourceName?: string): Promise<string> {
    const all = await this.listStreamTables();
    const matches = all.filter((r) => r.stream === stream && (!sourceName || r.sourceName === sourceName));
    if (matches.length === 1) return matches[0].table;
    if (matches.length === 0) {
      throw new StreamNotFoundError(stream, [...new Set(all.map((r) => r.stream))], {
        guidance: "Read the stream into this cache first, or check the cache path.",
      });
    }
    throw new CacheError(
      `Cannot tell which source's '${stream}' you mean: ${
        matches.map((m) => `'${m.sourceName}'`).join(", ")
      } ` +
        `all cached one.`,
      { guidance: "Pass `{ sourceName }` to `cache.get()`." },
    );
  }

  /**
   * Find or assign the table for a source's stream. Two sources with the same stream name get
   * different tables: the second one's table name is prefixed with its source name.
   */
  claimTable(
    sourceName: string,
    stream: string,
    jsonSchema: unknown,
    keys: { primaryKey?: string[][]; cursor?: string[] } = {},
  ): Promise<string> {
    return this.exclusive(async (engine) => {
      const reg = qualified(this.schemaName, STREAMS_TABLE);
      const rows = (await engine.query(`SELECT source_name, stream_name, table_name FROM ${reg}`)).toArray();
      const mine = rows.find((r) => r.source_name === sourceName && r.stream_name === stream);
      let table = mine ? String(mine.table_name) : `${this.tablePrefix}${normalizeName(stream)}`;
      if (!mine && rows.some((r) => r.table_name === table)) {
        table = `${this.tablePrefix}${normalizeName(sourceName)}__${normalizeName(stream)}`;
      }
      await engine.exec(
        `INSERT OR REPLACE INTO ${reg} VALUES (${literal(sourceName)}, ${literal(stream)}, ${
          literal(table)
        }, ` +
          `${literal(JSON.stringify(jsonSchema ?? {}))}, ${
            literal(JSON.stringify(keys.primaryKey ?? []))
          }, ` +
          `${literal(JSON.stringify(keys.cursor ?? []))}, now())`,
      );
      return table;
    });
  }

  /** The source state stored for `sourceName`. */
  async getStateProvider(sourceName: string): Promise<StateProvider> {
    const t = await this.sql(
      `SELECT state_json FROM ${qualified(this.schemaName, STATE_TABLE)} ` +
        `WHERE source_name = ${literal(sourceName)} ORDER BY state_key`,
    );
    return new StaticInputState(t.toArray().map((r) => JSON.parse(String(r.state_json))));
  }

  /**
   * The destination state stored for a source → destination pair: the states that destination
   * confirmed (echoed back).
   */
  async getDestinationStateProvider(sourceName: string, destinationName: string): Promise<StateProvider> {
    const t = await this.sql(
      `SELECT state_json FROM ${qualified(this.schemaName, DESTINATION_STATE_TABLE)} ` +
        `WHERE source_name = ${literal(sourceName)} AND destination_name = ${
          literal(destinationName)
        } ORDER BY state_key`,
    );
    return new StaticInputState(t.toArray().map((r) => JSON.parse(String(r.state_json))));
  }

  /**
   * A state writer that stores states in this cache: source state, or with `destinationName`,
   * the destination's confirmed state.
   */
  getStateWriter(sourceName: string, destinationName?: string): CacheStateWriter {
    return new CacheStateWriter(this, sourceName, destinationName);
  }

  /** SQL that upserts one state message (used inside the data transaction by reads). */
  stateUpsertSql(sourceName: string, message: AirbyteStateMessage, destinationName?: string): string {
    const key = literal(stateKey(message));
    const json = literal(JSON.stringify(message));
    const type = literal(message.type ?? "LEGACY");
    if (destinationName === undefined) {
      return `INSERT OR REPLACE INTO ${qualified(this.schemaName, STATE_TABLE)} VALUES ` +
        `(${literal(sourceName)}, ${key}, ${type}, ${json}, now())`;
    }
    return `INSERT OR REPLACE INTO ${qualified(this.schemaName, DESTINATION_STATE_TABLE)} VALUES ` +
      `(${literal(sourceName)}, ${literal(destinationName)}, ${key}, ${type}, ${json}, now())`;
  }

  /** Delete stored source state for the given streams (all when omitted). */
  async clearState(sourceName: string, streams?: string[]): Promise<void> {
    const provider = await this.getStateProvider(sourceName);
    const doomed = provider.stateMessages.filter((m) =>
      !streams || m.type !== "STREAM" || streamsOfState(m).some((s) => streams.includes(s))
    );
    await this.exclusive(async (engine) => {
      for (const m of doomed) {
        await engine.exec(
          `DELETE FROM ${qualified(this.schemaName, STATE_TABLE)} WHERE source_name = ${
            literal(sourceName)
          } ` +
            `AND state_key = ${literal(stateKey(m))}`,
        );
      }
    });
  }

  /** True once `close()` has been called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Checkpoint and close the database. Further calls fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const pending = this.#engine;
    await this.#queue;
    this.#closed = true;
    if (pending) await (await pending.catch(() => undefined))?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * A state writer backed by a cache's state tables.
 *
 * @example
 * ```ts ignore
 * const writer = cache.getStateWriter("source-faker", "destination-jsonl");
 * await writer.writeState(stateMessage);
 * ```
 */
export class CacheStateWriter extends StateWriterBase {
  readonly #cache: DuckDBCache;
  readonly #source: string;
  readonly #destination?: string;

  constructor(cache: DuckDBCache, sourceName: string, destinationName?: string) {
    super();
    this.#cache = cache;
    this.#source = sourceName;
    this.#destination = destinationName;
  }

  protected async _writeState(message: AirbyteStateMessage): Promise<void> {
    const sql = this.#cache.stateUpsertSql(this.#source, message, this.#destination);
    await this.#cache.exclusive((e) => e.exec(sql));
  }
}

/** Will opening `path` create the database? Unknown (OPFS, a browser) counts as no. */
async function createsDatabase(path: string): Promise<boolean> {
  if (path === ":memory:") return true;
  if (path.startsWith("opfs://")) return false;
  try {
    return !(await (await getRuntime()).exists(path));
  } catch {
    return false;
  }
}
