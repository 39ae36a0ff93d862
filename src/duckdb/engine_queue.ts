/**
 * The engine behind one `DuckDBCache`: opened once (lock file, shared engine, internal tables,
 * clean-up of what a dead read left), then used one statement or transaction at a time on the
 * cache's own connection. Write sessions get connections of their own (`connect()`), so their
 * transactions never mix with each other or with the cache's.
 *
 * @module
 */
import type * as arrow from "npm:apache-arrow@17.0.0";
import type { DuckDBConnection } from "../../wasm/duckdb_engine.ts";
import { CacheError, CacheLockedError } from "../errors.ts";
import { getRuntime } from "../runtime/detect.ts";
import { literal, qualified } from "../cache/sql_quote.ts";
import type { CacheLockOptions } from "./cache_lock.ts";
import { resolveCachePath } from "./cache_path.ts";
import {
  createInternalTablesSql,
  leftoverStagesQuery,
  legacyTablesQuery,
  migrateLegacyTablesSql,
} from "./internal_tables.ts";
import { type EngineHandle, openEngine } from "./open_engine.ts";

/** Options for {@linkcode EngineQueue}. */
export interface EngineQueueOptions {
  path?: string;
  schemaName: string;
  assetsBaseUrl?: string | URL;
  lock?: CacheLockOptions;
}

/** DuckDB says this after an error it cannot recover from; the database must be reopened. */
const FATAL = /\bFATAL\b|database has been invalidated/i;

/**
 * Opens a cache's database and serializes the cache's own use of it.
 *
 * @example
 * ```ts ignore
 * const queue = new EngineQueue({ path: ":memory:", schemaName: "main" });
 * const t = await queue.sql("SELECT 42 AS answer");
 * await queue.close();
 * ```
 */
export class EngineQueue {
  #path?: string;
  readonly #options: EngineQueueOptions;
  #opening?: Promise<DuckDBConnection>;
  #handle?: EngineHandle;
  #connection?: DuckDBConnection;
  #closed = false;
  /** An error this cache already reported (close does not report a consequence of it again). */
  #reported?: unknown;
  // One statement or transaction at a time: interleaved awaits must not mix transactions.
  #queue: Promise<unknown> = Promise.resolve();
  /** Settles early in opening: did this cache create its database? */
  #isNew?: Promise<boolean>;
  #opened = false;

  constructor(options: EngineQueueOptions) {
    this.#path = options.path;
    this.#options = options;
  }

  /** The database path (the default cache's path is known once opening began). */
  get path(): string {
    return this.#path ?? "(default cache, not opened yet)";
  }

  /** True once `close()` has been called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Open (once); resolves with the cache's own connection. */
  open(): Promise<DuckDBConnection> {
    if (this.#closed) {
      return Promise.reject(new CacheError(`Cannot use the cache at '${this.path}': it is closed.`));
    }
    if (!this.#opening) {
      const opening = this.#open().catch((e) => {
        this.#opening = undefined;
        throw e instanceof CacheError || e instanceof CacheLockedError ? e : new CacheError(
          `Cannot open the cache at '${this.path}': ${e?.message ?? e}`,
          {
            guidance:
              "Check that the directory exists and is writable, and that the file is a DuckDB database.",
            cause: e,
          },
        );
      });
      this.#opening = opening;
    }
    return this.#opening;
  }

  /**
   * Whether this cache is creating its database (a file that did not exist, or memory) and has
   * not finished opening it. Starts opening; never rejects (an opening failure surfaces through
   * `open()`).
   */
  isNewDatabase(): Promise<boolean> {
    this.open().catch(() => {}); // surfaces through open()
    if (this.#opened) return Promise.resolve(false);
    return this.#isNew ?? Promise.resolve(false);
  }

  async #open(): Promise<DuckDBConnection> {
    let settle!: (isNew: boolean) => void;
    this.#isNew = new Promise((resolve) => settle = resolve);
    try {
      this.#path = await resolveCachePath(this.#path);
      settle(await createsDatabase(this.#path));
    } catch (error) {
      settle(false);
      throw error;
    }
    const handle = await openEngine(this.#path, {
      assetsBaseUrl: this.#options.assetsBaseUrl,
      lock: this.#options.lock,
    });
    try {
      const connection = await handle.engine.connect();
      await prepare(connection, this.#options.schemaName);
      this.#handle = handle;
      this.#connection = connection;
      this.#opened = true;
      return connection;
    } catch (error) {
      await handle.release().catch(() => {});
      throw error;
    }
  }

  /** Run `fn` with the cache's connection, alone: no other cache call runs until it settles. */
  exclusive<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.open()).then(fn).catch((error) => {
      this.#reported ??= error;
      throw error;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Run one SQL query; the result as an Arrow table. */
  sql(query: string): Promise<arrow.Table> {
    return this.exclusive((c) => c.query(query));
  }

  /** A connection of its own (for a write session), on the opened engine. */
  async connect(): Promise<DuckDBConnection> {
    await this.open();
    return this.#handle!.engine.connect();
  }

  /**
   * Close: wait for queued work, release the connection and the engine (the last user of a
   * file checkpoints it and gives up its lock). When closing fails after this cache already
   * reported an error (a full disk, a fatal database error), close does not throw a second time:
   * the caller has that error, and committed work is safe in the write-ahead log.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    try {
      await this.#connection?.close();
      await this.#handle?.release();
    } catch (error) {
      if (this.#reported === undefined && !FATAL.test(String((error as Error)?.message ?? error))) {
        throw new CacheError(
          `Cannot close the cache at '${this.path}' cleanly: ${(error as Error)?.message}`,
          {
            guidance: "Committed reads are safe in the write-ahead log; the next open replays it.",
            cause: error,
          },
        );
      }
    }
  }
}

/** Create the internal tables, move an older layout's tables in, drop dead reads' staging tables. */
async function prepare(connection: DuckDBConnection, schemaName: string): Promise<void> {
  const legacy = (await connection.query(legacyTablesQuery(schemaName))).toArray().map((r) =>
    String(r.table_name)
  );
  const oldStages = legacy.includes("_airbyte_streams")
    ? (await connection.query(
      `SELECT t.table_name FROM information_schema.tables AS t JOIN ${
        qualified(schemaName, "_airbyte_streams")
      } AS r ON t.table_name = '_airbyte_stage__' || r.table_name WHERE t.table_schema = ${
        literal(schemaName)
      } AND t.table_name NOT IN (SELECT table_name FROM ${qualified(schemaName, "_airbyte_streams")})`,
    )).toArray().map((r) => String(r.table_name))
    : [];
  const statements = ["BEGIN TRANSACTION", createInternalTablesSql(schemaName)];
  if (legacy.length) statements.push(migrateLegacyTablesSql(schemaName, legacy, oldStages));
  // One transaction: one sync to disk instead of one per statement.
  await connection.exec([...statements, "COMMIT"].join("; "))
    .catch(async (error) => {
      await connection.exec("ROLLBACK").catch(() => {});
      throw error;
    });
  // Staging tables left by a read that died are uncommitted work: drop them.
  for (const row of (await connection.query(leftoverStagesQuery(schemaName))).toArray()) {
    await connection.exec(`DROP TABLE IF EXISTS ${qualified(schemaName, String(row.table_name))}`);
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
