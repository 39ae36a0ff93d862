/**
 * Run a connector written in JavaScript/TypeScript inside this process: no subprocess, no files,
 * no runtime calls, so it works in a browser or an edge worker. The connector is a plain object
 * with one method per Airbyte verb; its messages become the same JSON lines a process would print,
 * so everything downstream treats it like any other connector.
 *
 * @module
 */
import { InvalidArgumentError, SubprocessFailedError } from "../errors.ts";
import type { ExecuteOptions, Executor } from "./executor.ts";
import { StderrTail } from "./_stderr_tail.ts";

/**
 * An Airbyte message as a plain object (`{ type: "RECORD", record: {...} }`, ...).
 *
 * @example A LOG message
 * ```ts
 * import type { InProcessMessage } from "./in_process.ts";
 * const log: InProcessMessage = { type: "LOG", log: { level: "INFO", message: "starting" } };
 * if (log.type !== "LOG") throw new Error();
 * ```
 */
export type InProcessMessage = { type: string; [key: string]: unknown };

/**
 * What a connector method may return: messages one by one (a sync or async iterable), or a promise
 * of a single result (a bare spec, connection status or catalog is wrapped into its message).
 *
 * @example Three ways to answer `check`
 * ```ts
 * import type { InProcessResult } from "./in_process.ts";
 * type Status = { status: string; message?: string };
 * const bare: InProcessResult<Status> = Promise.resolve({ status: "SUCCEEDED" });
 * const message: InProcessResult<Status> = [{ type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED" } }];
 * const streamed: InProcessResult<Status> = (async function* () {
 *   yield { type: "LOG", log: { level: "INFO", message: "checking" } };
 *   yield { type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED" } };
 * })();
 * if (!bare || !message || !streamed) throw new Error();
 * ```
 */
export type InProcessResult<T> =
  | AsyncIterable<InProcessMessage>
  | Iterable<InProcessMessage>
  | Promise<T | InProcessMessage | AsyncIterable<InProcessMessage> | Iterable<InProcessMessage>>;

/**
 * A connector implemented in JavaScript. Each method returns the Airbyte messages of its verb,
 * either as an (async) iterable of messages or as a promise of one result. A bare result (a
 * spec, a connection status, a catalog) is wrapped into its message for you.
 *
 * @example A two-record source
 * ```ts
 * import type { InProcessConnector } from "./in_process.ts";
 * const numbers: InProcessConnector = {
 *   name: "source-numbers",
 *   spec: () => Promise.resolve({ connectionSpecification: { type: "object", properties: {} } }),
 *   check: () => Promise.resolve({ status: "SUCCEEDED" }),
 *   discover: () => Promise.resolve({ streams: [{ name: "n", json_schema: {}, supported_sync_modes: ["full_refresh"] }] }),
 *   read: () => [1, 2].map((i) => ({ type: "RECORD", record: { stream: "n", data: { i }, emitted_at: 0 } })),
 * };
 * if (numbers.name !== "source-numbers") throw new Error();
 * ```
 */
export interface InProcessConnector {
  /** The connector name, e.g. `source-numbers`. */
  readonly name: string;
  /** The connector specification (or its SPEC message). */
  spec(): InProcessResult<Record<string, unknown>>;
  /** Check the config; return a `{ status: "SUCCEEDED" | "FAILED", message? }` connection status. */
  check(config: Record<string, unknown>): InProcessResult<{ status: string; message?: string }>;
  /** The catalog of streams (or its CATALOG message). */
  discover(config: Record<string, unknown>): InProcessResult<Record<string, unknown>>;
  /** RECORD, STATE, LOG and TRACE messages for the configured catalog, resuming from `state`. */
  read(
    config: Record<string, unknown>,
    catalog: Record<string, unknown>,
    state?: unknown,
  ): InProcessResult<never>;
  /** A destination: consume `input` messages and yield the STATE messages it has made durable. */
  write?(
    config: Record<string, unknown>,
    catalog: Record<string, unknown>,
    input: AsyncIterable<InProcessMessage>,
  ): InProcessResult<never>;
}

const VERBS = ["spec", "check", "discover", "read", "write"] as const;
const encoder = new TextEncoder();

/** One message as the line of UTF-8 a process would print. */
function lineBytes(message: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(message) + "\n");
}
type Verb = typeof VERBS[number];

/** The message a bare result of `verb` stands for. */
function wrapResult(verb: Verb, value: Record<string, unknown>): InProcessMessage {
  if (typeof value.type === "string") return value as InProcessMessage;
  switch (verb) {
    case "spec":
      return { type: "SPEC", spec: value };
    case "check":
      return { type: "CONNECTION_STATUS", connectionStatus: value };
    case "discover":
      return { type: "CATALOG", catalog: value };
    default:
      return value as InProcessMessage;
  }
}

function isIterable(value: unknown): value is AsyncIterable<InProcessMessage> | Iterable<InProcessMessage> {
  return value != null && typeof value === "object" &&
    (Symbol.asyncIterator in value || Symbol.iterator in value);
}

async function* asMessages(verb: Verb, result: InProcessResult<unknown>): AsyncGenerator<InProcessMessage> {
  const settled = await result;
  if (isIterable(settled)) {
    yield* settled as AsyncIterable<InProcessMessage>;
    return;
  }
  if (settled != null && typeof settled === "object") {
    yield wrapResult(verb, settled as Record<string, unknown>);
  }
}

/** A promise that rejects with the signal's reason when it aborts. */
function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

async function* parseInput(lines: AsyncIterable<string> | undefined): AsyncGenerator<InProcessMessage> {
  if (!lines) return;
  for await (const line of lines) {
    if (line.trim() === "") continue;
    yield JSON.parse(line) as InProcessMessage;
  }
}

/**
 * Runs an {@linkcode InProcessConnector}: `args[0]` is the verb, the `files` map carries the
 * JSON of `--config`, `--catalog` and `--state`, and each message comes out as one JSON line of
 * UTF-8 bytes, as a process would print it.
 *
 * @example A connector object, run in-process
 * ```ts
 * import { InProcessExecutor, type InProcessConnector } from "./in_process.ts";
 * import { splitLines } from "../protocol/line_splitter.ts";
 * const numbers: InProcessConnector = {
 *   name: "source-numbers",
 *   spec: async () => ({ connectionSpecification: { type: "object" } }),
 *   check: async () => ({ status: "SUCCEEDED" }),
 *   discover: async () => ({ streams: [{ name: "n", json_schema: {}, supported_sync_modes: ["full_refresh"] }] }),
 *   async *read(config) {
 *     for (let i = 0; i < (config.count as number); i++) {
 *       yield { type: "RECORD", record: { stream: "n", data: { i }, emitted_at: 0 } };
 *     }
 *   },
 * };
 * const lines = await Array.fromAsync(splitLines(
 *   new InProcessExecutor(numbers).execute(["read"], { files: { "--config": '{"count":2}', "--catalog": "{}" } }),
 * ));
 * if (lines.length !== 2 || JSON.parse(lines[1]).record.data.i !== 1) throw new Error(lines.join("\n"));
 * ```
 */
export class InProcessExecutor implements Executor {
  /** `in-process:<connector name>`. */
  readonly name: string;
  readonly #connector: InProcessConnector;
  #tail = new StderrTail();

  /**
   * An executor that runs `connector` in this process.
   *
   * @param connector The connector object to run.
   */
  constructor(connector: InProcessConnector) {
    this.#connector = connector;
    this.name = `in-process:${connector.name}`;
  }

  /** The error of the most recent run, if it failed (masked). */
  lastLogLines(): string[] {
    return this.#tail.lines();
  }

  /**
   * Call the connector method for `args[0]` and yield its messages as JSON lines (UTF-8 bytes).
   *
   * @param args The verb first (`spec`, `check`, `discover`, `read`, `write`); the rest is ignored.
   * @param options `files` with the config, catalog and state JSON; `stdin` lines for `write`; an abort signal.
   * @returns One chunk per message: its JSON line and a newline.
   * @throws {SubprocessFailedError} when the connector throws (after a TRACE error line, as a process would print).
   */
  async *execute(args: string[], options: ExecuteOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const { signal } = options;
    signal?.throwIfAborted();
    this.#tail = new StderrTail();
    const verb = args[0] as Verb;
    if (!VERBS.includes(verb)) {
      throw new InvalidArgumentError(
        `Cannot run '${args[0] ?? ""}' on in-process connector '${this.#connector.name}': the verbs are ${
          VERBS.map((v) => `'${v}'`).join(", ")
        }.`,
      );
    }
    const files = options.files ?? {};
    const config = this.#json(files, "--config", verb !== "spec") as Record<string, unknown>;
    const catalog = this.#json(files, "--catalog", verb === "read" || verb === "write") as Record<
      string,
      unknown
    >;
    const state = this.#json(files, "--state", false);

    let messages: AsyncGenerator<InProcessMessage>;
    try {
      messages = asMessages(verb, this.#call(verb, config, catalog, state, options.stdin));
    } catch (error) {
      yield* this.#failed(verb, error);
      return;
    }
    // A connector awaiting something slow cannot see the signal, so the wait races the abort.
    const aborted = signal ? abortPromise(signal) : undefined;
    let done = false;
    try {
      for (;;) {
        let step: IteratorResult<InProcessMessage>;
        try {
          const next = messages.next();
          step = aborted ? await Promise.race([next, aborted.promise]) : await next;
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          done = true;
          yield* this.#failed(verb, error);
          return;
        }
        if (step.done) {
          done = true;
          return;
        }
        yield lineBytes(step.value);
        signal?.throwIfAborted();
      }
    } finally {
      aborted?.dispose();
      if (!done) {
        // Stopping early ends the connector's generator, so its finally blocks run. After an
        // abort it may be stuck awaiting something: then it is told, but not waited for.
        const closing = messages.return(undefined).catch(() => {});
        if (!signal?.aborted) await closing;
      }
    }
  }

  #call(
    verb: Verb,
    config: Record<string, unknown>,
    catalog: Record<string, unknown>,
    state: unknown,
    stdin: AsyncIterable<string> | undefined,
  ): InProcessResult<unknown> {
    const connector = this.#connector;
    switch (verb) {
      case "spec":
        return connector.spec();
      case "check":
        return connector.check(config);
      case "discover":
        return connector.discover(config);
      case "read":
        return connector.read(config, catalog, state);
      case "write":
        if (!connector.write) {
          throw new InvalidArgumentError(`Cannot write with '${connector.name}': it has no 'write' method.`, {
            guidance: "Only destination connectors implement 'write'.",
            context: { connector: connector.name },
          });
        }
        return connector.write(config, catalog, parseInput(stdin));
    }
  }

  #json(files: Record<string, string>, flag: string, required: boolean): unknown {
    const text = files[flag];
    if (text === undefined) {
      if (!required) return undefined;
      throw new InvalidArgumentError(`Cannot run '${this.#connector.name}' without '${flag}'.`, {
        context: { connector: this.#connector.name },
      });
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new InvalidArgumentError(
        `Cannot parse '${flag}' for '${this.#connector.name}': it is not JSON.`,
        {
          context: { connector: this.#connector.name },
          cause: error,
        },
      );
    }
  }

  /** Report a thrown connector error the way a Python connector does: a TRACE line, then failure. */
  async *#failed(verb: Verb, error: unknown): AsyncGenerator<Uint8Array, never, undefined> {
    const message = error instanceof Error ? error.message : String(error);
    this.#tail.push(`${this.#connector.name} ${verb} failed: ${message}`);
    if (error instanceof Error && error.stack) {
      for (const line of error.stack.split("\n").slice(1, 6)) this.#tail.push(line);
    }
    if (error instanceof InvalidArgumentError) throw error;
    yield lineBytes({
      type: "TRACE",
      trace: {
        type: "ERROR",
        emitted_at: Date.now(),
        error: {
          message,
          stack_trace: error instanceof Error ? error.stack : undefined,
          failure_type: "system_error",
        },
      },
    });
    throw new SubprocessFailedError(
      `Connector '${this.#connector.name}' failed while running '${verb}': ${message}`,
      { context: { connector: this.#connector.name, logTail: this.#tail.lines() }, cause: error },
    );
  }
}
