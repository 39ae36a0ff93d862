/**
 * DuckDB-WASM in a worker thread for Deno and Node: the same {@linkcode DuckDBEngine} as
 * `openNodeEngine`, but inserts and queries run on another core while the caller keeps parsing.
 * Uses `node:worker_threads`, which Deno supports too (and, unlike a web Worker there, an idle
 * one can be unref'd so it never keeps a program alive). Bytes cross through SharedArrayBuffers;
 * see `engine_worker.ts` for why.
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";
import type { ArrowInsertTarget, DuckDBConnection, DuckDBEngine } from "./duckdb_engine.ts";

interface NodeWorker {
  on(event: "message", listener: (message: any) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "exit", listener: (code: number) => void): void;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  terminate(): Promise<number>;
  unref(): void;
  ref(): void;
}

/**
 * The worker script next to this module: `.ts` when run from source, `.js` from the npm build.
 * `node:worker_threads` starts only `file:` and `data:` scripts, so a module loaded over https (from
 * JSR, or a raw URL) starts a `data:` script that imports the real one.
 */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const script = new URL(`./engine_worker.${ext}`, import.meta.url);
  if (script.protocol === "file:") return script;
  return new URL(`data:text/javascript,${encodeURIComponent(`import ${JSON.stringify(script.href)};`)}`);
}

/**
 * Open DuckDB-WASM on `path` (a file or `":memory:"`) in a worker thread.
 *
 * @param path A database file path or `":memory:"`.
 * @returns The engine; `close()` checkpoints, closes the database and ends the worker.
 *
 * @example
 * ```ts
 * import { openWorkerEngine } from "./load_worker.ts";
 * const engine = await openWorkerEngine(":memory:");
 * const t = await engine.query("SELECT 6 * 7 AS answer");
 * await engine.close();
 * if (t.getChild("answer")?.get(0) !== 42) throw new Error();
 * ```
 */
export async function openWorkerEngine(path: string): Promise<DuckDBEngine> {
  const workerThreads = (globalThis as { process?: { getBuiltinModule(id: string): any } }).process!
    .getBuiltinModule("node:worker_threads");
  // No execArgv: flags of the parent (e.g. `--input-type`) can be invalid for a worker script.
  const worker: NodeWorker = new workerThreads.Worker(workerUrl(), { execArgv: [] });
  const pending = new Map<number, { resolve: (m: any) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | undefined;
  const failAll = (error: Error) => {
    dead = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on("message", (m) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.ok) p.resolve(m);
    else p.reject(Object.assign(new Error(m.message), { name: m.name ?? "Error" }));
  });
  worker.on("error", (e) => failAll(e));
  worker.on("exit", (code) => failAll(new Error(`The DuckDB worker exited (code ${code}).`)));
  // An idle worker must not keep the program alive; a busy one must.
  worker.unref();

  const call = (message: Record<string, unknown>, transfer?: ArrayBuffer[]): Promise<any> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id }, transfer);
    });
  };

  try {
    await call({ op: "open", path });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  let closed = false;
  // One shared buffer per insert in flight (connections insert side by side); reused when free.
  const free: { index: number; buffer: SharedArrayBuffer }[] = [];
  let slotCount = 0;
  const connection = (conn: number): DuckDBConnection => ({
    query: async (sql) => {
      const { result } = await call({ op: "query", sql, conn });
      // Arrow decodes text with TextDecoder, which refuses shared memory: copy out first.
      return arrow.tableFromIPC(new Uint8Array(result.buffer, 0, result.length).slice());
    },
    exec: async (sql) => void await call({ op: "exec", sql, conn }),
    insertArrowIPC: async (ipc: Uint8Array, target: ArrowInsertTarget) => {
      let slot = free.pop();
      let fresh: SharedArrayBuffer | undefined;
      if (!slot || slot.buffer.byteLength < ipc.byteLength) {
        fresh = new SharedArrayBuffer(Math.max(1 << 20, ipc.byteLength * 1.25 | 0));
        slot = { index: slot?.index ?? slotCount++, buffer: fresh };
      }
      new Uint8Array(slot.buffer).set(ipc);
      try {
        await call({ op: "insert", slot: slot.index, length: ipc.byteLength, target, buffer: fresh, conn });
      } finally {
        free.push(slot);
      }
    },
    close: async () => {
      if (!closed && conn !== 0) await call({ op: "disconnect", conn });
    },
  });
  return {
    ...connection(0),
    connect: async () => connection((await call({ op: "connect" })).result),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await call({ op: "close" });
      } finally {
        await worker.terminate();
      }
    },
  };
}
