/**
 * The message loop: one connector command's stdout bytes become Airbyte messages. Lines are split
 * and decoded here, once, whatever the executor. LOG messages feed the logger and a log tail,
 * malformed lines are logged and skipped, a TRACE error becomes `ConnectorFailedError` once the
 * connector has ended (so its exit code is known), and CONTROL messages go to a callback.
 *
 * With a `recordLine` sink (a cache's record scanner), every line is first offered as bytes, and
 * only the lines it declines are decoded and parsed.
 *
 * @module
 */
import { AirbyteError, ConnectorFailedError } from "../errors.ts";
import type { Executor } from "../executors/executor.ts";
import type { Logger } from "../logger.ts";
import { LineSpans, LineSplitter } from "../protocol/line_splitter.ts";
import { parseMessageLine } from "../protocol/message_parser.ts";
import type { AirbyteMessage } from "../protocol/messages.ts";
import { maskSecrets } from "../secrets.ts";

/**
 * Options for one connector run.
 *
 * @example Run `read` with a config and a catalog, abortable
 * ```ts
 * import type { RunOptions } from "./message_loop.ts";
 * const options: RunOptions = {
 *   files: { "--config": "{}", "--catalog": '{"streams":[]}' },
 *   signal: AbortSignal.timeout(60_000),
 * };
 * if (!options.files) throw new Error();
 * ```
 */
export interface RunOptions {
  /** Private files for the connector, keyed by flag (`--config`, `--catalog`, `--state`). */
  files?: Record<string, string>;
  /** Lines for the connector's stdin (a destination's input). */
  stdin?: AsyncIterable<string>;
  /** Aborting ends the connector and the run. */
  signal?: AbortSignal;
  /**
   * Offered every stdout line as UTF-8 bytes before it is decoded. It returns true when it took
   * the line, false to let it be parsed as usual, or a promise to wait for before the next line,
   * which settles to false when the line is to be parsed after all. The cache's record scanner.
   */
  recordLine?: RecordLineSink;
}

/**
 * Takes a line `bytes[start, end)` (true), declines it (false), or asks the reader to wait (a
 * promise; `false` from it declines). See {@linkcode RunOptions.recordLine}.
 *
 * @example A sink that takes nothing (every line is parsed as usual)
 * ```ts
 * import type { RecordLineSink } from "./message_loop.ts";
 * const declineAll: RecordLineSink = () => false;
 * if (declineAll(new Uint8Array(), 0, 0) !== false) throw new Error();
 * ```
 */
export type RecordLineSink = (
  bytes: Uint8Array,
  start: number,
  end: number,
) => boolean | Promise<boolean | void>;

/** The `error` of a TRACE message of type ERROR. */
interface TraceError {
  message?: string;
  internal_message?: string;
  failure_type?: string;
}

const LOG_TAIL = 50;

/**
 * Runs a connector's commands through its executor and reads their messages. One per connector.
 *
 * @example Read the messages of an in-process connector
 * ```ts
 * import { MessageLoop } from "./message_loop.ts";
 * import { InProcessExecutor } from "../executors/in_process.ts";
 * import { memoryLogger } from "../logger.ts";
 * const executor = new InProcessExecutor({
 *   name: "source-one",
 *   spec: async () => ({ connectionSpecification: {} }),
 *   check: async () => ({ status: "SUCCEEDED" }),
 *   discover: async () => ({ streams: [] }),
 *   read: () => [{ type: "LOG", log: { level: "INFO", message: "hi" } }],
 * });
 * const loop = new MessageLoop("source-one", executor, { logger: memoryLogger(), onControl: async () => {} });
 * const messages = await Array.fromAsync(loop.run("spec"));
 * if (messages[0].type !== "SPEC") throw new Error();
 * ```
 */
export class MessageLoop {
  readonly #name: string;
  readonly #executor: Executor;
  readonly #logger: Logger;
  readonly #onControl: (message: AirbyteMessage, verb: string) => Promise<void>;
  #logTail: string[] = [];
  #traceError?: TraceError;

  /**
   * @param name The connector's name, for messages.
   * @param executor How the connector runs.
   * @param options `logger` for LOG lines and skipped lines; `onControl` applies CONTROL messages.
   */
  constructor(
    name: string,
    executor: Executor,
    options: { logger: Logger; onControl: (message: AirbyteMessage, verb: string) => Promise<void> },
  ) {
    this.#name = name;
    this.#executor = executor;
    this.#logger = options.logger;
    this.#onControl = options.onControl;
  }

  /** The last connector log lines (LOG messages, skipped lines and stderr), masked. */
  lastLogLines(): string[] {
    const stderr = this.#executor.lastLogLines?.() ?? [];
    return [...this.#logTail, ...stderr].slice(-LOG_TAIL).map(maskSecrets);
  }

  /** Note a line in the log tail (masked), e.g. that a config update was applied. */
  remember(line: string): void {
    this.#logTail.push(maskSecrets(line));
    if (this.#logTail.length > LOG_TAIL) this.#logTail.shift();
  }

  /** Run one verb and yield its messages (LOG, malformed lines and CONTROL are consumed). */
  async *run(verb: string, options: RunOptions = {}): AsyncGenerator<AirbyteMessage> {
    for await (const batch of this.runBatches(verb, options)) yield* batch;
  }

  /**
   * {@linkcode MessageLoop.run} in batches: one array per chunk of output, so a hot loop takes one
   * async step per chunk rather than per message. With `recordLine`, each declined message comes
   * alone and at once, so that a STATE is handled after exactly the records before it.
   */
  async *runBatches(verb: string, options: RunOptions = {}): AsyncGenerator<AirbyteMessage[]> {
    this.#logTail = [];
    this.#traceError = undefined;
    const chunks = this.#executor.execute([verb], {
      files: options.files,
      stdin: options.stdin,
      signal: options.signal,
    });
    try {
      yield* this.#read(chunks, verb, options.recordLine);
    } catch (error) {
      if (this.#traceError) throw this.#traceFailure(this.#traceError, error);
      throw error;
    }
    if (this.#traceError) throw this.#traceFailure(this.#traceError, undefined);
  }

  async *#read(
    chunks: AsyncIterable<Uint8Array>,
    verb: string,
    recordLine: RecordLineSink | undefined,
  ): AsyncGenerator<AirbyteMessage[]> {
    const splitter = new LineSplitter();
    const spans = new LineSpans();
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    let ended = false;
    try {
      for await (const chunk of chunks) {
        yield* this.#handle(splitter.pushSpans(chunk, spans), decoder, verb, recordLine);
      }
      ended = true;
      yield* this.#handle(splitter.flushSpans(spans), decoder, verb, recordLine);
    } finally {
      // A failing connector's last line (often its TRACE error) may lack a newline: read it too.
      if (!ended) {
        splitter.flushSpans(spans);
        for (let k = 0; k < spans.count; k++) {
          const line = spans.text(k, decoder);
          if (line.includes('"TRACE"')) this.#take(line);
        }
      }
    }
  }

  async *#handle(
    spans: LineSpans,
    decoder: TextDecoder,
    verb: string,
    recordLine: RecordLineSink | undefined,
  ): AsyncGenerator<AirbyteMessage[]> {
    const out: AirbyteMessage[] = [];
    for (let k = 0; k < spans.count; k++) {
      const buffer = spans.buffers[k], start = spans.starts[k], end = spans.ends[k];
      if (end === start) continue;
      if (recordLine) {
        const taken = recordLine(buffer, start, end);
        if (taken === true) continue;
        if (taken !== false && await taken !== false) continue;
      }
      const msg = this.#take(decoder.decode(buffer.subarray(start, end)));
      if (msg === undefined) continue;
      // `spec` takes no config, and applying one would wait on the spec being read now.
      if (msg.type === "CONTROL") {
        if (verb !== "spec") await this.#onControl(msg, verb);
      } else if (recordLine) yield [msg];
      else out.push(msg);
    }
    if (out.length) yield out;
  }

  /**
   * One line of output: a message to pass on (CONTROL included), or undefined when it was
   * consumed here: LOG messages feed the logger and the log tail, a TRACE error is remembered,
   * malformed lines are logged and skipped.
   */
  #take(line: string): AirbyteMessage | undefined {
    if (line.length === 0) return undefined;
    const outcome = parseMessageLine(line);
    if (!outcome.ok) {
      const note = `Skipped a line from '${this.#name}' that is not a valid Airbyte message ` +
        `(${outcome.reason}): ${outcome.excerpt}`;
      this.remember(note);
      this.#logger.warn(note);
      return undefined;
    }
    const msg = outcome.message;
    switch (msg.type) {
      case "LOG": {
        const log = msg.log as { level: string; message: string };
        this.remember(`${log.level} ${log.message}`);
        if (log.level === "ERROR" || log.level === "FATAL") {
          this.#logger.warn(`[${this.#name}] ${log.message}`);
        } else this.#logger.debug(`[${this.#name}] ${log.message}`);
        return undefined;
      }
      case "TRACE": {
        const trace = msg.trace as { type: string; error?: TraceError };
        if (trace.type === "ERROR") {
          this.#traceError ??= trace.error ?? {};
          this.remember(`TRACE ERROR ${trace.error?.message ?? ""}`);
          return undefined;
        }
        return msg;
      }
      default:
        return msg;
    }
  }

  #traceFailure(trace: TraceError, cause: unknown): ConnectorFailedError {
    const exitCode = cause instanceof AirbyteError ? cause.context.exitCode : undefined;
    return new ConnectorFailedError(
      `Connector '${this.#name}' failed: ${trace.message ?? "(no message)"}`,
      {
        failureType: trace.failure_type,
        internalMessage: trace.internal_message,
        guidance: trace.failure_type === "config_error"
          ? "The connector rejected its config; fix it and run again."
          : trace.failure_type === "transient_error"
          ? "The connector reported a transient failure; running again may succeed."
          : undefined,
        context: { connector: this.#name, exitCode, logTail: this.lastLogLines() },
        cause,
      },
    );
  }
}
