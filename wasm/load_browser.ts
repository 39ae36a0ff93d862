/**
 * Load DuckDB-WASM in a browser: `AsyncDuckDB` running in a Worker, on `":memory:"` or an OPFS
 * file (`"opfs://name.duckdb"`), following the duckdb-wasm documentation (select a bundle, start
 * its worker, instantiate, open).
 *
 * A page has no `kill -9` but it has closed tabs, so for OPFS files every write call is followed
 * by a `CHECKPOINT` on a second connection, unless an explicit transaction is open (then the
 * COMMIT's call checkpoints).
 *
 * @module
 */
import * as duckdb from "npm:@duckdb/duckdb-wasm@1.32.0";
import type * as arrow from "npm:apache-arrow@17.0.0";
import {
  type ArrowInsertTarget,
  type DuckDBConnection,
  type DuckDBEngine,
  ENGINE_SETUP_SQL,
} from "./duckdb_engine.ts";
import { transactionOpenAfter } from "./_transaction_state.ts";
import {
  createJsonFunctions,
  explainJsonError,
  installJsonFunctionsInWorker,
  JSON_MACROS_SQL,
} from "./json_functions.ts";

/** Where the worker scripts and `.wasm` files are served from (`mvp` and `eh` builds). */
export type BrowserBundles = duckdb.DuckDBBundles;

/**
 * The bundles served next to a page, from a directory holding the files of
 * `@duckdb/duckdb-wasm/dist/` (the worker scripts and `.wasm` files are self-contained).
 *
 * @param base URL of that directory, ending with `/`.
 * @returns Bundles for {@linkcode openBrowserEngine}.
 *
 * @example
 * ```ts
 * import { browserBundlesAt } from "./load_browser.ts";
 * const bundles = browserBundlesAt("https://example.test/duckdb/");
 * if (!bundles.eh?.mainModule.endsWith("/duckdb/duckdb-eh.wasm")) throw new Error();
 * ```
 */
export function browserBundlesAt(base: string | URL): BrowserBundles {
  const at = (file: string) => new URL(file, base).href;
  return {
    mvp: { mainModule: at("duckdb-mvp.wasm"), mainWorker: at("duckdb-browser-mvp.worker.js") },
    eh: { mainModule: at("duckdb-eh.wasm"), mainWorker: at("duckdb-browser-eh.worker.js") },
  };
}

/**
 * DuckDB-WASM's classic Worker script, started through a same-origin blob that loads it and then
 * installs DuckDB's JSON functions in the Worker (wasm/json_functions.ts: the two functions are
 * shipped as their source text). A page whose Content-Security-Policy forbids `blob:` workers
 * needs `worker-src blob:`.
 */
function startWorker(scriptUrl: string): { worker: Worker; revoke: () => void } {
  const script = `importScripts(${JSON.stringify(new URL(scriptUrl, location.href).href)});\n` +
    `(${installJsonFunctionsInWorker})(${createJsonFunctions}, ${JSON.stringify(ENGINE_SETUP_SQL)});\n`;
  const blobUrl = URL.createObjectURL(new Blob([script], { type: "text/javascript" }));
  return { worker: new Worker(blobUrl), revoke: () => URL.revokeObjectURL(blobUrl) };
}

/**
 * The part of the File System API used here. Declared, not taken from the DOM lib, so that the
 * module type-checks with Deno's default lib too (a project importing mod.ts sets no `lib`).
 */
interface OpfsDirectory {
  getDirectoryHandle(name: string, options: { create: boolean }): Promise<OpfsDirectory>;
  getFileHandle(name: string, options: { create: boolean }): Promise<unknown>;
}
interface OpfsNavigator {
  storage: { getDirectory(): Promise<OpfsDirectory> };
}

/**
 * Hand the worker the database's WAL before opening. duckdb-wasm 1.32.0 prepares OPFS files for
 * the worker only when they are non-empty, and a commit into an empty WAL it did not prepare
 * fails with "File is not opened in write mode" (seen in Chromium once the database file exists
 * and the WAL is empty, e.g. after a session that only read).
 */
async function registerOpfsWal(db: duckdb.AsyncDuckDB, path: string): Promise<void> {
  const parts = path.slice("opfs://".length).split("/").filter((p) => p !== "");
  const name = `${parts.pop()}.wal`;
  let directory = await (navigator as unknown as OpfsNavigator).storage.getDirectory();
  for (const part of parts) directory = await directory.getDirectoryHandle(part, { create: true });
  const handle = await directory.getFileHandle(name, { create: true });
  await db.registerFileHandle(`${path}.wal`, handle, duckdb.DuckDBDataProtocol.BROWSER_FSACCESS, true);
}

/** One connection; on OPFS files, each write call ends with a checkpoint (see the module doc). */
class BrowserConnection implements DuckDBConnection {
  protected closed = false;
  inTransaction = false;

  constructor(
    protected readonly conn: duckdb.AsyncDuckDBConnection,
    /** Checkpoints when no connection holds a transaction (OPFS files only). */
    protected readonly checkpoint: () => Promise<void>,
    protected readonly isOpen: () => boolean,
  ) {}

  query(sql: string): Promise<arrow.Table> {
    return this.run(() => this.conn.query(sql));
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.run(() => this.conn.query(sql));
    } finally {
      this.inTransaction = transactionOpenAfter(sql, this.inTransaction);
    }
    await this.checkpoint();
  }

  async insertArrowIPC(ipc: Uint8Array, target: ArrowInsertTarget): Promise<void> {
    await this.run(() =>
      this.conn.insertArrowFromIPCStream(ipc, {
        name: target.table,
        schema: target.schema,
        create: target.create,
      })
    );
    await this.checkpoint();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.isOpen()) return;
    if (this.inTransaction) await this.conn.query("ROLLBACK").catch(() => {});
    await this.conn.close();
  }

  protected run<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed || !this.isOpen()) {
      return Promise.reject(new Error("Cannot use the DuckDB engine: it is closed"));
    }
    return call().catch((error) => {
      // "Try INSTALL json" cannot work offline: say what can.
      if (error instanceof Error) error.message = explainJsonError(error.message);
      throw error;
    });
  }
}

class BrowserEngine extends BrowserConnection implements DuckDBEngine {
  #open = true;
  #others = new Set<BrowserConnection>();

  constructor(
    private readonly db: duckdb.AsyncDuckDB,
    conn: duckdb.AsyncDuckDBConnection,
    /** Second connection for checkpoints, on OPFS files only. */
    private readonly maintenance: duckdb.AsyncDuckDBConnection | null,
    private readonly worker: Worker,
  ) {
    super(conn, () => this.#checkpoint(), () => this.#open);
  }

  async connect(): Promise<DuckDBConnection> {
    if (!this.#open) throw new Error("Cannot use the DuckDB engine: it is closed");
    const conn = await this.db.connect();
    await conn.query(JSON_MACROS_SQL); // json_keys is a macro of each connection
    const connection = new BrowserConnection(conn, () => this.#checkpoint(), () => this.#open);
    this.#others.add(connection);
    return connection;
  }

  override async close(): Promise<void> {
    if (!this.#open) return;
    try {
      for (const other of this.#others) await other.close().catch(() => {});
      if (this.inTransaction) await this.conn.query("ROLLBACK").catch(() => {});
      if (this.maintenance) {
        await this.maintenance.query("CHECKPOINT");
        await this.maintenance.close();
      }
      await this.conn.close();
    } finally {
      this.closed = true;
      this.#open = false;
      await this.db.terminate();
      this.worker.terminate();
    }
  }

  /** Checkpoint when no explicit transaction is open (DuckDB would refuse; that is harmless too). */
  async #checkpoint(): Promise<void> {
    if (!this.maintenance || this.inTransaction) return;
    for (const other of this.#others) if (other.inTransaction) return;
    await this.maintenance.query("CHECKPOINT").catch(() => {});
  }
}

/**
 * A database to open read-only in the page: a URL (read with HTTP range requests, so only the
 * blocks a query touches are fetched; its WAL is fetched from the same URL plus `.wal`) or a
 * `File`/`Blob` the user picked or dropped (read by the browser, no server involved), with its
 * WAL file if the user gave one. A WAL is replayed in memory.
 */
export type ReadOnlyDatabase =
  | { url: string | URL }
  | { file: Blob; wal?: Blob };

/**
 * Open a DuckDB database file read-only in a Worker, from a URL or a local file.
 *
 * DuckDB asks for the WAL (`<url>.wal`) at open: a URL that answers 404 counts as no WAL. A WAL
 * left by a writer that did not close cleanly is replayed in memory (nothing is written back).
 *
 * @param database Where the bytes come from (see {@linkcode ReadOnlyDatabase}).
 * @param bundles Where the worker scripts and `.wasm` files are served; by default `./duckdb/`
 *   next to the page.
 * @returns An engine whose `query` runs SQL on the database; writes fail. Close it to stop the worker.
 *
 * @example
 * ```ts ignore
 * import { browserBundlesAt, openBrowserReadOnly } from "./load_browser.ts";
 * const engine = await openBrowserReadOnly({ url: "/cache.duckdb" }, browserBundlesAt("/duckdb/"));
 * console.log((await engine.query("SELECT count(*) FROM users")).toArray());
 * await engine.close();
 * ```
 */
export function openBrowserReadOnly(
  database: ReadOnlyDatabase,
  bundles?: BrowserBundles,
): Promise<DuckDBEngine> {
  return prepareBrowserReadOnly(bundles).open(database);
}

/** DuckDB-WASM starting in a Worker, ready to open one database read-only (see {@linkcode prepareBrowserReadOnly}). */
export interface ReadOnlyOpener {
  /** Settles once the module is instantiated (rejects if it cannot start). */
  readonly started: Promise<void>;
  /** Open the database, once. */
  open(database: ReadOnlyDatabase): Promise<DuckDBEngine>;
  /** Stop the worker without opening anything. */
  cancel(): Promise<void>;
}

/**
 * Start DuckDB-WASM (its worker, and fetching and compiling its module: the slow part, about a
 * second) before knowing which database to open, so a page can do both at once.
 *
 * @param bundles Where the worker scripts and `.wasm` files are served; by default `./duckdb/`
 *   next to the page.
 * @returns An opener: `open(database)` attaches the database read-only once the module is ready.
 *
 * @example
 * ```ts ignore
 * import { prepareBrowserReadOnly } from "./load_browser.ts";
 * const opener = prepareBrowserReadOnly();
 * const status = await (await fetch("/api/cache")).json(); // meanwhile DuckDB-WASM starts
 * const engine = await opener.open({ url: "/cache.duckdb" });
 * ```
 */
export function prepareBrowserReadOnly(bundles?: BrowserBundles): ReadOnlyOpener {
  let worker: Worker | undefined;
  let revoke = () => {};
  let db: duckdb.AsyncDuckDB | undefined;
  let used = false;
  const stop = async () => {
    revoke();
    await db?.terminate().catch(() => {});
    worker?.terminate();
  };
  const started = (async () => {
    const bundle = await duckdb.selectBundle(
      bundles ?? browserBundlesAt(new URL("./duckdb/", location.href)),
    );
    ({ worker, revoke } = startWorker(bundle.mainWorker!));
    db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
    revoke();
  })();
  started.catch(() => stop());
  return {
    started,
    cancel: stop,
    async open(database) {
      if (used) throw new Error("Cannot open a second database with one ReadOnlyOpener: prepare another");
      used = true;
      try {
        await started;
        return await attachReadOnly(db!, worker!, database);
      } catch (error) {
        await stop();
        throw error;
      }
    },
  };
}

async function attachReadOnly(
  db: duckdb.AsyncDuckDB,
  worker: Worker,
  database: ReadOnlyDatabase,
): Promise<DuckDBEngine> {
  let path: string;
  if ("url" in database) {
    path = new URL(database.url, location.href).href;
  } else {
    path = "preview.duckdb";
    await db.registerFileHandle(path, database.file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
    if (database.wal) {
      await db.registerFileHandle(
        `${path}.wal`,
        database.wal,
        duckdb.DuckDBDataProtocol.BROWSER_FILEREADER,
        true,
      );
    }
  }
  // duckdb-wasm 1.32 downloads http(s) files whole unless told otherwise (forceFullHTTPReads
  // defaults on): range requests only, and a server that cannot answer them is an error. The file
  // is the database itself, opened before the worker's setup turns external access off (after
  // which no file could be attached; reads of the open one go on). Temporary tables still work.
  await db.open({
    path,
    accessMode: duckdb.DuckDBAccessMode.READ_ONLY,
    filesystem: { forceFullHTTPReads: false, allowFullHTTPReads: false, reliableHeadRequests: true },
  });
  const conn = await db.connect();
  await conn.query(ENGINE_SETUP_SQL);
  return new BrowserEngine(db, conn, null, worker);
}

/**
 * Open DuckDB-WASM in a Worker on `":memory:"` or an OPFS path.
 *
 * @param path `":memory:"` or `"opfs://<name>"`.
 * @param bundles Where the worker scripts and `.wasm` files are served; by default the
 *   `duckdb/` directory next to the page (`browserBundlesAt(new URL("./duckdb/", location.href))`).
 * @returns The engine; close it to checkpoint and stop the worker.
 *
 * @example
 * ```ts ignore
 * import { browserBundlesAt, openBrowserEngine } from "./load_browser.ts";
 * const engine = await openBrowserEngine("opfs://cache.duckdb", browserBundlesAt("/duckdb/"));
 * await engine.exec("CREATE TABLE IF NOT EXISTS t(i INT)");
 * await engine.close();
 * ```
 */
export async function openBrowserEngine(path: string, bundles?: BrowserBundles): Promise<DuckDBEngine> {
  const opfs = path.startsWith("opfs://");
  if (!opfs && path !== ":memory:") {
    throw new Error(`Cannot open '${path}' in a browser: use ":memory:" or an "opfs://" path`);
  }
  const bundle = await duckdb.selectBundle(bundles ?? browserBundlesAt(new URL("./duckdb/", location.href)));
  const { worker, revoke } = startWorker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  try {
    await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
    revoke();
    if (opfs) await registerOpfsWal(db, path);
    await db.open(
      opfs ? { path, accessMode: duckdb.DuckDBAccessMode.READ_WRITE } : { path: ":memory:" },
    );
    const conn = await db.connect();
    await conn.query(ENGINE_SETUP_SQL);
    // The Worker registered the JSON functions when the database opened; json_keys is a macro of
    // this connection. A failure here means duckdb-wasm changed under the Worker's installer.
    await conn.query(`${JSON_MACROS_SQL} SELECT json_valid('{}') AS ok`).catch((error) => {
      throw new Error(
        `Cannot install DuckDB's JSON functions in DuckDB-WASM's Worker: ${error?.message ?? error}`,
      );
    });
    const maintenance = opfs ? await db.connect() : null;
    return new BrowserEngine(db, conn, maintenance, worker);
  } catch (error) {
    revoke();
    await db.terminate().catch(() => {});
    worker.terminate();
    throw error;
  }
}
