/**
 * An async iterable of Airbyte messages built from lines, bytes, a file or existing messages.
 * Lines that are not valid messages are reported and skipped; iteration never throws because
 * of one.
 *
 * @module
 */
import { type ByteSource, type LineSplitterOptions, splitLineBatches } from "./line_splitter.ts";
import { type ParseFailure, parseMessageLine } from "./message_parser.ts";
import type { AirbyteMessage } from "./messages.ts";
import { flattenBatches } from "./_flatten_batches.ts";

/**
 * Options for the {@linkcode AirbyteMessageIterator} constructors that read text.
 *
 * @example Count the lines that are not messages
 * ```ts
 * import { AirbyteMessageIterator, type AirbyteMessageIteratorOptions } from "./message_iterator.ts";
 * let skipped = 0;
 * const options: AirbyteMessageIteratorOptions = { onInvalidLine: () => void skipped++, maxLineBytes: 1 << 20 };
 * await AirbyteMessageIterator.fromLines(["Traceback (most recent call last):"], options).toArray();
 * if (skipped !== 1) throw new Error();
 * ```
 */
export interface AirbyteMessageIteratorOptions extends LineSplitterOptions {
  /**
   * Called for each line that is not a valid Airbyte message (blank lines are skipped
   * silently). The default writes one line with `console.warn` naming the reason and an
   * excerpt.
   */
  onInvalidLine?: (failure: ParseFailure) => void;
}

/**
 * Just the part of the Runtime that {@linkcode AirbyteMessageIterator.fromFile} uses.
 *
 * @example Files from memory
 * ```ts
 * import type { ReadStreamOpener } from "./message_iterator.ts";
 * const files: Record<string, string> = { "/m.jsonl": "{}\n" };
 * const opener: ReadStreamOpener = { openReadStream: (path) => Promise.resolve(new Blob([files[path]]).stream()) };
 * if ((await new Response(await opener.openReadStream("/m.jsonl")).text()) !== "{}\n") throw new Error();
 * ```
 */
export interface ReadStreamOpener {
  /** Open the file at `path` for reading, as a byte stream. */
  openReadStream(path: string): Promise<ReadableStream<Uint8Array>>;
}

/**
 * The default {@linkcode AirbyteMessageIteratorOptions.onInvalidLine}: one `console.warn` line.
 *
 * @param failure The parse failure.
 *
 * @example Warn about a line
 * ```ts
 * import { warnInvalidLine } from "./message_iterator.ts";
 * warnInvalidLine({ ok: false, reason: "not_json", detail: "Cannot parse", excerpt: "oops" });
 * ```
 */
export function warnInvalidLine(failure: ParseFailure): void {
  const what = failure.reason === "not_json"
    ? "a line that is not JSON"
    : failure.reason === "not_airbyte"
    ? "a JSON line that is not an Airbyte message"
    : "an invalid Airbyte message";
  console.warn(`Skipping ${what} (${failure.detail}): '${failure.excerpt}'`);
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 13) return false;
  }
  return true;
}

/** Parse a batch of lines into the messages among them, reporting the rest. */
function parseLines(
  lines: Iterable<string>,
  onInvalidLine: (failure: ParseFailure) => void,
): AirbyteMessage[] {
  const messages: AirbyteMessage[] = [];
  for (const line of lines) {
    const outcome = parseMessageLine(line);
    if (outcome.ok) messages.push(outcome.message);
    else if (!isBlank(line)) onInvalidLine(outcome);
  }
  return messages;
}

/** Lines per batch when the lines come from a plain iterable. */
const LINES_PER_BATCH = 512;

async function* batchesOfSyncLines(
  lines: Iterable<string>,
  onInvalidLine: (failure: ParseFailure) => void,
): AsyncGenerator<AirbyteMessage[], void, undefined> {
  let pending: string[] = [];
  for (const line of lines) {
    pending.push(line);
    if (pending.length === LINES_PER_BATCH) {
      yield parseLines(pending, onInvalidLine);
      pending = [];
    }
  }
  if (pending.length > 0) yield parseLines(pending, onInvalidLine);
}

async function* batchesOfAsyncLines(
  lines: AsyncIterable<string>,
  onInvalidLine: (failure: ParseFailure) => void,
): AsyncGenerator<AirbyteMessage[], void, undefined> {
  for await (const line of lines) yield parseLines([line], onInvalidLine);
}

function isSyncIterable<T>(value: Iterable<T> | AsyncIterable<T>): value is Iterable<T> {
  return typeof (value as Iterable<T>)[Symbol.iterator] === "function";
}

/**
 * Airbyte messages from some source, as an `AsyncIterable`. Build one with a static
 * constructor. Iterators over a stream can be consumed once; `fromFile` reopens the file on
 * each iteration, and `fromMessages` over an array can be iterated again.
 *
 * @example Read messages from lines
 * ```ts
 * import { AirbyteMessageIterator } from "./message_iterator.ts";
 * const messages = AirbyteMessageIterator.fromLines([
 *   '{"type":"LOG","log":{"level":"INFO","message":"starting"}}',
 *   '{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":0}}',
 * ]);
 * const types: string[] = [];
 * for await (const message of messages) types.push(message.type);
 * if (types.join(",") !== "LOG,RECORD") throw new Error();
 * ```
 */
export class AirbyteMessageIterator implements AsyncIterable<AirbyteMessage> {
  readonly #openBatches: () => AsyncIterable<AirbyteMessage[]>;

  private constructor(openBatches: () => AsyncIterable<AirbyteMessage[]>) {
    this.#openBatches = openBatches;
  }

  /** Iterate the messages. */
  [Symbol.asyncIterator](): AsyncIterator<AirbyteMessage> {
    return flattenBatches(this.#openBatches());
  }

  /**
   * Iterate the messages in batches (each array holds the messages of one chunk of input, and
   * may be empty). Use this on hot paths: it costs one promise per batch instead of one per
   * message.
   *
   * @returns An async iterable of message arrays, in order.
   *
   * @example Count records in batches
   * ```ts
   * import { AirbyteMessageIterator } from "./message_iterator.ts";
   * const line = '{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":1}}\n';
   * let records = 0;
   * for await (const batch of AirbyteMessageIterator.fromByteStream(new Blob([line, line]).stream()).batches()) {
   *   for (const message of batch) if (message.type === "RECORD") records++;
   * }
   * if (records !== 2) throw new Error();
   * ```
   */
  batches(): AsyncIterable<AirbyteMessage[]> {
    return this.#openBatches();
  }

  /**
   * Collect every message into an array.
   *
   * @returns The messages, in order.
   *
   * @example Collect a STATE message
   * ```ts
   * import { AirbyteMessageIterator } from "./message_iterator.ts";
   * const all = await AirbyteMessageIterator.fromLines(['{"type":"STATE","state":{"data":{}}}']).toArray();
   * if (all.length !== 1) throw new Error();
   * ```
   */
  async toArray(): Promise<AirbyteMessage[]> {
    const all: AirbyteMessage[] = [];
    for await (const message of this) all.push(message);
    return all;
  }

  /**
   * Messages parsed from text lines (each without its line break).
   *
   * @param lines A sync or async iterable of lines.
   * @param options `onInvalidLine` for lines that are not messages.
   * @returns The iterator.
   *
   * @example Skip a traceback line
   * ```ts
   * import { AirbyteMessageIterator } from "./message_iterator.ts";
   * const bad: string[] = [];
   * const all = await AirbyteMessageIterator.fromLines(
   *   ["Traceback (most recent call last):", '{"type":"STATE","state":{"data":{}}}'],
   *   { onInvalidLine: (failure) => bad.push(failure.reason) },
   * ).toArray();
   * if (all.length !== 1 || bad[0] !== "not_json") throw new Error();
   * ```
   */
  static fromLines(
    lines: AsyncIterable<string> | Iterable<string>,
    options: AirbyteMessageIteratorOptions = {},
  ): AirbyteMessageIterator {
    const onInvalidLine = options.onInvalidLine ?? warnInvalidLine;
    if (isSyncIterable(lines)) {
      return new AirbyteMessageIterator(() => batchesOfSyncLines(lines, onInvalidLine));
    }
    return new AirbyteMessageIterator(() => batchesOfAsyncLines(lines, onInvalidLine));
  }

  /**
   * Messages parsed from a byte stream of newline-delimited JSON, such as a connector's stdout.
   *
   * @param stream A `ReadableStream<Uint8Array>` or an async iterable of byte chunks.
   * @param options `onInvalidLine`, `maxLineBytes` and `onOversizedLine`.
   * @returns The iterator.
   *
   * @example From a stream
   * ```ts
   * import { AirbyteMessageIterator } from "./message_iterator.ts";
   * const stream = new Blob(['{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":1}}\n']).stream();
   * const all = await AirbyteMessageIterator.fromByteStream(stream).toArray();
   * if (all.length !== 1) throw new Error();
   * ```
   */
  static fromByteStream(
    stream: ByteSource,
    options: AirbyteMessageIteratorOptions = {},
  ): AirbyteMessageIterator {
    const onInvalidLine = options.onInvalidLine ?? warnInvalidLine;
    return new AirbyteMessageIterator(async function* () {
      for await (const lines of splitLineBatches(stream, options)) yield parseLines(lines, onInvalidLine);
    });
  }

  /**
   * Wrap messages that are already parsed (for example from an in-process connector).
   *
   * @param messages A sync or async iterable of messages.
   * @returns The iterator.
   *
   * @example Wrap an array of messages
   * ```ts
   * import { AirbyteMessageIterator } from "./message_iterator.ts";
   * const it = AirbyteMessageIterator.fromMessages([{ type: "LOG", log: { level: "INFO", message: "x" } }]);
   * if ((await it.toArray()).length !== 1) throw new Error();
   * ```
   */
  static fromMessages(
    messages: AsyncIterable<AirbyteMessage> | Iterable<AirbyteMessage>,
  ): AirbyteMessageIterator {
    if (Array.isArray(messages)) {
      return new AirbyteMessageIterator(async function* () {
        yield messages;
      });
    }
    return new AirbyteMessageIterator(async function* () {
      for await (const message of messages) yield [message];
    });
  }

  /**
   * Messages read from a newline-delimited JSON file. The file is opened when iteration starts
   * (and again for each new iteration).
   *
   * @param path The file's path.
   * @param runtime Anything with `openReadStream`, such as the host's `Runtime`.
   * @param options `onInvalidLine`, `maxLineBytes` and `onOversizedLine`.
   * @returns The iterator.
   *
   * @example From a file, with a stand-in runtime
   * ```ts
   * import { AirbyteMessageIterator } from "./message_iterator.ts";
   * const files: Record<string, string> = { "/m.jsonl": '{"type":"STATE","state":{"data":{"n":1}}}\n' };
   * const runtime = { openReadStream: (path: string) => Promise.resolve(new Blob([files[path]]).stream()) };
   * const all = await AirbyteMessageIterator.fromFile("/m.jsonl", runtime).toArray();
   * if (all[0].type !== "STATE") throw new Error();
   * ```
   */
  static fromFile(
    path: string,
    runtime: ReadStreamOpener,
    options: AirbyteMessageIteratorOptions = {},
  ): AirbyteMessageIterator {
    return new AirbyteMessageIterator(async function* () {
      const stream = await runtime.openReadStream(path);
      yield* AirbyteMessageIterator.fromByteStream(stream, options).batches();
    });
  }

  /**
   * The cached records of a read (and the source states stored with them) as Airbyte messages:
   * RECORDs per stream in the order they were cached, then the STATE messages. Takes anything
   * with `toMessages()`, such as a `ReadResult`.
   *
   * @param result A `ReadResult`.
   * @returns The iterator.
   *
   * @example With a stand-in result
   * ```ts
   * import { AirbyteMessageIterator } from "./message_iterator.ts";
   * const result = { toMessages: () => [{ type: "RECORD" as const, record: { stream: "s", data: {}, emitted_at: 0 } }] };
   * if ((await AirbyteMessageIterator.fromReadResult(result).toArray()).length !== 1) throw new Error();
   * ```
   */
  static fromReadResult(
    result: { toMessages(): AsyncIterable<AirbyteMessage> | Iterable<AirbyteMessage> },
  ): AirbyteMessageIterator {
    return AirbyteMessageIterator.fromMessages(result.toMessages());
  }
}
