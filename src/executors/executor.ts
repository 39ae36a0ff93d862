/**
 * The one interface every way of running a connector implements: a local binary, a Python venv,
 * the Docker Engine API, a remote executor server, or a JS connector in-process. The core only
 * ever sees this interface; it reads capability fields, never `instanceof`.
 *
 * @module
 */

/**
 * Options for one connector invocation.
 *
 * @example Hand the connector a config file
 * ```ts
 * import type { ExecuteOptions } from "./executor.ts";
 * const options: ExecuteOptions = { files: { "--config": "{}" }, signal: new AbortController().signal };
 * if (!options.files) throw new Error();
 * ```
 */
export interface ExecuteOptions {
  /** Lines to write to the connector's stdin (a destination's input). Written while stdout is read. */
  stdin?: AsyncIterable<string>;
  /** Aborting ends the connector and every process it started. */
  signal?: AbortSignal;
  /**
   * Files handed to the connector, keyed by the flag that names them, e.g.
   * `{ "--config": "{...}", "--catalog": "{...}" }`. The executor writes each to a private file
   * (mode 0600, in a 0700 directory), appends `flag path` to the arguments, and removes them after
   * the run, on failure and abort too. The files stay writable: connectors that migrate their
   * config rewrite it.
   */
  files?: Record<string, string>;
  /** Called with each stderr line (already secret-masked). */
  onStderr?: (line: string) => void;
}

/**
 * Runs a connector. `execute` yields the connector's stdout as raw bytes, chunk by chunk, as they
 * arrive: every executor has this one output shape, and the message loop in `src/connectors/`
 * splits and decodes it once. It throws `SubprocessFailedError` (with the exit code and the last
 * stderr lines) when the connector exits non-zero. Ending the iteration early (break, return) or
 * aborting ends the connector and everything it started.
 *
 * @example A tiny executor that replays fixed output
 * ```ts
 * import type { Executor } from "./executor.ts";
 * import { splitLines } from "../protocol/line_splitter.ts";
 * const replay: Executor = {
 *   name: "replay",
 *   async *execute() {
 *     yield new TextEncoder().encode('{"type":"LOG","log":{"level":"INFO","message":"hi"}}\n');
 *   },
 * };
 * for await (const line of splitLines(replay.execute(["read"]))) if (!line.includes("LOG")) throw new Error();
 * ```
 */
export interface Executor {
  /** A label for logs and errors, e.g. `venv:source-faker`. */
  readonly name: string;
  /**
   * Run one connector command and stream its stdout.
   *
   * @param args The verb and its arguments, e.g. `["read"]`; `files` flags are appended.
   * @param options stdin lines, an abort signal, private files and a stderr callback.
   * @returns The connector's stdout bytes, in the chunks they were read.
   */
  execute(args: string[], options?: ExecuteOptions): AsyncIterable<Uint8Array>;
  /** Install the connector if it is missing. Idempotent. */
  ensureInstalled?(): Promise<void>;
  /** The last stderr lines of the most recent run (secret-masked), for error context. */
  lastLogLines?(): string[];
}
