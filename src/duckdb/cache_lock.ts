/**
 * One writer per cache file across processes. DuckDB-WASM has no file locking of its own (two
 * processes writing one file corrupt it), so a lock file `<path>.lock` is created exclusively
 * (`O_EXCL`) when a cache opens its file and removed when it closes. The file says who holds it
 * (pid, host, since when); a lock whose process is gone (same host) is stale and taken over.
 * Taking over is itself guarded by a second exclusive file, so two processes that both find the
 * same stale lock cannot both win.
 *
 * @module
 */
import { CacheLockedError } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";

/**
 * What a lock file holds: the process writing the cache.
 *
 * @example Tell the user who holds a cache
 * ```ts
 * import type { LockHolder } from "./cache_lock.ts";
 * const holder: LockHolder = { pid: 4242, hostname: "build-1", startedAt: "2024-05-01T12:00:00.000Z" };
 * const message = `another process (pid ${holder.pid} on ${holder.hostname}) is writing this cache`;
 * if (!message.includes("4242")) throw new Error();
 * ```
 */
export interface LockHolder {
  /** The holder's process id. */
  pid: number;
  /** The host it runs on (a lock of a process gone from this host is stale). */
  hostname: string;
  /** When it took the lock, as an ISO 8601 timestamp. */
  startedAt: string;
}

/** A takeover that has not finished in this long belongs to a process that died mid-way. */
const TAKEOVER_STALE_MS = 10_000;
const POLL_MS = 200;

/** Options for {@linkcode acquireCacheLock}. */
export interface CacheLockOptions {
  /** Wait this long for another holder to let go; 0 fails at once. @default 0 */
  timeoutMs?: number;
  /** Told once when waiting starts (who holds the lock). */
  onWait?: (holder: LockHolder) => void;
  signal?: AbortSignal;
}

/**
 * Take the lock of a cache file, or throw {@linkcode CacheLockedError} naming its holder.
 *
 * @param rt The runtime (files, process ids).
 * @param path The cache file; its lock is `<path>.lock`.
 * @param options How long to wait, and whom to tell while waiting.
 * @returns A function that releases the lock (removes the file, if it is still ours).
 *
 * @example The second taker is refused
 * ```ts
 * import { acquireCacheLock } from "./cache_lock.ts";
 * import { denoRuntime } from "../runtime/deno.ts";
 * const dir = Deno.makeTempDirSync();
 * const release = await acquireCacheLock(denoRuntime, `${dir}/c.duckdb`);
 * // The same process counts as a live holder too: a second open of the file must share the engine.
 * await acquireCacheLock(denoRuntime, `${dir}/c.duckdb`).then(() => { throw new Error("taken twice"); }, () => {});
 * await release();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function acquireCacheLock(
  rt: Runtime,
  path: string,
  options: CacheLockOptions = {},
): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const me = rt.processIdentity();
  if (!me) return () => Promise.resolve(); // no processes here (a browser): nothing to lock against
  const mine: LockHolder = { pid: me.pid, hostname: me.hostname, startedAt: new Date().toISOString() };
  const text = JSON.stringify(mine);
  const deadline = Date.now() + (options.timeoutMs ?? 0);
  let told = false;
  for (;;) {
    if (await rt.createFileExclusive(lockPath, text, { mode: 0o644 })) break;
    const holder = await readHolder(rt, lockPath);
    if (holder && isStale(rt, holder, me.hostname)) {
      await takeOver(rt, lockPath, holder);
      continue;
    }
    if (!holder) continue; // removed (or half-written) meanwhile: try again
    if (Date.now() >= deadline) throw new CacheLockedError(path, holder);
    if (!told) {
      told = true;
      options.onWait?.(holder);
    }
    await sleep(POLL_MS, options.signal);
  }
  return async () => {
    const holder = await readHolder(rt, lockPath);
    if (holder && holder.pid === mine.pid && holder.startedAt === mine.startedAt) {
      await rt.remove(lockPath);
    }
  };
}

/**
 * Who holds the lock of a cache file, if anyone (a stale lock counts: its holder is gone).
 *
 * @param rt The runtime.
 * @param path The cache file.
 * @returns The holder as the lock file says, or undefined when there is no lock file.
 *
 * @example Nobody holds a fresh path
 * ```ts
 * import { cacheLockHolder } from "./cache_lock.ts";
 * import { denoRuntime } from "../runtime/deno.ts";
 * if (await cacheLockHolder(denoRuntime, "/nonexistent/x.duckdb") !== undefined) throw new Error();
 * ```
 */
export async function cacheLockHolder(rt: Runtime, path: string): Promise<LockHolder | undefined> {
  return await readHolder(rt, `${path}.lock`);
}

async function readHolder(rt: Runtime, lockPath: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await rt.readTextFile(lockPath);
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text);
    if (typeof value?.pid === "number") return value as LockHolder;
  } catch {
    // Half-written by its creator: treated as absent for one more round.
  }
  return undefined;
}

/** Gone from this host? (A holder on another host cannot be checked: never stale.) */
function isStale(rt: Runtime, holder: LockHolder, hostname: string): boolean {
  return holder.hostname === hostname && !rt.processAlive(holder.pid);
}

/** Remove a stale lock, unless another process is doing the same right now. */
async function takeOver(rt: Runtime, lockPath: string, stale: LockHolder): Promise<void> {
  const guard = `${lockPath}.takeover`;
  if (!await rt.createFileExclusive(guard, String(Date.now()))) {
    const since = Number(await rt.readTextFile(guard).catch(() => "0"));
    if (Date.now() - since > TAKEOVER_STALE_MS) await rt.remove(guard);
    else await sleep(POLL_MS);
    return;
  }
  try {
    // Still the same stale holder? (Another process may have taken over and locked meanwhile.)
    const now = await readHolder(rt, lockPath);
    if (now && now.pid === stale.pid && now.startedAt === stale.startedAt) await rt.remove(lockPath);
  } finally {
    await rt.remove(guard);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
