/**
 * The {@linkcode Runtime} for Deno. Children are spawned with `detached: true`, so each leads its
 * own process group and `killTree` reaches every descendant with one `Deno.kill(-pid)`; groups
 * and temp dirs are cleaned up when the process ends, by a signal too (`_exit_guard.ts`). A missing
 * Deno permission becomes a `RuntimeCapabilityError` that names the flag to add.
 *
 * @module
 */
import { RuntimeCapabilityError } from "../errors.ts";
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
import { ExitGuard } from "./_exit_guard.ts";

type PermissionFlag =
  | "--allow-run"
  | "--allow-read"
  | "--allow-write"
  | "--allow-env"
  | "--allow-sys"
  | "--allow-net"
  | "--allow-read' and '--allow-write";

const encoder = new TextEncoder();

/**
 * Run `fn`; turn Deno's "not capable" error (a permission the process was not granted) into an
 * error that says which flag to add. Everything else passes through unchanged.
 */
function withPermission<T>(flag: PermissionFlag, action: string, fn: () => T): T {
  try {
    const result = fn();
    if (result instanceof Promise) {
      return result.catch((error) => {
        throw mapPermissionError(error, flag, action);
      }) as T;
    }
    return result;
  } catch (error) {
    throw mapPermissionError(error, flag, action);
  }
}

function mapPermissionError(error: unknown, flag: PermissionFlag, action: string): unknown {
  if (error instanceof Deno.errors.NotCapable) {
    return new RuntimeCapabilityError(
      "PERMISSION_DENIED",
      `Cannot ${action}: Deno was not given '${flag}'.`,
      {
        guidance:
          `Run Deno with '${flag}' (or '-A' to allow everything), e.g. 'deno run ${flag} your_script.ts'.`,
        cause: error,
      },
    );
  }
  return error;
}

function killGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // The group is already gone (ESRCH) or was never ours: nothing left to end.
  }
}

/** Ends connector process groups and removes temp dirs when this process ends, however it ends. */
const guard = new ExitGuard({
  addSignalListener: (signal, listener) => Deno.addSignalListener(signal, listener),
  removeSignalListener: (signal, listener) => Deno.removeSignalListener(signal, listener),
  othersListen: () => false, // Deno cannot tell; programs take signals over with onSignal
  onExit: (fn) => globalThis.addEventListener("unload", fn),
  killGroup,
  removeSync: (path) => Deno.removeSync(path, { recursive: true }),
  exit: (code) => Deno.exit(code),
});

function toStatus(status: Deno.CommandStatus): ProcessStatus {
  return status.signal ? { code: null, signal: status.signal } : { code: status.code, signal: null };
}

function spawn(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = withPermission("--allow-run", `run '${command}'`, () =>
    new Deno.Command(command, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn());
  const pid = child.pid;
  const status = child.status.then(toStatus);
  guard.trackGroup(pid, status);
  return {
    pid,
    stdout: child.stdout,
    stderr: child.stderr,
    stdin: options.stdin ? child.stdin : undefined,
    status,
    killTree: (signal = "SIGTERM") => killGroup(pid, signal),
    // Deno's unref covers the status and the stdout/stderr reads.
    unref: () => child.unref(),
    ref: () => child.ref(),
  };
}

async function run(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const output = await withPermission("--allow-run", `run '${command}'`, () =>
    new Deno.Command(command, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output());
  const decoder = new TextDecoder();
  return {
    code: output.signal ? null : output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function openAppendFile(path: string): Promise<AppendFile> {
  const file = await withPermission(
    "--allow-write",
    `open '${path}' for appending`,
    () => Deno.open(path, { append: true, create: true, mode: 0o600 }),
  );
  // Writes are queued so callers can log synchronously; the first failure stops further writes.
  let queue: Promise<void> = Promise.resolve();
  let failed = false;
  return {
    write(text: string) {
      if (failed) return;
      const bytes = encoder.encode(text);
      queue = queue.then(async () => {
        let offset = 0;
        while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
      }).catch(() => {
        failed = true;
      });
    },
    async close() {
      await queue;
      file.close();
    },
  };
}

async function serveHttp(handler: FetchHandler, options: ServeHttpOptions): Promise<HttpServerHandle> {
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = withPermission(
    "--allow-net",
    `listen on ${options.hostname}:${options.port}`,
    () =>
      Deno.serve({
        hostname: options.hostname,
        port: options.port,
        onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
        // A handler that throws answers 500 without the stack; the handler logs what it needs to.
        onError: () => new Response(null, { status: 500 }),
      }, (request) => handler(request)),
  );
  const addr = await Promise.race([
    listening.promise,
    server.finished.then(() => server.addr as Deno.NetAddr),
  ]);
  return {
    hostname: addr.hostname,
    port: addr.port,
    close: async () => {
      await server.shutdown();
    },
  };
}

function writeAllSync(target: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += target.writeSync(bytes.subarray(offset));
}

/** The permission a socket address needs: unix sockets are files to Deno. */
function socketPermission(address: SocketAddress): PermissionFlag {
  return address.transport === "unix" ? "--allow-read' and '--allow-write" : "--allow-net";
}

function describeAddress(address: SocketAddress): string {
  return address.transport === "unix"
    ? `unix://${address.path}`
    : `tcp://${address.hostname}:${address.port}`;
}

/**
 * One request with Deno's fetch; a unix socket goes through an HTTP client made for this request
 * (closed once the body is read or cancelled, so no client outlives its request).
 */
async function httpRequest(address: SocketAddress, request: SocketHttpRequest): Promise<SocketHttpResponse> {
  const client = address.transport === "unix"
    ? withPermission(
      socketPermission(address),
      `connect to ${describeAddress(address)}`,
      () => Deno.createHttpClient({ proxy: { transport: "unix", path: address.path } }),
    )
    : undefined;
  const origin = address.transport === "unix"
    ? "http://localhost"
    : `http://${address.hostname}:${address.port}`;
  let response: Response;
  try {
    response = await withPermission(
      socketPermission(address),
      `connect to ${describeAddress(address)}`,
      () =>
        fetch(origin + request.path, {
          method: request.method,
          headers: request.headers,
          body: request.body as BodyInit | undefined,
          signal: request.signal,
          client,
        }),
    );
  } catch (error) {
    client?.close();
    throw error;
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => headers[name.toLowerCase()] = value);
  const source = response.body;
  if (!source) {
    client?.close();
    return { status: response.status, headers, body: new ReadableStream({ start: (c) => c.close() }) };
  }
  const reader = source.getReader();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    client?.close();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      release();
    },
  }, { highWaterMark: 0 });
  return { status: response.status, headers, body };
}

async function connect(address: SocketAddress): Promise<SocketConnection> {
  const conn = await withPermission(
    socketPermission(address),
    `connect to ${describeAddress(address)}`,
    () =>
      address.transport === "unix"
        ? Deno.connect({ transport: "unix", path: address.path })
        : Deno.connect({ transport: "tcp", hostname: address.hostname, port: address.port }),
  );
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };
  // Not `conn.writable`: closing that closes the whole socket, and the reply would be lost.
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      let offset = 0;
      while (offset < chunk.length) offset += await conn.write(chunk.subarray(offset));
    },
    close: () => conn.closeWrite(),
    abort: close,
  });
  return { readable: conn.readable, writable, close };
}

/** `length` bytes of an open file from its current position, as a stream that closes the file. */
function boundedStream(file: Deno.FsFile, length: number): ReadableStream<Uint8Array> {
  let left = length;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = new Uint8Array(Math.min(left, 256 * 1024));
      const read = chunk.length === 0 ? null : await file.read(chunk);
      if (read === null) {
        file.close();
        controller.close();
        return;
      }
      left -= read;
      controller.enqueue(chunk.subarray(0, read));
    },
    cancel: () => file.close(),
  }, { highWaterMark: 0 });
}

async function openReadStream(path: string, range?: ByteRange): Promise<ReadableStream<Uint8Array>> {
  const file = await withPermission("--allow-read", `read '${path}'`, () => Deno.open(path, { read: true }));
  if (!range) return file.readable;
  try {
    await file.seek(range.start, Deno.SeekMode.Start);
  } catch (error) {
    file.close();
    throw error;
  }
  return boundedStream(file, Math.max(0, range.end - range.start));
}

async function stat(path: string): Promise<FileInfo | undefined> {
  try {
    const info = await withPermission("--allow-read", `look up '${path}'`, () => Deno.stat(path));
    return { size: info.size, mtimeMs: info.mtime?.getTime() ?? 0 };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * The Deno adapter. Needs `--allow-run` to spawn, `--allow-read`/`--allow-write` for files and
 * `--allow-env` for environment variables; a missing flag is reported by name.
 *
 * @example Run a short command
 * ```ts
 * import { denoRuntime } from "./deno.ts";
 * const { code, stdout } = await denoRuntime.run("echo", ["hi"]);
 * if (code !== 0 || stdout !== "hi\n") throw new Error(stdout);
 * ```
 */
export const denoRuntime: Runtime = {
  name: "deno",
  spawn,
  run,
  readTextFile: (path) => withPermission("--allow-read", `read '${path}'`, () => Deno.readTextFile(path)),
  writeTextFile: (path: string, text: string, options: WriteFileOptions = {}) =>
    withPermission(
      "--allow-write",
      `write '${path}'`,
      () => Deno.writeTextFile(path, text, { mode: options.mode, append: options.append }),
    ),
  openAppendFile,
  openReadStream,
  stat,
  exists: (path) =>
    withPermission("--allow-read", `check whether '${path}' exists`, async () => {
      try {
        await Deno.lstat(path);
        return true;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return false;
        throw error;
      }
    }),
  createFileExclusive: (path, text, options = {}) =>
    withPermission("--allow-write", `create '${path}'`, async () => {
      try {
        await Deno.writeTextFile(path, text, { createNew: true, mode: options.mode });
        return true;
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) return false;
        throw error;
      }
    }),
  mkdir: (path) =>
    withPermission(
      "--allow-write",
      `create directory '${path}'`,
      () => Deno.mkdir(path, { recursive: true }),
    ),
  remove: (path) =>
    withPermission("--allow-write", `remove '${path}'`, async () => {
      try {
        await Deno.remove(path, { recursive: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      guard.removed(path);
    }),
  makeTempDir: (prefix) =>
    withPermission("--allow-write", "create a temporary directory", async () => {
      const dir = await Deno.makeTempDir({ prefix });
      guard.trackTempDir(dir); // removed at exit if the caller cannot (a signal, Deno.exit)
      return dir;
    }),
  env: (name) =>
    withPermission("--allow-env", `read environment variable '${name}'`, () => Deno.env.get(name)),
  homeDir: () =>
    withPermission(
      "--allow-env",
      "find the home directory",
      () => Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? "/",
    ),
  cwd: () => withPermission("--allow-read", "read the current directory", () => Deno.cwd()),
  stderrIsTerminal: () => Deno.stderr.isTerminal(),
  writeStderr: (text) => writeAllSync(Deno.stderr, text),
  writeStdout: (text) => writeAllSync(Deno.stdout, text),
  joinPath: (...parts) => parts.filter((p) => p !== "").join("/").replace(/\/{2,}/g, "/"),
  processIdentity: () => {
    try {
      return { pid: Deno.pid, hostname: Deno.hostname() };
    } catch {
      return undefined; // no --allow-sys: nothing can be marked as ours
    }
  },
  processAlive: (pid) => {
    // Deno cannot send signal 0; Linux shows live processes (and zombies, which are ended) in /proc.
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      return !/\) Z /.test(stat);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return Deno.build.os !== "linux";
      return true;
    }
  },
  memoryRss: () => {
    try {
      return Deno.memoryUsage().rss;
    } catch {
      return undefined;
    }
  },
  args: () => [...Deno.args],
  exit: (code) => Deno.exit(code),
  onSignal: (handler) => guard.onSignal(handler),
  onInterrupt: (handler) => guard.onSignal(handler, ["SIGINT"]),
  // Through the guard too: a program that drains on SIGTERM (airbyte-ts serve) is not ended for it.
  onTerminate: (handler) => guard.onSignal(handler, ["SIGTERM"]),
  httpRequest,
  connect,
  serveHttp,
};
