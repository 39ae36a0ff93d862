/**
 * `--cache`: which cache a command writes to. A value is matched against {@linkcode CACHE_KINDS}
 * in order; the last kind (a DuckDB file path) takes anything.
 *
 * To add a kind of cache, add one entry before the DuckDB one.
 *
 * @module
 */
import { type Cache, DuckDBCache, getDefaultCache, PostgresCache } from "../../../mod.ts";

/**
 * A cache a command can write to.
 *
 * @example
 * ```ts
 * import type { CliCache } from "./cache_option.ts";
 * import { DuckDBCache } from "../../../mod.ts";
 * const cache: CliCache = new DuckDBCache({ path: ":memory:" });
 * await cache.close();
 * ```
 */
export type CliCache = Cache;

/**
 * One kind of `--cache` value.
 *
 * @example A kind for in-memory caches
 * ```ts
 * import type { CacheKind } from "./cache_option.ts";
 * import { DuckDBCache } from "../../../mod.ts";
 * const memory: CacheKind = {
 *   name: "in-memory DuckDB",
 *   matches: (value) => value === ":memory:",
 *   open: () => new DuckDBCache({ path: ":memory:" }),
 * };
 * if (!memory.matches(":memory:")) throw new Error();
 * ```
 */
export interface CacheKind {
  /** What the help calls it. */
  name: string;
  /** Does this `--cache` value name a cache of this kind? */
  matches(value: string): boolean;
  /** Open (lazily) the cache the value names. */
  open(value: string): CliCache;
}

/** The kinds of `--cache` values, tried in order. */
export const CACHE_KINDS: CacheKind[] = [
  {
    // The password in the URL is masked wherever the cache is named (`cache.location`).
    name: "PostgreSQL URL",
    matches: (value) => /^postgres(ql)?:\/\//i.test(value),
    open: (url) => new PostgresCache({ url }),
  },
  {
    name: "DuckDB file",
    matches: () => true,
    open: (path) => new DuckDBCache({ path }),
  },
];

/** The `--cache` help text. */
export const CACHE_HELP = "the cache to write to: a DuckDB file path, or a PostgreSQL URL " +
  "(postgres://user:password@host:5432/db?schema=name; schema airbyte_raw when none) " +
  "(default: the default cache file)";

/**
 * The cache a `--cache` value names, or the default cache without one.
 *
 * @example
 * ```ts
 * import { openCache } from "./cache_option.ts";
 * const cache = openCache(":memory:");
 * await cache.close();
 * ```
 */
export function openCache(value: string | undefined): CliCache {
  if (value === undefined) return getDefaultCache();
  return CACHE_KINDS.find((kind) => kind.matches(value))!.open(value);
}
