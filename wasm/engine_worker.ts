/**
 * The worker side of {@linkcode openWorkerEngine}: it owns one in-process DuckDB engine (with our
 * durable file runtime) and answers requests from the main thread. Running DuckDB here lets the
 * main thread parse and build the next Arrow batch while this thread inserts the previous one.
 *
 * Requests: `{ id, op: "open" | "connect" | "query" | "exec" | "insert" | "disconnect" | "close", conn?, ... }`
 * (`conn` 0 is the engine's own connection; `connect` answers a new number); replies:
 * `{ id, ok: true, result? } | { id, ok: false, message, name }`.
 *
 * Bytes travel through SharedArrayBuffers, never as message payloads: Deno's `node:worker_threads`
 * serializes a transferred 17 MB Uint8Array in about 2.5 s, while a bare SharedArrayBuffer is
 * shared at once (measured here). Inserts use slots (shared buffers) the main thread fills, one
 * per insert in flight; a query result is copied into a fresh shared buffer.
 *
 * @module
 */
import { type NodeDuckDBConnection, type NodeDuckDBEngine, openNodeEngine } from "./load_node.ts";

interface Port {
  on(event: "message", listener: (message: any) => void): void;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

const workerThreads = (globalThis as { process?: { getBuiltinModule(id: string): any } }).process!
  .getBuiltinModule("node:worker_threads");
const port: Port = workerThreads.parentPort;
let engine: NodeDuckDBEngine | undefined;
const connections = new Map<number, NodeDuckDBConnection>();
let nextConnection = 1;
const slots: SharedArrayBuffer[] = [];

/** The connection a request names (0 or none: the engine's own). */
function connectionOf(message: any): NodeDuckDBConnection {
  if (!message.conn) return engine!;
  const connection = connections.get(message.conn);
  if (!connection) throw new Error(`The DuckDB connection ${message.conn} is closed.`);
  return connection;
}

async function handle(
  message: any,
): Promise<{ result?: { buffer: SharedArrayBuffer; length: number } | number }> {
  switch (message.op) {
    case "open":
      engine = await openNodeEngine(message.path);
      return {};
    case "connect": {
      const id = nextConnection++;
      connections.set(id, await engine!.connect());
      return { result: id };
    }
    case "disconnect":
      await connections.get(message.conn)?.close();
      connections.delete(message.conn);
      return {};
    case "query": {
      // DuckDB's own IPC bytes go through as they are: no decoding here.
      const ipc = await connectionOf(message).queryIPC(message.sql);
      const buffer = new SharedArrayBuffer(ipc.byteLength);
      new Uint8Array(buffer).set(ipc);
      return { result: { buffer, length: ipc.byteLength } };
    }
    case "exec":
      await connectionOf(message).exec(message.sql);
      return {};
    case "insert": {
      if (message.buffer) slots[message.slot] = message.buffer;
      const view = new Uint8Array(slots[message.slot], 0, message.length);
      await connectionOf(message).insertArrowIPC(view, message.target);
      return {};
    }
    case "close":
      await engine?.close();
      engine = undefined;
      connections.clear();
      return {};
    default:
      throw new Error(`Unknown engine request '${message.op}'.`);
  }
}

// Requests are handled strictly in order: DuckDB's connection is not reentrant.
let queue: Promise<unknown> = Promise.resolve();
port.on("message", (message) => {
  queue = queue.then(async () => {
    try {
      const { result } = await handle(message);
      port.postMessage({ id: message.id, ok: true, result });
    } catch (error) {
      const e = error as Error;
      port.postMessage({ id: message.id, ok: false, message: e?.message ?? String(error), name: e?.name });
    }
  });
});
