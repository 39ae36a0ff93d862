/**
 * The {@linkcode Runtime} for Node (20.16+). Built-in modules are loaded with
 * `process.getBuiltinModule`, never a static `node:` import, so this file loads in any runtime
 * and only touches Node when used. Children are spawned `detached` (each leads its own process
 * group) and `killTree` signals the whole group with `process.kill(-pid)`; groups and temp dirs
 * are cleaned up when the process ends, by a signal too (`_exit_guard.ts`). Node streams are
 * handed out as web streams.
 *
 * @module
 */
import type * as NodeChildProcess from "node:child_process";
import type * as NodeFs from "node:fs";
import type * as NodeFsPromises from "node:fs/promises";
import type * as NodeHttp from "node:http";
import type * as NodeNet from "node:net";
import type * as NodeOs from "node:os";
import type * as NodePath from "node:path";
import type * as NodeStream from "node:stream";
import type * as HonoNodeServer from "npm:@hono/node-server@2.1.9";
import type {
  AppendFile,
  ByteRange,
  ChildProcess,
  FetchHandler,
  FileInfo,
  HttpServerHandle,
  ProcessStatus,
  Runtime,
  ServeHttpOptions,
  SocketAddress,
  SocketConnection,
  SocketHttpRequest,
  SocketHttpResponse,
  SpawnOptions,
  WriteFileOptions,
} from "./runtime.ts";
import { ExitGuard, type TerminationSignal } from "./_exit_guard.ts";

interface NodeProcess {
  getBuiltinModule(id: string): unknown;
  env: Record<string, string | undefined>;
  pid: number;
  kill(pid: number, signal?: string | number): boolean;
  cwd(): string;
  stderr: { isTTY?: boolean; write(text: string): boolean };
  stdout: { write(text: string): boolean };
  memoryUsage: { rss(): number };
  once(event: "exit", listener: () => void): unknown;
  argv: string[];
  exit(code: number): never;
  on(event: TerminationSignal, listener: () => void): unknown;
  off(event: TerminationSignal, listener: () => void): unknown;
  listenerCount(event: TerminationSignal): number;
}

function nodeProcess(): NodeProcess {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (typeof proc?.getBuiltinModule !== "function") {
    throw new Error("The Node runtime adapter needs Node 20.16 or newer (process.getBuiltinModule).");
  }
  return proc;
}

/** Built-in modules, loaded on first use. */
const builtins = {
  get childProcess() {
    return nodeProcess().getBuiltinModule("node:child_process") as typeof NodeChildProcess;
  },
  get fs() {
    return nodeProcess().getBuiltinModule("node:fs") as typeof NodeFs;
  },
  get fsPromises() {
    return nodeProcess().getBuiltinModule("node:fs/promises") as typeof NodeFsPromises;
  },
  get http() {
    return nodeProcess().getBuiltinModule("node:http") as typeof NodeHttp;
  },
  get os() {
    return nodeProcess().getBuiltinModule("node:os") as typeof NodeOs;
  },
  get path() {
    return nodeProcess().getBuiltinModule("node:path") as typeof NodePath;
  },
  get stream() {
    return nodeProcess().getBuiltinModule("node:stream") as typeof NodeStream;
  },
  get net() {
    return nodeProcess().getBuiltinModule("node:net") as typeof NodeNet;
  },
};

function killGroup(pid: number, signal: string): void {
  try {
    nodeProcess().kill(-pid, signal);
  } catch {
    // The group is already gone (ESRCH): nothing left to end.
  }
}

/** The parent's environment with `extra` on top (the Deno adapter behaves the same way). */
function mergedEnv(
  extra: Record<string, string> | undefined,
): Record<string, string | undefined> | undefined {
  return extra ? { ...nodeProcess().env, ...extra } : undefined;
}

function notFound(command: string, cause?: unknown): Error {
  const error = new Error(`Cannot run '${command}': no such executable.`, { cause });
  error.name = "NotFound";
  return error;
}

/** Ends connector process groups and removes temp dirs when this process ends, however it ends. */
const guard = new ExitGuard({
  addSignalListener: (signal, listener) => void nodeProcess().on(signal, listener),
  removeSignalListener: (signal, listener) => void nodeProcess().off(signal, listener),
  // The guard's own listener is one of them; a program's own listener means it handles the signal.
  othersListen: (signal) => nodeProcess().listenerCount(signal) > 1,
  onExit: (fn) => void nodeProcess().once("exit", fn),
  killGroup,
  removeSync: (path) => builtins.fs.rmSync(path, { recursive: true, force: true }),
  exit: (code) => nodeProcess().exit(code),
});

/** Something with Node's `ref`/`unref` (a child process, a pipe). */
type Refable = { ref?(): void; unref?(): void } | null | undefined;

function spawn(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const { Readable, Writable } = builtins.stream;
  const child = builtins.childProcess.spawn(command, args, {
    env: mergedEnv(options.env),
    cwd: options.cwd,
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    detached: true,
  });
  // A failed spawn (or a failed kill) is also reported as an "error" event; without a
  // listener Node would crash the process.
  child.on("error", () => {});
  if (child.pid === undefined) {
    if (command.includes("/") && builtins.fs.existsSync(command)) {
      throw new Error(`Cannot run '${command}': it is not executable.`);
    }
    throw notFound(command);
  }
  const pid = child.pid;
  // EPIPE from a child that stopped reading surfaces as a rejected write, not as a crash.
  child.stdin?.on("error", () => {});
  const status = new Promise<ProcessStatus>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code: signal ? null : code, signal: signal ?? null }));
  });
  guard.trackGroup(pid, status);
  // The child and its pipes keep the event loop alive, or none of them do.
  const handles: Refable[] = [
    child,
    child.stdout as Refable,
    child.stderr as Refable,
    child.stdin as Refable,
  ];
  return {
    pid,
    stdout: Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    stderr: Readable.toWeb(child.stderr!) as ReadableStream<Uint8Array>,
    stdin: child.stdin ? (Writable.toWeb(child.stdin) as WritableStream<Uint8Array>) : undefined,
    status,
    killTree: (signal = "SIGTERM") => killGroup(pid, signal),
    unref: () => handles.forEach((h) => h?.unref?.()),
    ref: () => handles.forEach((h) => h?.ref?.()),
  };
}

function run(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = builtins.childProcess.spawn(command, args, {
      env: mergedEnv(options.env),
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    child.stdout!.on("data", (chunk: Uint8Array) => out.push(chunk));
    child.stderr!.on("data", (chunk: Uint8Array) => err.push(chunk));
    child.once(
      "error",
      (error: Error & { code?: string }) =>
        reject(error.code === "ENOENT" ? notFound(command, error) : error),
    );
    child.once("close", (code, signal) => {
      const decoder = new TextDecoder();
      resolve({
        code: signal ? null : code,
        stdout: decoder.decode(concat(out)),
        stderr: decoder.decode(concat(err)),
      });
    });
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function openAppendFile(path: string): Promise<AppendFile> {
  const handle = await builtins.fsPromises.open(path, "a", 0o600);
  // Writes are queued so callers can log synchronously; the first failure stops further writes.
  let queue: Promise<void> = Promise.resolve();
  let failed = false;
  return {
    write(text: string) {
      if (failed) return;
      queue = queue.then(async () => {
        await handle.appendFile(text);
      }).catch(() => {
        failed = true;
      });
    },
    async close() {
      await queue;
      await handle.close();
    },
  };
}

/**
 * The Node HTTP server bridge: the name Node (or an import map) resolves, then the npm package at
 * the version package.json pins, for Deno with no import map (Node has no `npm:` scheme). Named
 * through variables so that bundlers for browsers and edge runtimes do not pull Node's `http`
 * modules into their bundles; it is resolved at run time.
 */
const NODE_SERVER_MODULE = "@hono/node-server";
const NODE_SERVER_PINNED = "npm:@hono/node-server@2.1.9";

async function importNodeServer(): Promise<typeof HonoNodeServer> {
  try {
    return await import(NODE_SERVER_MODULE);
  } catch (error) {
    try {
      return await import(NODE_SERVER_PINNED);
    } catch {
      throw error;
    }
  }
}

async function serveHttp(handler: FetchHandler, options: ServeHttpOptions): Promise<HttpServerHandle> {
  const { serve } = await importNodeServer();
  let listened!: (info: { address: string; port: number }) => void;
  let failed!: (error: unknown) => void;
  const listening = new Promise<{ address: string; port: number }>((resolve, reject) => {
    listened = resolve;
    failed = reject;
  });
  const server = serve(
    // Keep Node's own Request/Response globals: the library's code runs on them too.
    {
      fetch: (request: Request) => handler(request),
      hostname: options.hostname,
      port: options.port,
      overrideGlobalObjects: false,
    },
    (info) => listened(info),
  );
  server.once("error", (error) => failed(error));
  const info = await listening;
  return {
    hostname: info.address,
    port: info.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold `close` open until they time out.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }),
  };
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: string })?.code === "ENOENT";
}

/** One request with node:http, over a unix socket (`socketPath`) or TCP. */
function httpRequest(address: SocketAddress, request: SocketHttpRequest): Promise<SocketHttpResponse> {
  return new Promise((resolve, reject) => {
    const target = address.transport === "unix"
      ? { socketPath: address.path }
      : { host: address.hostname, port: address.port };
    const req = builtins.http.request({
      ...target,
      method: request.method,
      path: request.path,
      headers: request.headers,
      signal: request.signal,
      // One connection per request: nothing pooled stays open after the body is read.
      agent: false,
    }, (res) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) {
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
        }
      }
      resolve({
        status: res.statusCode ?? 0,
        headers,
        body: builtins.stream.Readable.toWeb(res) as ReadableStream<Uint8Array>,
      });
    });
    req.once("error", reject);
    req.end(request.body === undefined ? undefined : request.body);
  });
}

function connect(address: SocketAddress): Promise<SocketConnection> {
  return new Promise((resolve, reject) => {
    const socket = address.transport === "unix"
      ? builtins.net.createConnection({ path: address.path })
      : builtins.net.createConnection({ host: address.hostname, port: address.port });
    const onError = (error: Error) => reject(error);
    socket.once("error", onError);
    socket.once("connect", () => {
      socket.off("error", onError);
      // Errors after connecting reach the web streams; this keeps Node from crashing on them.
      socket.on("error", () => {});
      const { readable, writable } = builtins.stream.Duplex.toWeb(socket);
      resolve({
        readable: readable as ReadableStream<Uint8Array>,
        // Closing it calls socket.end(): a half-close, the peer reads end-of-file.
        writable: writable as WritableStream<Uint8Array>,
        close: () => void socket.destroy(),
      });
    });
  });
}

async function openReadStream(path: string, range?: ByteRange): Promise<ReadableStream<Uint8Array>> {
  const handle = await builtins.fsPromises.open(path, "r");
  if (range && range.end <= range.start) {
    await handle.close();
    return new ReadableStream({ start: (controller) => controller.close() });
  }
  // createReadStream's `end` is inclusive.
  const stream = handle.createReadStream(range ? { start: range.start, end: range.end - 1 } : {});
  return builtins.stream.Readable.toWeb(stream) as ReadableStream<Uint8Array>;
}

async function stat(path: string): Promise<FileInfo | undefined> {
  try {
    const info = await builtins.fsPromises.stat(path);
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The Node adapter (Node 20.16+). Spawned children lead their own process group; environment
 * variables passed to `spawn` are added to the parent's.
 *
 * @example Run a short command
 * ```ts
 * import { nodeRuntime } from "./node.ts";
 * const { code, stdout } = await nodeRuntime.run("echo", ["hi"]);
 * if (code !== 0 || stdout !== "hi\n") throw new Error(stdout);
 * ```
 */
export const nodeRuntime: Runtime = {
  name: "node",
  spawn,
  run,
  readTextFile: (path) => builtins.fsPromises.readFile(path, "utf8"),
  writeTextFile: (path: string, text: string, options: WriteFileOptions = {}) =>
    builtins.fsPromises.writeFile(path, text, { mode: options.mode, flag: options.append ? "a" : "w" }),
  openAppendFile,
  openReadStream,
  stat,
  exists: async (path) => {
    try {
      await builtins.fsPromises.lstat(path);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  },
  createFileExclusive: async (path, text, options = {}) => {
    try {
      await builtins.fsPromises.writeFile(path, text, { flag: "wx", mode: options.mode });
      return true;
    } catch (error) {
      if ((error as { code?: string })?.code === "EEXIST") return false;
      throw error;
    }
  },
  mkdir: async (path) => {
    await builtins.fsPromises.mkdir(path, { recursive: true });
  },
  remove: async (path) => {
    await builtins.fsPromises.rm(path, { recursive: true, force: true });
    guard.removed(path);
  },
  makeTempDir: async (prefix) => {
    const dir = await builtins.fsPromises.mkdtemp(builtins.path.join(builtins.os.tmpdir(), prefix));
    guard.trackTempDir(dir); // removed at exit if the caller cannot (a signal, process.exit)
    return dir;
  },
  env: (name) => nodeProcess().env[name],
  homeDir: () => builtins.os.homedir(),
  cwd: () => nodeProcess().cwd(),
  stderrIsTerminal: () => nodeProcess().stderr.isTTY === true,
  writeStderr: (text) => void nodeProcess().stderr.write(text),
  writeStdout: (text) => void nodeProcess().stdout.write(text),
  joinPath: (...parts) => builtins.path.join(...parts),
  memoryRss: () => nodeProcess().memoryUsage.rss(),
  processIdentity: () => ({
    pid: (nodeProcess() as unknown as { pid: number }).pid,
    hostname: builtins.os.hostname(),
  }),
  processAlive: (pid) => {
    try {
      nodeProcess().kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it exists but belongs to someone else.
      return (error as { code?: string }).code !== "ESRCH";
    }
  },
  args: () => nodeProcess().argv.slice(2),
  exit: (code) => nodeProcess().exit(code),
  onSignal: (handler) => guard.onSignal(handler),
  onInterrupt: (handler) => guard.onSignal(handler, ["SIGINT"]),
  // Through the guard too: a program that drains on SIGTERM (airbyte-ts serve) is not ended for it.
  onTerminate: (handler) => guard.onSignal(handler, ["SIGTERM"]),
  httpRequest,
  connect,
  serveHttp,
};
