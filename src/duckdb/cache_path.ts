/**
 * Where a cache file lives: the default location per runtime, and relative paths made absolute
 * (so two caches naming one file share one engine).
 *
 * @module
 */
import { getRuntime } from "../runtime/detect.ts";

/** The default cache file name inside the cache directory. */
export const DEFAULT_CACHE_FILE = "default_cache.duckdb";

/**
 * Resolve a cache path: `undefined` means the default; `:memory:` and `opfs://` stay as they are;
 * a relative file path becomes absolute and its directory is created.
 *
 * @example
 * ```ts
 * import { resolveCachePath } from "./cache_path.ts";
 * if (await resolveCachePath(":memory:") !== ":memory:") throw new Error();
 * ```
 */
export async function resolveCachePath(path: string | undefined): Promise<string> {
  if (path === ":memory:" || path?.startsWith("opfs://")) return path;
  const rt = await getRuntime();
  if (rt.name === "browser") {
    if (path) return path;
    const storage = (globalThis as { navigator?: { storage?: { getDirectory?: unknown } } }).navigator
      ?.storage;
    return typeof storage?.getDirectory === "function"
      ? "opfs://airbyte_ts_default_cache.duckdb"
      : ":memory:";
  }
  let file = path ??
    rt.joinPath(rt.env("AIRBYTE_TS_CACHE_DIR") ?? rt.joinPath(rt.cwd(), ".cache"), DEFAULT_CACHE_FILE);
  if (!file.startsWith("/")) file = rt.joinPath(rt.cwd(), file);
  const dir = file.slice(0, file.lastIndexOf("/"));
  if (dir) await rt.mkdir(dir);
  return file;
}
