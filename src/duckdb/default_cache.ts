/**
 * The default cache shared by reads that name none.
 *
 * @module
 */
import { DuckDBCache } from "./duckdb_cache.ts";

let defaultCache: DuckDBCache | undefined;

/**
 * The process-wide default cache: a file under `./.cache/` (or `$AIRBYTE_TS_CACHE_DIR`) in Deno
 * and Node; OPFS where available in a browser, else memory. The same object on every call until
 * it is closed.
 *
 * @example Reads land in the default cache
 * ```ts ignore
 * import { getDefaultCache } from "../../mod.ts";
 * const result = await source.read(); // lands in getDefaultCache()
 * console.log(getDefaultCache().path);
 * ```
 */
export function getDefaultCache(): DuckDBCache {
  if (!defaultCache || defaultCache.isClosed) defaultCache = new DuckDBCache();
  return defaultCache;
}
