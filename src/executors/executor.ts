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
 * Runs a connector. `execute` yields the connector's stdout, one line at a time, and throws
 * `SubprocessFailedError` (with the last stderr lines) if the connector exits non-zero. Ending the
 * iteration early (break, return) ends the connector process tree.
 *
 * @example A tiny executor that replays fixed lines
 * ```ts
 * import type { Executor } from "./executor.ts";
 * const replay: Executor = {
 *   name: "replay",
 *   async *execute() { yield '{"type":"LOG","log":{"level":"INFO","message":"hi"}}'; },
 * };
 * for await (const line of replay.execute(["read"])) if (!line.includes("LOG")) throw new Error();
 * ```
 */
export interface Executor {
  /** A label for logs and errors, e.g. `venv:source-faker`. */
  readonly name: string;
  execute(args: string[], options?: ExecuteOptions): AsyncIterable<string>;
  /**
   * Optional capability: the same output as `execute`, one array of lines per chunk read, so a
   * hot loop pays one async step per chunk instead of per line.
   */
  executeBatches?(args: string[], options?: ExecuteOptions): AsyncIterable<string[]>;
  /**
   * Optional capability: stdout as raw UTF-8 chunks, unsplit and undecoded, for a reader that
   * parses bytes itself (the cache's record scanner skips decoding and `JSON.parse` this way).
   */
  executeChunks?(args: string[], options?: ExecuteOptions): AsyncIterable<Uint8Array>;
  /** Install the connector if it is missing. Idempotent. */
  ensureInstalled?(): Promise<void>;
  /** The last stderr lines of the most recent run (secret-masked), for error context. */
  lastLogLines?(): string[];
}
