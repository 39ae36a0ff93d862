/**
 * The capabilities the core needs from its host, as one interface. Deno and Node hand in an
 * adapter object (`deno.ts`, `node.ts`); a browser gets one whose process and file calls fail
 * with a clear error (`browser.ts`). The core never touches `Deno.*` or `node:*` itself.
 *
 * @module
 */
import type { TerminationSignal } from "./_exit_guard.ts";

export type { TerminationSignal };

/**
 * How a spawned process ended.
 *
 * @example A process killed by a signal
 * ```ts
 * import type { ProcessStatus } from "./runtime.ts";
 * const killed: ProcessStatus = { code: null, signal: "SIGKILL" };
 * if (killed.code !== null) throw new Error();
 * ```
 */
export interface ProcessStatus {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** Signal name (e.g. `SIGKILL`) when killed by one. */
  signal: string | null;
}

/**
 * Options for {@linkcode Runtime.spawn}.
 *
 * @example A child with stdin, in a directory
 * ```ts
 * import type { SpawnOptions } from "./runtime.ts";
 * const options: SpawnOptions = { cwd: "/tmp", env: { LANG: "C" }, stdin: true };
 * if (!options.stdin) throw new Error();
 * ```
 */
export interface SpawnOptions {
  /** Variables added to the parent's environment. */
  env?: Record<string, string>;
  /** The working directory. @default the current directory */
  cwd?: string;
  /** Give the child a writable stdin pipe. @default false */
  stdin?: boolean;
}

/**
 * A running child process. It is started in its own process group so the whole tree can be ended.
 *
 * @example Spawn one and wait for it
 * ```ts
 * import { getRuntime } from "./detect.ts";
 * const rt = await getRuntime();
 * const child = rt.spawn("sh", ["-c", "echo hi"]);
 * const text = await new Response(child.stdout).text();
 * if ((await child.status).code !== 0 || text !== "hi\n") throw new Error(text);
 * ```
 */
export interface ChildProcess {
  /** The process id (also its process group's id). */
  readonly pid: number;
  /** Its standard output. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** Its standard error. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Present when spawned with `stdin: true`. */
  readonly stdin?: WritableStream<Uint8Array>;
  /** Resolves when the process has exited. */
  readonly status: Promise<ProcessStatus>;
  /** Signal the whole process group (the child and every descendant). Never throws. */
  killTree(signal?: "SIGTERM" | "SIGKILL" | "SIGINT"): void;
  /**
   * Let this process end while the child runs and nobody reads from it (a dropped iterator): the
   * child no longer keeps the event loop alive, and is ended with the process. Undo with `ref`.
   */
  unref(): void;
  /** Keep this process alive for the child again (the default). */
  ref(): void;
}

/**
 * Options for writing a file.
 *
 * @example A private file
 * ```ts
 * import type { WriteFileOptions } from "./runtime.ts";
 * const options: WriteFileOptions = { mode: 0o600 };
 * if (options.append) throw new Error();
 * ```
 */
export interface WriteFileOptions {
  /** POSIX mode for a new file, e.g. `0o600`. */
  mode?: number;
  /** Add to the end instead of replacing. @default false */
  append?: boolean;
}

/**
 * What {@linkcode Runtime.stat} tells about a file.
 *
 * @example A file's size
 * ```ts
 * import { getRuntime } from "./detect.ts";
 * const info = await (await getRuntime()).stat("/etc/hostname");
 * if (info && info.size < 0) throw new Error();
 * ```
 */
export interface FileInfo {
  /** Size in bytes. */
  size: number;
  /** Last modification, in milliseconds since the epoch (0 when the host cannot tell). */
  mtimeMs: number;
}

/**
 * A byte range of a file: `start` inclusive, `end` exclusive.
 *
 * @example The first kilobyte
 * ```ts
 * import type { ByteRange } from "./runtime.ts";
 * const head: ByteRange = { start: 0, end: 1024 };
 * if (head.end - head.start !== 1024) throw new Error();
 * ```
 */
export interface ByteRange {
  /** The first byte's offset. */
  start: number;
  /** The offset after the last byte. */
  end: number;
}

/**
 * A file opened for appending log lines.
 *
 * @example Append two lines
 * ```ts
 * import { getRuntime } from "./detect.ts";
 * const rt = await getRuntime();
 * const dir = await rt.makeTempDir("append-");
 * const log = await rt.openAppendFile(`${dir}/run.log`);
 * log.write("one\n");
 * log.write("two\n");
 * await log.close();
 * if ((await rt.readTextFile(`${dir}/run.log`)) !== "one\ntwo\n") throw new Error();
 * await rt.remove(dir);
 * ```
 */
export interface AppendFile {
  /** Queue `text` for the end of the file (writes happen in order). */
  write(text: string): void;
  /** Finish the queued writes and close the file. */
  close(): Promise<void>;
}

/**
 * Options for {@linkcode Runtime.serveHttp}.
 *
 * @example Loopback, any free port
 * ```ts
 * import type { ServeHttpOptions } from "./runtime.ts";
 * const options: ServeHttpOptions = { hostname: "127.0.0.1", port: 0 };
 * if (options.port !== 0) throw new Error();
 * ```
 */
export interface ServeHttpOptions {
  /** The address to listen on, e.g. `127.0.0.1`. */
  hostname: string;
  /** The port; `0` picks a free one. */
  port: number;
}

/**
 * A running HTTP server started by {@linkcode Runtime.serveHttp}.
 *
 * @example Serve, ask, close
 * ```ts
 * import { getRuntime } from "./detect.ts";
 * const rt = await getRuntime();
 * const server = await rt.serveHttp(() => new Response("ok"), { hostname: "127.0.0.1", port: 0 });
 * const answer = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
 * await server.close();
 * if (answer !== "ok") throw new Error(answer);
 * ```
 */
export interface HttpServerHandle {
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on (the one picked, when `0` was asked for). */
  readonly port: number;
  /**
   * Stop accepting connections and resolve once the open ones are done. Responses still streaming
   * keep their connection until they end; end them first for a quick close.
   */
  close(): Promise<void>;
}

/**
 * A fetch-style request handler: what Hono's `app.fetch` is.
 *
 * @example Answer every request
 * ```ts
 * import type { FetchHandler } from "./runtime.ts";
 * const hello: FetchHandler = () => new Response("hello");
 * if (!(await hello(new Request("http://x/")) instanceof Response)) throw new Error();
 * ```
 */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/**
 * Where a stream socket listens: a unix domain socket's path, or a TCP host and port. A Docker
 * engine listens on one of these.
 *
 * @example The default Docker socket
 * ```ts
 * import type { SocketAddress } from "./runtime.ts";
 * const docker: SocketAddress = { transport: "unix", path: "/var/run/docker.sock" };
 * if (docker.transport !== "unix") throw new Error();
 * ```
 */
export type SocketAddress =
  | { transport: "unix"; path: string }
  | { transport: "tcp"; hostname: string; port: number };

/**
 * A plain HTTP/1.1 request (no TLS) for {@linkcode Runtime.httpRequest}.
 *
 * @example The Docker engine's version
 * ```ts
 * import type { SocketHttpRequest } from "./runtime.ts";
 * const request: SocketHttpRequest = { method: "GET", path: "/version" };
 * if (request.method !== "GET") throw new Error();
 * ```
 */
export interface SocketHttpRequest {
  /** The method, e.g. `GET`. */
  method: string;
  /** Path and query string, e.g. `/v1.41/containers/json?all=1`. */
  path: string;
  /** Extra request headers (`Host` and `Content-Length` are added). */
  headers?: Record<string, string>;
  /** The request body. */
  body?: Uint8Array | string;
  /** Aborting cancels the request, or the response body once it streams. */
  signal?: AbortSignal;
}

/**
 * The answer to a {@linkcode SocketHttpRequest}.
 *
 * @example Read a JSON answer
 * ```ts
 * import type { SocketHttpResponse } from "./runtime.ts";
 * const answer: SocketHttpResponse = { status: 200, headers: {}, body: new Blob(['{"ok":true}']).stream() };
 * if (!(await new Response(answer.body).json()).ok) throw new Error();
 * ```
 */
export interface SocketHttpResponse {
  /** The HTTP status code. */
  status: number;
  /** Header names are lower-case. */
  headers: Record<string, string>;
  /** The body as it arrives. Read it to the end or cancel it: either releases the connection. */
  body: ReadableStream<Uint8Array>;
}

/**
 * An open two-way byte stream. Closing `writable` half-closes the connection: the peer reads
 * end-of-file while `readable` keeps delivering what the peer still sends.
 *
 * @example Close both directions
 * ```ts ignore
 * const conn = await rt.connect({ transport: "unix", path: "/var/run/docker.sock" });
 * conn.close();
 * ```
 */
export interface SocketConnection {
  /** What the peer sends. */
  readonly readable: ReadableStream<Uint8Array>;
  /** What goes to the peer; closing it half-closes the connection. */
  readonly writable: WritableStream<Uint8Array>;
  /** Close both directions now. Never throws. */
  close(): void;
}

/**
 * What the core asks of its host.
 *
 * @example Use the detected runtime
 * ```ts
 * import { getRuntime } from "./detect.ts";
 * const rt = await getRuntime();
 * if (!["deno", "node", "browser"].includes(rt.name)) throw new Error();
 * ```
 */
export interface Runtime {
  /** Which host this adapter is for. */
  readonly name: "deno" | "node" | "browser";
  /** Spawn a process in its own process group. Throws `RuntimeCapabilityError` when not allowed. */
  spawn(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Run a command to completion and collect its output (for short helper commands). */
  run(
    command: string,
    args: string[],
    options?: SpawnOptions,
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Read a whole file as UTF-8 text. */
  readTextFile(path: string): Promise<string>;
  /** Write (or with `append`, add to) a text file. */
  writeTextFile(path: string, text: string, options?: WriteFileOptions): Promise<void>;
  /** Open a file for appending log lines (created when missing). */
  openAppendFile(path: string): Promise<AppendFile>;
  /** Read a file (or the given byte range of it) as a byte stream. */
  openReadStream(path: string, range?: ByteRange): Promise<ReadableStream<Uint8Array>>;
  /** Size and modification time of a file; undefined when it does not exist. */
  stat(path: string): Promise<FileInfo | undefined>;
  /** Does anything exist at `path`? */
  exists(path: string): Promise<boolean>;
  /**
   * Create a file holding `text` only if nothing exists at `path`, atomically (`O_EXCL`).
   * Resolves false when something does: the building block of lock files.
   */
  createFileExclusive(path: string, text: string, options?: { mode?: number }): Promise<boolean>;
  /** Create a directory and its parents (an existing one is fine). */
  mkdir(path: string): Promise<void>;
  /** Remove a file or directory tree; missing paths are fine. */
  remove(path: string): Promise<void>;
  /** Create a fresh directory readable only by the current user. */
  makeTempDir(prefix: string): Promise<string>;
  /** An environment variable, or undefined. */
  env(name: string): string | undefined;
  /** The current user's home directory. */
  homeDir(): string;
  /** The current working directory. */
  cwd(): string;
  /** Is standard error attached to a terminal? */
  stderrIsTerminal(): boolean;
  /** Write text to standard error, at once. */
  writeStderr(text: string): void;
  /** Write text to standard output, at once. */
  writeStdout(text: string): void;
  /** Join path segments with the host's separator. */
  joinPath(...parts: string[]): string;
  /** Resident set size of this process in bytes, when the host can tell. */
  memoryRss(): number | undefined;
  /**
   * This process's id and the machine's host name, to mark what it owns outside itself (e.g.
   * containers); `undefined` where there are no processes.
   */
  processIdentity(): { pid: number; hostname: string } | undefined;
  /** Is process `pid` on this machine still alive? `true` when the host cannot tell. */
  processAlive(pid: number): boolean;
  /** The program's command-line arguments (without the runtime and script). */
  args(): string[];
  /** End the program with `code`. */
  exit(code: number): never;
  /**
   * Call `handler` on SIGINT (Ctrl-C), SIGTERM (`kill`, `timeout`, `docker stop`) and SIGHUP (the
   * terminal closed) instead of dying at once, so that a program can stop its connectors and
   * exit with 130, 143 or 129 itself. Connectors run in their own process groups and do not get
   * the terminal's signals. Returns a function that removes the handler.
   *
   * Without a handler, the adapter still guards the program: while connector processes or
   * temp config dirs exist, such a signal ends the connectors' process groups (SIGTERM, a grace
   * period, SIGKILL) and removes the dirs before the process exits with 128 + the signal number.
   * In Node, a program's own `process.on(signal)` listener takes precedence over that.
   */
  onSignal(handler: (signal: TerminationSignal) => void): () => void;
  /** {@linkcode Runtime.onSignal} for SIGINT alone. Returns a function that removes the handler. */
  onInterrupt(handler: () => void): () => void;
  /**
   * Send one HTTP/1.1 request over a unix socket or TCP (a local service such as the Docker
   * engine) with the host's own HTTP client. Rejects when the service cannot be reached.
   */
  httpRequest(address: SocketAddress, request: SocketHttpRequest): Promise<SocketHttpResponse>;
  /** Open a raw two-way connection (e.g. for an HTTP upgrade that hands over the socket). */
  connect(address: SocketAddress): Promise<SocketConnection>;
  /**
   * Call `handler` on SIGTERM (a service manager stopping the program) instead of dying at once,
   * so a server can drain. Returns a function that removes the handler.
   */
  onTerminate(handler: () => void): () => void;
  /**
   * Serve HTTP with a fetch-style handler, streaming request and response bodies both ways with
   * back-pressure. A client that disconnects aborts its `request.signal` and cancels the response
   * body. Deno: `Deno.serve` (needs `--allow-net`); Node: `@hono/node-server`.
   */
  serveHttp(handler: FetchHandler, options: ServeHttpOptions): Promise<HttpServerHandle>;
}
