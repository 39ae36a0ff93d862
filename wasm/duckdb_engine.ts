/**
 * The runtime-neutral face of DuckDB-WASM that the cache uses. Deno and Node get one from
 * `openNodeEngine` (wasm/load_node.ts, in-process, with a durable file runtime); browsers get one
 * from `openBrowserEngine` (wasm/load_browser.ts, in a Worker). This file imports no runtime
 * module.
 *
 * @module
 */
import type * as arrow from "npm:apache-arrow@17.0.0";

/** Where `insertArrowIPC` puts rows. */
export interface ArrowInsertTarget {
  /** Schema of the table. @default "main" */
  schema?: string;
  /** Table name (unquoted). */
  table: string;
  /** Create the table from the Arrow schema first; when false the table must exist. */
  create: boolean;
}

/**
 * One connection to a DuckDB database. Calls run one at a time, in order; an explicit
 * transaction (`BEGIN` ... `COMMIT` through `exec`) spans calls and is this connection's own.
 *
 * @example A second connection has its own transaction
 * ```ts
 * import { openNodeEngine } from "./load_node.ts";
 * const engine = await openNodeEngine(":memory:");
 * await engine.exec("CREATE TABLE t (i INTEGER)");
 * const other = await engine.connect();
 * await other.exec("BEGIN TRANSACTION; INSERT INTO t VALUES (1)");
 * const seen = (await engine.query("SELECT count(*)::INTEGER AS n FROM t")).getChild("n")?.get(0);
 * await other.exec("COMMIT");
 * await engine.close();
 * if (seen !== 0) throw new Error("saw an uncommitted row");
 * ```
 */
export interface DuckDBConnection {
  /** Run SQL, return the result as an apache-arrow Table (arrow 17). */
  query(sql: string): Promise<arrow.Table>;
  /** Run SQL statements, discard results. */
  exec(sql: string): Promise<void>;
  /**
   * Insert Arrow IPC *stream* bytes into schema.table (create: true creates the table from the
   * Arrow schema). Usable inside an explicit BEGIN/COMMIT transaction run through exec().
   */
  insertArrowIPC(ipc: Uint8Array, target: ArrowInsertTarget): Promise<void>;
  /** Release the connection (an open transaction is rolled back). */
  close(): Promise<void>;
}

/**
 * One open DuckDB database and its first connection. More connections (`connect()`) let
 * writers run transactions side by side.
 *
 * @example Query an in-memory engine
 * ```ts
 * import { openNodeEngine } from "./load_node.ts";
 * const engine = await openNodeEngine(":memory:");
 * const table = await engine.query("SELECT 42 AS answer");
 * if (table.getChild("answer")?.get(0) !== 42) throw new Error("unexpected result");
 * await engine.close();
 * ```
 */
export interface DuckDBEngine extends DuckDBConnection {
  /** Open another connection to the same database. */
  connect(): Promise<DuckDBConnection>;
  /** CHECKPOINT and release the file; after close a new process sees every committed transaction. */
  close(): Promise<void>;
}

/** Opens an engine on a file path or `":memory:"` (browsers also take `"opfs://..."`). */
export type OpenEngine = (path: string) => Promise<DuckDBEngine>;

/**
 * Settings applied right after opening: extensions are fetched from the network on first use,
 * which hangs offline, so nothing may load or install one behind our back.
 *
 * @example The statements are plain SQL
 * ```ts
 * import { ENGINE_SETUP_SQL } from "./duckdb_engine.ts";
 * if (!ENGINE_SETUP_SQL.includes("autoload_known_extensions=false")) throw new Error();
 * ```
 */
export const ENGINE_SETUP_SQL =
  "SET autoinstall_known_extensions=false; SET autoload_known_extensions=false; " +
  // Even with autoloading off, a TIMESTAMPTZ function such as year() makes duckdb-wasm 1.32 fetch
  // the icu extension, which hangs offline. With external access off it fails at once instead.
  "SET enable_external_access=false;";
