/**
 * Load DuckDB-WASM in-process in Deno or Node (the blocking bundle) with a durable file runtime.
 *
 * A file database needs three things the stock setup lacks (wasm/README.md has the traces):
 *
 * - `useDirectIO: true` for the database file and a direct-IO registration for its WAL. The
 *   module's buffered write path puts writes at the handle's running position instead of the
 *   requested offset (a checkpoint's header lands at the end of the file, not at 4096/8192);
 *   the direct path writes where DuckDB asks.
 * - Our runtime (wasm/node_file_runtime.ts), which replays the WAL, appends where DuckDB appends
 *   and fsyncs.
 * - WAL clean-up: DuckDB deletes its WAL after a checkpoint through a call that never reaches
 *   JS; the runtime empties a WAL once a checkpoint has covered it, and the engine checkpoints a
 *   WAL left by a crash right after opening.
 *
 * Durability: after `exec`/`insertArrowIPC`/`query` returns, whatever it committed is in the WAL
 * (or the database file) and fdatasynced.
 *
 * @module
 */
import type * as arrow from "npm:apache-arrow@17.0.0";
import * as duckdb from "npm:@duckdb/duckdb-wasm@1.32.0/dist/duckdb-node-blocking.cjs";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as nodePath from "node:path";
import {
  type ArrowInsertTarget,
  type DuckDBConnection,
  type DuckDBEngine,
  ENGINE_SETUP_SQL,
} from "./duckdb_engine.ts";
import { transactionOpenAfter } from "./_transaction_state.ts";
import { createJsonFunctions, explainJsonError, JSON_MACROS_SQL, type UdfModule } from "./json_functions.ts";
import {
  markWalRedundant,
  NODE_FILE_RUNTIME,
  releaseFiles,
  syncWrittenFiles,
  type WasmModule,
} from "./node_file_runtime.ts";

/** How commits reach the disk. */
export type Durability =
  /** Commits go to the WAL (fdatasynced); DuckDB checkpoints when the WAL passes 16 MiB. */
  | "wal"
  /** Every commit is checkpointed into the database file at once; the WAL stays empty. */
  | "checkpoint";

/** Options for {@linkcode openNodeEngine}. */
export interface NodeEngineOptions {
  /** How commits reach the disk. @default "wal" */
  durability?: Durability;
}

type Bindings = Awaited<ReturnType<typeof duckdb.createDuckDB>>;

/**
 * The directory holding the `.wasm` files of @duckdb/duckdb-wasm. Deno resolves the pinned `npm:`
 * name to a file in its npm cache, also for a module loaded over https (JSR, a raw URL), where
 * `createRequire` cannot start; Node (and the npm build) finds the package from this file.
 */
function distDirectory(): string {
  const entry = "@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs";
  if (!import.meta.url.startsWith("file:")) {
    const resolved = import.meta.resolve("npm:@duckdb/duckdb-wasm@1.32.0/dist/duckdb-node-blocking.cjs");
    if (resolved.startsWith("file:")) return nodePath.dirname(fileURLToPath(resolved));
  }
  return nodePath.dirname(createRequire(import.meta.url).resolve(entry));
}

/** Milliseconds the last `openNodeEngine` spent instantiating the wasm module (for benchmarks). */
export let lastInstantiateMs = 0;

/** DuckDB's JSON functions (wasm/json_functions.ts), shared by every engine of this thread. */
const JSON_FUNCTIONS = createJsonFunctions();

async function instantiate(): Promise<Bindings> {
  const dist = distDirectory();
  const bundles = {
    mvp: { mainModule: nodePath.join(dist, "duckdb-mvp.wasm"), mainWorker: "" },
    eh: { mainModule: nodePath.join(dist, "duckdb-eh.wasm"), mainWorker: "" },
  };
  const started = performance.now();
  const runtime = {
    ...NODE_FILE_RUNTIME,
    callScalarUDF: JSON_FUNCTIONS.callScalarUDF,
  } as unknown as duckdb.DuckDBRuntime;
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), runtime);
  await db.instantiate();
  lastInstantiateMs = performance.now() - started;
  return db;
}

/** A connection of the in-process engine, which can also hand out raw IPC bytes. */
export interface NodeDuckDBConnection extends DuckDBConnection {
  /** Run SQL; the result as Arrow IPC stream bytes. */
  queryIPC(sql: string): Promise<Uint8Array>;
}

/** The in-process engine: a {@linkcode DuckDBEngine} whose connections hand out raw IPC bytes. */
export interface NodeDuckDBEngine extends DuckDBEngine, NodeDuckDBConnection {
  connect(): Promise<NodeDuckDBConnection>;
}

/** One connection; every call is made durable (fdatasync) before it returns. */
class NodeConnection implements NodeDuckDBConnection {
  protected closed = false;
  #inTransaction = false;
  protected readonly mod: WasmModule;

  constructor(
    protected readonly db: Bindings,
    protected readonly conn: number,
    /** The database file, or null in memory. */
    protected readonly path: string | null,
    private readonly isOpen: () => boolean,
  ) {
    this.mod = db.mod as unknown as WasmModule;
  }

  /** Is an explicit transaction open on this connection? */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  async query(sql: string): Promise<arrow.Table> {
    const bytes = await this.queryIPC(sql);
    // Loaded on first use: the worker only passes IPC bytes on and never needs it.
    const { tableFromIPC } = await import("npm:apache-arrow@17.0.0");
    return tableFromIPC(bytes);
  }

  /** Run SQL; the result as Arrow IPC stream bytes, as DuckDB wrote them. */
  queryIPC(sql: string): Promise<Uint8Array> {
    return Promise.resolve().then(() => this.run(() => this.db.runQuery(this.conn, sql)));
  }

  exec(sql: string): Promise<void> {
    return Promise.resolve().then(() => {
      try {
        this.run(() => this.db.runQuery(this.conn, sql));
      } finally {
        this.#inTransaction = transactionOpenAfter(sql, this.#inTransaction);
      }
    });
  }

  insertArrowIPC(ipc: Uint8Array, target: ArrowInsertTarget): Promise<void> {
    return Promise.resolve().then(() => {
      this.run(() =>
        this.db.insertArrowFromIPCStream(this.conn, ipc, {
          name: target.table,
          schema: target.schema,
          create: target.create,
        })
      );
    });
  }

  close(): Promise<void> {
    return Promise.resolve().then(() => this.disconnect());
  }

  /** Roll back an open transaction and release the connection. */
  disconnect(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.isOpen()) return;
    if (this.#inTransaction) this.tryQuery("ROLLBACK");
    this.db.disconnect(this.conn);
  }

  /** Run one call on the connection, then make what it committed durable. */
  protected run<T>(call: () => T): T {
    if (this.closed || !this.isOpen()) throw new Error("Cannot use the DuckDB engine: it is closed");
    let result: T;
    try {
      result = call();
    } catch (error) {
      // A failed call may still have committed earlier statements of the same SQL text.
      if (this.path) {
        try {
          syncWrittenFiles(this.mod);
        } catch {
          // The statement's own error is the one to report.
        }
      }
      // "Try INSTALL json" cannot work offline: say what can.
      if (error instanceof Error) error.message = explainJsonError(error.message);
      throw error;
    }
    if (this.path) syncWrittenFiles(this.mod);
    return result;
  }

  protected tryQuery(sql: string): boolean {
    try {
      this.db.runQuery(this.conn, sql);
      return true;
    } catch {
      return false;
    }
  }
}

class NodeEngine extends NodeConnection implements NodeDuckDBEngine {
  #open = true;
  #others = new Set<NodeConnection>();

  constructor(db: Bindings, conn: number, path: string | null) {
    super(db, conn, path, () => this.#open);
  }

  connect(): Promise<NodeDuckDBConnection> {
    return Promise.resolve().then(() => {
      if (!this.#open) throw new Error("Cannot use the DuckDB engine: it is closed");
      const id = this.db.connect().useUnsafe((_bindings, id) => id);
      this.db.runQuery(id, JSON_MACROS_SQL); // json_keys is a macro of each connection
      const connection = new NodeConnection(this.db, id, this.path, () => this.#open);
      this.#others.add(connection);
      return connection;
    });
  }

  override close(): Promise<void> {
    return Promise.resolve().then(() => {
      if (!this.#open) return;
      try {
        // Work left in open transactions is discarded, as when a native database closes.
        for (const other of this.#others) other.disconnect();
        this.#others.clear();
        if (this.path) {
          if (this.inTransaction) this.tryQuery("ROLLBACK");
          this.db.runQuery(this.conn, "CHECKPOINT");
          syncWrittenFiles(this.mod);
        }
      } finally {
        this.closed = true;
        this.#open = false;
        this.db.disconnect(this.conn);
        this.db.reset();
        if (this.path) releaseFiles(this.mod, this.path);
      }
    });
  }

  /**
   * Bring a WAL left by a crash into the database file. Opening replayed what the database file
   * lacks (or skipped a WAL a checkpoint had already covered); after a CHECKPOINT the file holds
   * it all, so the WAL can start empty again.
   */
  recoverWal(): void {
    if (!this.path || !fs.existsSync(this.path + ".wal")) return;
    this.db.runQuery(this.conn, "CHECKPOINT");
    syncWrittenFiles(this.mod);
    markWalRedundant(this.mod, this.path);
  }
}

/**
 * Open DuckDB-WASM in this process (Deno or Node) on a database file or `":memory:"`.
 *
 * @param path A file path (created when missing) or `":memory:"`.
 * @param options Durability mode.
 * @returns The engine; close it to checkpoint and release the file.
 *
 * @example A file database survives a reopen
 * ```ts
 * import { openNodeEngine } from "./load_node.ts";
 * const dir = Deno.makeTempDirSync();
 * const first = await openNodeEngine(`${dir}/x.duckdb`);
 * await first.exec("CREATE TABLE t AS SELECT 7 AS v");
 * await first.close();
 * const second = await openNodeEngine(`${dir}/x.duckdb`);
 * const v = (await second.query("SELECT v FROM t")).getChild("v")?.get(0);
 * await second.close();
 * Deno.removeSync(dir, { recursive: true });
 * if (v !== 7) throw new Error("row lost");
 * ```
 */
export async function openNodeEngine(
  path: string,
  options: NodeEngineOptions = {},
): Promise<NodeDuckDBEngine> {
  const file = path === ":memory:" ? null : nodePath.resolve(path);
  if (file && !fs.existsSync(file)) {
    // A WAL without its database is a leftover; DuckDB would delete it, but that call never
    // reaches JS, and replaying it into a fresh database would be wrong.
    fs.rmSync(file + ".wal", { force: true });
  }
  const db = await instantiate();
  if (file) {
    const wal = file + ".wal";
    db.registerFileURL(wal, wal, duckdb.DuckDBDataProtocol.NODE_FS, true);
    db.open({ path: file, accessMode: duckdb.DuckDBAccessMode.READ_WRITE, useDirectIO: true });
  } else {
    db.open({ path: ":memory:" });
  }
  const conn = db.connect().useUnsafe((_bindings, id) => id);
  const engine = new NodeEngine(db, conn, file);
  try {
    db.runQuery(conn, ENGINE_SETUP_SQL);
    JSON_FUNCTIONS.register(db.mod as unknown as UdfModule, conn);
    db.runQuery(conn, JSON_MACROS_SQL);
    if (file) {
      const threshold = options.durability === "checkpoint" ? "0KB" : "16MB";
      db.runQuery(conn, `SET checkpoint_threshold='${threshold}'`);
      engine.recoverWal();
    }
  } catch (error) {
    await engine.close().catch(() => {});
    throw error;
  }
  return engine;
}
