/**
 * Opening a DuckDB-WASM engine for a path, with one engine per path per process: two caches on
 * the same file must share one database, or they would overwrite each other's writes.
 *
 * @module
 */
import type { DuckDBEngine } from "../../wasm/duckdb_engine.ts";
import { detectRuntimeKey } from "../runtime/detect.ts";

interface Shared {
  engine: Promise<DuckDBEngine>;
  refs: number;
}

const open = new Map<string, Shared>();

/** Options for {@linkcode openEngine}. */
export interface OpenEngineOptions {
  /**
   * Browsers only: the URL of a directory serving the files of `@duckdb/duckdb-wasm/dist/` (worker
   * scripts and `.wasm`). @default `./duckdb/` next to the page
   */
  assetsBaseUrl?: string | URL;
}

/** Open the raw engine for this runtime: in-process in Deno/Node, a worker in browsers. */
async function openRaw(path: string, options: OpenEngineOptions): Promise<DuckDBEngine> {
  if (detectRuntimeKey() === "browser") {
    const { browserBundlesAt, openBrowserEngine } = await import("../../wasm/load_browser.ts");
    return openBrowserEngine(
      path,
      options.assetsBaseUrl ? browserBundlesAt(options.assetsBaseUrl) : undefined,
    );
  }
  // A worker thread: inserts run on the other core while this one parses the next batch.
  const { openWorkerEngine } = await import("../../wasm/load_worker.ts");
  return openWorkerEngine(path);
}

/**
 * Open (or share) the engine for `path`. `":memory:"` is never shared. Closing the returned
 * engine releases this reference; the database closes with the last one.
 *
 * @example
 * ```ts ignore
 * const engine = await openEngine(":memory:");
 * await engine.close();
 * ```
 */
export async function openEngine(path: string, options: OpenEngineOptions = {}): Promise<DuckDBEngine> {
  if (path === ":memory:") return openRaw(path, options);
  let shared = open.get(path);
  if (!shared) {
    shared = { engine: openRaw(path, options), refs: 0 };
    open.set(path, shared);
    shared.engine.catch(() => open.delete(path));
  }
  shared.refs++;
  const engine = await shared.engine;
  let released = false;
  const entry = shared;
  return {
    query: (sql) => engine.query(sql),
    exec: (sql) => engine.exec(sql),
    insertArrowIPC: (ipc, target) => engine.insertArrowIPC(ipc, target),
    close: async () => {
      if (released) return;
      released = true;
      if (--entry.refs === 0) {
        open.delete(path);
        await engine.close();
      }
    },
  };
}
