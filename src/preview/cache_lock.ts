/**
 * The lock file a writer keeps beside a DuckDB cache while it writes (`<cache path>.lock`, JSON
 * `{ pid, hostname, startedAt, mode }`): the preview reads it to say that another process is
 * writing the cache, rather than show a half-written file.
 *
 * @module
 */
import type { Runtime } from "../runtime/runtime.ts";

/** Who holds a cache's write lock, as its lock file says. */
export interface CacheLockHolder {
  /** The writer's process id. */
  pid?: number;
  hostname?: string;
  /** When it took the lock (as written, usually ISO 8601). */
  startedAt?: string;
  mode?: string;
}

/**
 * The path of a cache file's lock file.
 *
 * @example
 * ```ts
 * import { cacheLockPath } from "./cache_lock.ts";
 * if (cacheLockPath("/data/c.duckdb") !== "/data/c.duckdb.lock") throw new Error();
 * ```
 */
export function cacheLockPath(cachePath: string): string {
  return `${cachePath}.lock`;
}

/**
 * Read the lock file of a cache: undefined when there is none. A lock file that is not the
 * expected JSON still means a writer (it may be writing it right now): it reads as `{}`.
 *
 * @example
 * ```ts
 * import { readCacheLock } from "./cache_lock.ts";
 * import { denoRuntime } from "../runtime/deno.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/c.duckdb.lock`, JSON.stringify({ pid: 42, mode: "write" }));
 * const holder = await readCacheLock(denoRuntime, `${dir}/c.duckdb`);
 * if (holder?.pid !== 42) throw new Error();
 * if (await readCacheLock(denoRuntime, `${dir}/other.duckdb`) !== undefined) throw new Error();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function readCacheLock(
  runtime: Runtime,
  cachePath: string,
): Promise<CacheLockHolder | undefined> {
  let text: string;
  try {
    text = await runtime.readTextFile(cacheLockPath(cachePath));
  } catch (error) {
    if (await runtime.exists(cacheLockPath(cachePath)).catch(() => true)) throw error;
    return undefined;
  }
  try {
    const parsed = JSON.parse(text);
    if (!parsed || typeof parsed !== "object") return {};
    return {
      pid: typeof parsed.pid === "number" ? parsed.pid : undefined,
      hostname: typeof parsed.hostname === "string" ? parsed.hostname : undefined,
      startedAt: parsed.startedAt === undefined ? undefined : String(parsed.startedAt),
      mode: typeof parsed.mode === "string" ? parsed.mode : undefined,
    };
  } catch {
    return {};
  }
}
