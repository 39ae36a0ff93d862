/**
 * Opening a DuckDB-WASM engine for a path, with one engine per path per process: two caches on
 * the same file must share one database, or they would overwrite each other's writes. Across
 * processes the file is guarded by its lock file (`cache_lock.ts`), taken before the engine opens
 * and released after the last user closes it.
 *
 * @module
 */
import type { DuckDBEngine } from "../../wasm/duckdb_engine.ts";
import { detectRuntimeKey, getRuntime } from "../runtime/detect.ts";
import { acquireCacheLock, type CacheLockOptions } from "./cache_lock.ts";

interface Shared {
  engine: Promise<DuckDBEngine>;
  refs: number;
  release: () => Promise<void>;
}

const open = new Map<string, Shared>();

/** Options for {@linkcode openEngine}. */
export interface OpenEngineOptions {
  /**
   * Browsers only: the URL of a directory serving the files of `@duckdb/duckdb-wasm/dist/` (worker
   * scripts and `.wasm`). @default `./duckdb/` next to the page
   */
  assetsBaseUrl?: string | URL;
  /** How to wait for another process's lock on the file (Deno and Node files only). */
  lock?: CacheLockOptions;
}

/** A reference to a shared engine; `release()` closes it with the last reference. */
export interface EngineHandle {
  engine: DuckDBEngine;
  release(): Promise<void>;
}

/** Open the raw engine for this runtime: a worker thread in Deno/Node, a Web Worker in browsers. */
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

/** Lock a database file against other processes; memory and OPFS need no lock file. */
async function lockFile(path: string, options: OpenEngineOptions): Promise<() => Promise<void>> {
  if (path === ":memory:" || path.startsWith("opfs://") || detectRuntimeKey() === "browser") {
    return () => Promise.resolve();
  }
  return await acquireCacheLock(await getRuntime(), path, options.lock);
}

async function openLocked(path: string, options: OpenEngineOptions, shared: Shared): Promise<DuckDBEngine> {
  const unlock = await lockFile(path, options);
  shared.release = unlock;
  try {
    return await openRaw(path, options);
  } catch (error) {
    await unlock();
    throw error;
  }
}

/**
 * Open (or share) the engine for `path`. `":memory:"` is never shared. Releasing the returned
 * handle drops this reference; the database closes (and its lock goes) with the last one.
 *
 * @param path A database file, `":memory:"` or `"opfs://…"`.
 * @param options Browser asset location; how to wait for another process's lock.
 * @returns A handle on the shared engine.
 *
 * @example
 * ```ts ignore
 * const { engine, release } = await openEngine(":memory:");
 * await engine.query("SELECT 1");
 * await release();
 * ```
 */
export async function openEngine(path: string, options: OpenEngineOptions = {}): Promise<EngineHandle> {
  if (path === ":memory:") {
    const engine = await openRaw(path, options);
    return { engine, release: () => engine.close() };
  }
  let shared = open.get(path);
  if (!shared) {
    const fresh: Shared = { engine: undefined as never, refs: 0, release: () => Promise.resolve() };
    fresh.engine = openLocked(path, options, fresh);
    shared = fresh;
    open.set(path, shared);
    shared.engine.catch(() => open.delete(path));
  }
  shared.refs++;
  let engine: DuckDBEngine;
  try {
    engine = await shared.engine;
  } catch (error) {
    shared.refs--;
    throw error;
  }
  let released = false;
  const entry = shared;
  return {
    engine,
    release: async () => {
      if (released) return;
      released = true;
      if (--entry.refs === 0) {
        open.delete(path);
        try {
          await engine.close();
        } finally {
          await entry.release();
        }
      }
    },
  };
}
