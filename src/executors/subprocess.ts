/**
 * Run a connector as a local process: stdout lines stream out as they are produced, stdin lines
 * are written while stdout is read (so neither side can block the other), stderr goes to a
 * masked in-memory tail and a per-run log file. The process leads its own process group, and
 * every way out of a run (end, failure, `break`, abort) leaves no process and no temp file behind.
 *
 * @module
 */
import { AirbyteError, ConnectorInstallError, SubprocessFailedError } from "../errors.ts";
import { LineSplitter } from "../protocol/line_splitter.ts";
import { getRuntime } from "../runtime/detect.ts";
import { logsDir } from "../runtime/paths.ts";
import type { AppendFile, ChildProcess, ProcessStatus, Runtime } from "../runtime/runtime.ts";
import type { ExecuteOptions, Executor } from "./executor.ts";
import { removeConnectorFiles, writeConnectorFiles } from "./_connector_files.ts";
import { StderrTail } from "./_stderr_tail.ts";
import { openRunLog } from "./_run_log.ts";
import { pumpStdinLines } from "./_stdin_pump.ts";

/** How long a connector gets to exit after SIGTERM before the group gets SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Longest stderr line kept; longer ones are skipped (a stuck progress bar, a binary dump). */
const STDERR_MAX_LINE_BYTES = 1024 * 1024;

/**
 * Options for {@linkcode SubprocessExecutor}.
 *
 * @example A Python connector script with an extra variable
 * ```ts
 * import type { SubprocessExecutorOptions } from "./subprocess.ts";
 * const options: SubprocessExecutorOptions = { command: "python3", args: ["source.py"], env: { TZ: "UTC" } };
 * if (options.command !== "python3") throw new Error();
 * ```
 */
export interface SubprocessExecutorOptions {
  /** The program to run: a path, or a name looked up on `PATH`. */
  command: string;
  /** Arguments that go before every verb, e.g. a script path. @default {[]} */
  args?: string[];
  /** Environment variables added to the parent's. */
  env?: Record<string, string>;
  /** Working directory of the process. @default the current directory */
  cwd?: string;
  /** The runtime to spawn with. @default the detected runtime */
  runtime?: Runtime;
  /** The connector's name, for logs and errors. @default the command's file name */
  name?: string;
  /** Where per-run log files go; `false` keeps no log file. @default `logsDir(runtime)` */
  logDir?: string | false;
}

/**
 * Runs a connector binary (or script) on this machine, in Deno or Node.
 *
 * @example Stream a command's stdout lines
 * ```ts
 * import { SubprocessExecutor } from "./subprocess.ts";
 * import { splitLines } from "../protocol/line_splitter.ts";
 * const executor = new SubprocessExecutor({ command: "sh", args: ["-c", 'echo "$0"; echo done'], logDir: false });
 * const lines: string[] = [];
 * for await (const line of splitLines(executor.execute(["spec"]))) lines.push(line);
 * if (lines.join(",") !== "spec,done") throw new Error(lines.join(","));
 * ```
 */
export class SubprocessExecutor implements Executor {
  /** The connector's name, used in logs and errors. */
  readonly name: string;
  readonly #command: string;
  readonly #prefixArgs: string[];
  readonly #env?: Record<string, string>;
  readonly #cwd?: string;
  readonly #runtime?: Runtime;
  readonly #logDir?: string | false;
  #tail = new StderrTail();
  #logFile?: string;

  /**
   * Describe how to run the connector; nothing starts until `execute`.
   *
   * @param options What to run and how; see {@linkcode SubprocessExecutorOptions}.
   */
  constructor(options: SubprocessExecutorOptions) {
    this.#command = options.command;
    this.#prefixArgs = options.args ?? [];
    this.#env = options.env;
    this.#cwd = options.cwd;
    this.#runtime = options.runtime;
    this.#logDir = options.logDir;
    this.name = options.name ?? (options.command.split("/").pop() || options.command);
  }

  /** The last stderr lines of the most recent run, masked, oldest first. */
  lastLogLines(): string[] {
    return this.#tail.lines();
  }

  /** The log file of the most recent run, if one was written. */
  get lastLogFile(): string | undefined {
    return this.#logFile;
  }

  /**
   * Run the connector with `args` and yield its stdout bytes as they are read.
   *
   * @param args The verb and its arguments, e.g. `["read"]`; the `files` flags are appended.
   * @param options stdin lines, an abort signal, private files and a stderr callback.
   * @returns The connector's stdout, chunk by chunk.
   * @throws {SubprocessFailedError} when the process exits non-zero or is killed by a signal.
   * @throws {ConnectorInstallError} when the command cannot be started.
   */
  execute(args: string[], options: ExecuteOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    // Watched: an iteration dropped unfinished (neither read to the end nor returned) ends its
    // connector once the iterator is garbage-collected.
    const abandonment: Abandonment = {};
    const iterator = this.#run(args, options, abandonment);
    abandoned.register(iterator, abandonment, abandonment);
    return iterator;
  }

  async *#run(
    args: string[],
    options: ExecuteOptions,
    abandonment: Abandonment,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const { signal } = options;
    signal?.throwIfAborted();
    const rt = this.#runtime ?? await getRuntime();
    const verb = args[0] ?? "";
    const tail = new StderrTail();
    this.#tail = tail;
    this.#logFile = undefined;

    let filesDir: string | undefined;
    let run: Run | undefined;
    try {
      let fileArgs: string[] = [];
      if (options.files && Object.keys(options.files).length > 0) {
        const written = await writeConnectorFiles(rt, options.files);
        filesDir = written.dir;
        fileArgs = written.args;
        abandonment.files = { rt, dir: filesDir };
      }
      signal?.throwIfAborted();
      const logDir = this.#logDir === false ? undefined : this.#logDir ?? logsDir(rt);
      const child = this.#spawn(rt, [...this.#prefixArgs, ...args, ...fileArgs], options.stdin !== undefined);
      run = new Run(child, KILL_GRACE_MS);
      abandonment.run = run;
      const logFile = logDir === undefined ? undefined : this.#logPath(rt, logDir, child.pid);
      this.#logFile = logFile;
      run.drainStderr(tail, options.onStderr, logFile ? openRunLog(rt, logFile) : undefined);
      if (options.stdin && child.stdin) run.pumpStdin(options.stdin, child.stdin);
      run.stopOn(signal);

      for await (const chunk of run.stdoutChunks()) {
        signal?.throwIfAborted();
        yield chunk;
      }
      signal?.throwIfAborted();
      const status = await run.finish();
      signal?.throwIfAborted();
      if (run.inputError !== undefined) throw run.inputError;
      if (status.code !== 0) throw this.#failure(verb, status, tail, logFile);
    } finally {
      // Reached on success, failure, abort and when the consumer stops early.
      abandoned.unregister(abandonment);
      await run?.close();
      await removeConnectorFiles(rt, filesDir);
    }
  }

  #spawn(rt: Runtime, args: string[], withStdin: boolean): ChildProcess {
    try {
      return rt.spawn(this.#command, args, { env: this.#env, cwd: this.#cwd, stdin: withStdin });
    } catch (error) {
      if (error instanceof AirbyteError) throw error;
      const notFound = (error as Error)?.name === "NotFound";
      throw new ConnectorInstallError(
        notFound
          ? `Cannot start connector '${this.name}': executable '${this.#command}' was not found.`
          : `Cannot start connector '${this.name}' ('${this.#command}'): ${
            (error as Error)?.message ?? error
          }`,
        {
          guidance: notFound
            ? "Install the connector, give the full path of its executable, or use 'pipUrl' to install it into a venv."
            : "Check that the file is an executable program (chmod +x) with a valid interpreter line.",
          context: { connector: this.name, command: this.#command },
          cause: error,
        },
      );
    }
  }

  #logPath(rt: Runtime, dir: string, pid: number): string {
    const stamp = new Date().toISOString().replace(/:/g, "-");
    const safeName = this.name.replace(/[^A-Za-z0-9_.-]/g, "_");
    return rt.joinPath(dir, `${safeName}-${stamp}-${pid}.log`);
  }

  #failure(
    verb: string,
    status: ProcessStatus,
    tail: StderrTail,
    logFile: string | undefined,
  ): SubprocessFailedError {
    const how = status.signal ? `was killed by signal ${status.signal}` : `exited with code ${status.code}`;
    return new SubprocessFailedError(`Connector '${this.name}' ${how} while running '${verb}'.`, {
      guidance: logFile ? `The full log of this run is in '${logFile}'.` : undefined,
      context: {
        connector: this.name,
        exitCode: status.code,
        signal: status.signal ?? undefined,
        logTail: tail.lines(),
        logFile,
      },
    });
  }
}

/** What a dropped iteration leaves to clean up. */
interface Abandonment {
  run?: Run;
  files?: { rt: Runtime; dir: string };
}

/** Iterations dropped unfinished and collected: their connector group is killed, temp files removed. */
const abandoned = new FinalizationRegistry<Abandonment>((left) => {
  left.run?.abandon();
  if (left.files) void removeConnectorFiles(left.files.rt, left.files.dir);
});

function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * The moving parts of one process run: stdout and stderr readers, the stdin pump, the abort hook
 * and termination. Kept apart from the executor so that `execute` reads as the happy path.
 */
class Run {
  readonly #child: ChildProcess;
  readonly #graceMs: number;
  readonly #stdout: ReadableStreamDefaultReader<Uint8Array>;
  #exited = false;
  #closed = false;
  #terminating?: Promise<void>;
  #stderr?: ReadableStreamDefaultReader<Uint8Array>;
  #stderrDone: Promise<void> = Promise.resolve();
  #stdinWriter?: WritableStreamDefaultWriter<Uint8Array>;
  #unhookAbort?: () => void;
  #exitTimer?: ReturnType<typeof setTimeout>;
  /** An error thrown by the stdin source (not a failed write): it ends the run. */
  inputError: unknown = undefined;

  constructor(child: ChildProcess, graceMs: number) {
    this.#child = child;
    this.#graceMs = graceMs;
    this.#stdout = child.stdout.getReader();
    child.status.then(() => {
      this.#exited = true;
      // Descendants that outlive the connector and hold its stdout open would keep the run from
      // ending; give them the grace period, then end the group.
      if (!this.#closed) this.#exitTimer = setTimeout(() => child.killTree("SIGKILL"), graceMs);
    });
  }

  /**
   * stdout's chunks as they are read. While a chunk is out with the consumer (this generator waits
   * at `yield`), the child does not keep the program alive: a program that drops the iteration
   * can end, and the runtime then ends the connector's group and removes its temp files.
   */
  async *stdoutChunks(): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      this.#child.ref();
      const { done, value } = await this.#stdout.read();
      if (done) return;
      this.#child.unref();
      yield value;
    }
  }

  /** The iteration was dropped unfinished and collected: end the group now, without waiting. */
  abandon(): void {
    if (!this.#exited) this.#child.killTree("SIGKILL");
  }

  /** Read stderr line by line into `tail`, the callback and the log file, until it ends. */
  drainStderr(
    tail: StderrTail,
    onLine: ((line: string) => void) | undefined,
    logOpening: Promise<AppendFile | undefined> | undefined,
  ): void {
    const reader = this.#child.stderr.getReader();
    this.#stderr = reader;
    const splitter = new LineSplitter({
      maxLineBytes: STDERR_MAX_LINE_BYTES,
      onOversizedLine: (info) => tail.push(`(skipped a stderr line of ${info.bytes} bytes)`),
    });
    this.#stderrDone = (async () => {
      const log = await logOpening;
      const take = (raw: string) => {
        const line = tail.push(raw);
        log?.write(line + "\n");
        try {
          onLine?.(line);
        } catch {
          // A faulty callback must not stop the drain: a full stderr pipe would stall the connector.
        }
      };
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const raw of splitter.push(value)) take(raw);
        }
        for (const raw of splitter.flush()) take(raw);
      } catch {
        // The stream broke: the tail keeps what arrived.
      } finally {
        await log?.close().catch(() => {});
      }
    })();
  }

  /** Write `source` lines to the connector's stdin while stdout is being read. */
  pumpStdin(source: AsyncIterable<string>, stdin: WritableStream<Uint8Array>): void {
    const writer = stdin.getWriter();
    this.#stdinWriter = writer;
    void pumpStdinLines(source, writer, {
      stopped: () => this.#closed,
      onSourceError: (error) => {
        this.inputError = error;
        void this.terminate();
      },
    });
  }

  /** End the run when `signal` aborts: stop reading stdout at once and end the process tree. */
  stopOn(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = () => {
      this.#stdout.cancel().catch(() => {});
      void this.terminate();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.#unhookAbort = () => signal.removeEventListener("abort", onAbort);
    if (signal.aborted) onAbort();
  }

  /** stdout has ended: wait for the exit status and for stderr, and end leftover descendants. */
  async finish(): Promise<ProcessStatus> {
    this.#child.ref();
    const status = await this.#child.status;
    // Processes the connector left running in its group are orphans now.
    this.#child.killTree("SIGTERM");
    await this.#waitForStderr();
    return status;
  }

  /** SIGTERM the group, then SIGKILL it once the leader is gone or the grace period is over. */
  terminate(): Promise<void> {
    this.#child.ref(); // the program waits for the group to end
    this.#terminating ??= (async () => {
      if (!this.#exited) {
        this.#child.killTree("SIGTERM");
        const timeout = delay(this.#graceMs);
        await Promise.race([this.#child.status, timeout.promise]);
        timeout.cancel();
      }
      // Whatever is left of the group (descendants ignoring SIGTERM) ends now.
      this.#child.killTree("SIGKILL");
      await this.#child.status;
    })();
    return this.#terminating;
  }

  /** Release everything, ending the process tree if it still runs. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unhookAbort?.();
    if (!this.#exited) await this.terminate();
    clearTimeout(this.#exitTimer);
    await this.#stdout.cancel().catch(() => {});
    this.#stdinWriter?.abort().catch(() => {});
    await this.#waitForStderr();
  }

  /** Wait for the stderr drain, but not forever: an escaped descendant may hold the pipe open. */
  async #waitForStderr(): Promise<void> {
    const timeout = delay(this.#graceMs);
    const drained = await Promise.race([
      this.#stderrDone.then(() => true),
      timeout.promise.then(() => false),
    ]);
    timeout.cancel();
    if (!drained) {
      await this.#stderr?.cancel().catch(() => {});
      await this.#stderrDone;
    }
  }
}
