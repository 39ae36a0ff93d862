// One admitted run: the connector started through its local executor, its stdout streamed into
// the response between a start line and an end line (see executors/remote/_wire.ts), and every way
// out — success, failure, timeout, drain, client gone — ending the connector and telling once how
// it ended. The response body is pulled: a slow client stops the reads from the connector's stdout,
// the pipe fills and the connector waits, so server memory stays at a chunk or two per run.
import { RemoteRefusedError } from "../errors.ts";
import type { Executor } from "../executors/executor.ts";
import { StderrTail } from "../executors/_stderr_tail.ts";
import {
  END_TYPE,
  errorToWire,
  PROTOCOL_VERSION,
  type RunEnd,
  type RunStart,
  START_TYPE,
  type Verb,
} from "../executors/remote/_wire.ts";
import type { InputChunks } from "./_input_chunks.ts";
import { deferred } from "./_deferred.ts";

const encoder = new TextEncoder();
const NEWLINE = 10;

/** How a run ended, for the server's log and its counters. */
export interface RunOutcome {
  ok: boolean;
  /** The error code when it failed (`SUBPROCESS_FAILED`, `REMOTE_REFUSED`, ...). */
  code?: string;
  /** True when the client went away before the end. */
  clientGone: boolean;
  bytesOut: number;
  millis: number;
}

/** What a run needs. */
export interface ServerRunInit {
  id: string;
  connector: string;
  verb: Verb;
  executor: Executor;
  files: Record<string, string>;
  /** The destination's input lines (`write`). */
  stdin?: AsyncIterable<string>;
  /** The chunk queue when input comes in chunks; closed when the run ends. */
  input?: InputChunks;
  /** Ends the run with a 504 refusal after this long; 0 = never. */
  timeoutMs: number;
  /** Runs before the connector starts (inside the run's time and error handling). */
  prepare?: (signal: AbortSignal) => Promise<void>;
  /** Called once, when the connector has ended and its files are gone. */
  onEnd: (outcome: RunOutcome) => void;
}

/** Thrown into a run whose client disconnected; nobody sees it. */
class ClientGone extends Error {
  constructor() {
    super("The client disconnected.");
  }
}

/** A run admitted by the server. */
export class ServerRun {
  readonly id: string;
  readonly connector: string;
  readonly verb: Verb;
  readonly input?: InputChunks;
  readonly #init: ServerRunInit;
  readonly #controller = new AbortController();
  readonly #tail = new StderrTail();
  readonly #startedAt = Date.now();
  #timer?: ReturnType<typeof setTimeout>;
  #bytesOut = 0;
  #ended = false;
  #outputStarted = false;
  readonly #done = deferred<void>();

  constructor(init: ServerRunInit) {
    this.#init = init;
    this.id = init.id;
    this.connector = init.connector;
    this.verb = init.verb;
    this.input = init.input;
    if (init.timeoutMs > 0) {
      this.#timer = setTimeout(() => {
        const seconds = Math.round(init.timeoutMs / 1000);
        this.abort(
          new RemoteRefusedError(
            504,
            "run_timeout",
            `The run was ended after ${seconds} s, the server's limit.`,
            {
              guidance:
                "Read fewer streams or records per run (incremental reads continue where they stopped), " +
                "or raise 'limits.runTimeoutSeconds' in the server configuration.",
              context: { connector: init.connector },
            },
          ),
        );
      }, init.timeoutMs);
    }
  }

  /** Resolves once the connector has ended and the run is cleaned up. */
  get ended(): Promise<void> {
    return this.#done.promise;
  }

  /** End the run now; the client (if still there) gets `reason` as the run's error. */
  abort(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    // Not started yet: nothing runs that could end it later.
    if (!this.#outputStarted) this.#end(reason, reason instanceof ClientGone);
  }

  /** End the run because its client asked for it or went away; nobody reads the end line. */
  cancelByClient(): void {
    this.abort(new ClientGone());
  }

  /** The response body: start line, the connector's stdout, end line. Read it once. */
  body(): ReadableStream<Uint8Array> {
    let output: AsyncIterator<Uint8Array> | undefined;
    let started = false;
    let cancelled = false;
    let lastByte = NEWLINE;
    const finish = (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
      if (cancelled) return;
      const end = this.#endLine(error);
      controller.enqueue(encoder.encode((lastByte === NEWLINE ? "" : "\n") + end));
      controller.close();
    };
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (!started) {
          started = true;
          const start: RunStart = {
            type: START_TYPE,
            run: this.id,
            connector: this.connector,
            verb: this.verb,
            protocol: PROTOCOL_VERSION,
          };
          controller.enqueue(encoder.encode(JSON.stringify(start) + "\n"));
          output = this.#output()[Symbol.asyncIterator]();
          return;
        }
        try {
          const next = await output!.next();
          if (cancelled) return;
          if (next.done) return finish(controller, undefined);
          const chunk = next.value;
          if (chunk.length === 0) return;
          lastByte = chunk[chunk.length - 1];
          this.#bytesOut += chunk.length;
          controller.enqueue(chunk);
        } catch (error) {
          finish(controller, error);
        }
      },
      cancel: async () => {
        // The client went away (disconnect, or it stopped reading): end the connector now.
        cancelled = true;
        this.cancelByClient();
        await output?.return?.(undefined).catch(() => {});
      },
    }, { highWaterMark: 1 });
  }

  /** The connector's stdout; the run is over when this generator is. */
  async *#output(): AsyncGenerator<Uint8Array> {
    const signal = this.#controller.signal;
    this.#outputStarted = true;
    let failure: unknown;
    try {
      await this.#init.prepare?.(signal);
      signal.throwIfAborted();
      const options = {
        files: this.#init.files,
        stdin: this.#init.stdin,
        signal,
        onStderr: (line: string) => void this.#tail.push(line),
      };
      yield* this.#init.executor.execute([this.verb], options);
      signal.throwIfAborted();
    } catch (error) {
      failure = signal.aborted ? signal.reason : error;
      throw failure;
    } finally {
      this.#end(failure, signal.reason instanceof ClientGone);
    }
  }

  #end(failure: unknown, clientGone: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.input?.close(failure ?? new Error("The run has ended."));
    const code = failure === undefined ? undefined : (failure as { code?: string })?.code ?? "SERVER_ERROR";
    this.#init.onEnd({
      ok: failure === undefined,
      code,
      clientGone,
      bytesOut: this.#bytesOut,
      millis: Date.now() - this.#startedAt,
    });
    this.#done.resolve();
  }

  #endLine(error: unknown): string {
    const end: RunEnd = { type: END_TYPE, run: this.id, ok: error === undefined };
    if (error === undefined) end.exitCode = 0;
    else {
      const wire = errorToWire(error);
      end.error = wire;
      const exitCode = wire.context?.exitCode;
      if (typeof exitCode === "number" || exitCode === null) end.exitCode = exitCode;
    }
    end.logTail = this.#tail.lines();
    return JSON.stringify(end);
  }
}
