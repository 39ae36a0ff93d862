/**
 * Split a byte stream into text lines: the first stage of reading a connector's stdout.
 *
 * It searches for `\n` in the bytes and decodes each chunk's run of complete lines with one
 * `TextDecoder.decode` call, so no string grows with the stream. A `\n` byte never occurs
 * inside a multi-byte UTF-8 sequence, which makes splitting before decoding safe. Only the
 * unfinished tail of a chunk is kept (as bytes) until its newline arrives, and a line longer
 * than `maxLineBytes` is dropped piece by piece instead of being held.
 *
 * @module
 */
import { flattenBatches } from "./_flatten_batches.ts";

/**
 * What {@linkcode LineSplitterOptions.onOversizedLine} is told about a skipped line.
 *
 * @example Report a skipped line
 * ```ts
 * import type { OversizedLineInfo } from "./line_splitter.ts";
 * const info: OversizedLineInfo = { bytes: 300_000_000, head: '{"type":"RECORD","record":{' };
 * const note = `skipped a line of ${info.bytes} bytes starting ${info.head}`;
 * if (!note.includes("300000000")) throw new Error();
 * ```
 */
export interface OversizedLineInfo {
  /** The line's length in bytes (without its line break). */
  bytes: number;
  /** Its first ~200 bytes, decoded, to help find where it came from. */
  head: string;
}

/**
 * Options for {@linkcode splitLines}, {@linkcode LineSplitter} and {@linkcode LineSplitterStream}.
 *
 * @example Keep lines up to 1 MiB and count the longer ones
 * ```ts
 * import { type LineSplitterOptions, splitLines } from "./line_splitter.ts";
 * let skipped = 0;
 * const options: LineSplitterOptions = { maxLineBytes: 1 << 20, onOversizedLine: () => void skipped++ };
 * const lines = await Array.fromAsync(splitLines(new Blob(["a\n", "b".repeat(2 << 20), "\nc\n"]).stream(), options));
 * if (lines.join() !== "a,c" || skipped !== 1) throw new Error(lines.join());
 * ```
 */
export interface LineSplitterOptions {
  /**
   * Longest line kept, in bytes. A longer line is skipped and reported; the lines after it
   * still arrive.
   * @default {256 * 1024 * 1024}
   */
  maxLineBytes?: number;
  /** Called for each skipped oversized line. The default writes one line with `console.warn`. */
  onOversizedLine?: (info: OversizedLineInfo) => void;
}

/**
 * The default {@linkcode LineSplitterOptions.maxLineBytes}: 256 MiB.
 *
 * @example Half the default
 * ```ts
 * import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./line_splitter.ts";
 * const splitter = new LineSplitter({ maxLineBytes: DEFAULT_MAX_LINE_BYTES / 2 });
 * if (splitter.push(new TextEncoder().encode("a\n")).length !== 1) throw new Error();
 * ```
 */
export const DEFAULT_MAX_LINE_BYTES: number = 256 * 1024 * 1024;

/**
 * Lines as byte spans, for {@linkcode LineSplitter.pushSpans}: line `k` is
 * `buffers[k].subarray(starts[k], ends[k])` (without its line break). The arrays are reused from
 * call to call; `count` says how many entries are current.
 *
 * @example An empty set of spans to reuse
 * ```ts
 * import { LineSpans } from "./line_splitter.ts";
 * const spans = new LineSpans();
 * if (spans.count !== 0) throw new Error();
 * ```
 */
export class LineSpans {
  count = 0;
  buffers: Uint8Array[] = [];
  starts: number[] = [];
  ends: number[] = [];

  /** The text of line `k`. */
  text(k: number, decoder: TextDecoder): string {
    return decoder.decode(this.buffers[k].subarray(this.starts[k], this.ends[k]));
  }

  /** Append line `buffer[start, end)` (a CR before the newline is dropped). */
  add(buffer: Uint8Array, start: number, end: number): void {
    // A CR before the newline is not part of the line.
    if (end > start && buffer[end - 1] === 13) end--;
    const k = this.count++;
    this.buffers[k] = buffer;
    this.starts[k] = start;
    this.ends[k] = end;
  }
}

const NEWLINE = 0x0a;
const HEAD_BYTES = 200;

function warnOversizedLine(info: OversizedLineInfo): void {
  console.warn(
    `Skipping a line of ${info.bytes} bytes: it exceeds the line size limit. It starts with '${info.head}'`,
  );
}

/**
 * A push-based line splitter: hand it byte chunks, get back the lines they complete. It is the
 * synchronous core of {@linkcode splitLines} and {@linkcode LineSplitterStream}; use it directly
 * when you already have a loop over chunks and want no extra promise per line.
 *
 * Lines end at `\n`; a `\r` before it is removed. A leading UTF-8 byte order mark is dropped.
 * Invalid UTF-8 becomes U+FFFD rather than an error.
 *
 * @example Feed chunks, then flush
 * ```ts
 * import { LineSplitter } from "./line_splitter.ts";
 * const bytes = new TextEncoder().encode("a\r\nbc\nd");
 * const splitter = new LineSplitter();
 * const lines = [...splitter.push(bytes.subarray(0, 4)), ...splitter.push(bytes.subarray(4)), ...splitter.flush()];
 * if (lines.join("|") !== "a|bc|d") throw new Error(lines.join("|"));
 * ```
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #onOversizedLine: (info: OversizedLineInfo) => void;
  // ignoreBOM keeps a U+FEFF inside the data; only the stream's very first bytes are checked.
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  #atStart = true;
  /** Byte pieces of the unfinished line, copied because producers may reuse their buffers. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Set while dropping an oversized line until its newline. */
  #skipping = false;
  #skippedBytes = 0;
  #skippedHead = "";

  /** Create a splitter; see {@linkcode LineSplitterOptions}. */
  constructor(options: LineSplitterOptions = {}) {
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#onOversizedLine = options.onOversizedLine ?? warnOversizedLine;
  }

  /**
   * Add a chunk and return the lines it completes (possibly none).
   *
   * @param chunk The next bytes of the stream. It is not kept after the call returns.
   * @param out An array to append the lines to, to save an allocation.
   * @returns `out`, with the completed lines appended.
   */
  push(chunk: Uint8Array, out: string[] = []): string[] {
    let start = this.#startOf(chunk);
    const firstNewline = chunk.indexOf(NEWLINE, start);
    if (firstNewline === -1) {
      this.#hold(chunk.subarray(start));
      return out;
    }
    if (this.#pendingBytes > 0 || this.#skipping) {
      this.#finishPending(chunk.subarray(start, firstNewline), out);
      start = firstNewline + 1;
    }
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline >= start) {
      const run = chunk.subarray(start, lastNewline);
      if (run.length > this.#maxLineBytes) this.#splitRunChecked(run, out);
      else splitDecoded(this.#decoder.decode(run), out);
      start = lastNewline + 1;
    }
    if (start < chunk.length) this.#hold(chunk.subarray(start));
    return out;
  }

  /**
   * Like {@linkcode LineSplitter.push}, but the completed lines stay bytes: spans into the chunk
   * (or into a joined copy for a line that began in an earlier chunk). For parsers that read
   * UTF-8 themselves. Spans point into `chunk`, so keep it unchanged while you read them.
   *
   * @param chunk The next bytes of the stream.
   * @param spans Reset, then filled with the lines the chunk completes.
   * @returns `spans`.
   *
   * @example Lines as byte ranges
   * ```ts
   * import { LineSpans, LineSplitter } from "./line_splitter.ts";
   * const splitter = new LineSplitter();
   * const spans = splitter.pushSpans(new TextEncoder().encode("ab\r\ncd\ne"), new LineSpans());
   * const decoder = new TextDecoder();
   * if (spans.count !== 2 || spans.text(1, decoder) !== "cd") throw new Error();
   * if (splitter.flushSpans(new LineSpans()).text(0, decoder) !== "e") throw new Error();
   * ```
   */
  pushSpans(chunk: Uint8Array, spans: LineSpans): LineSpans {
    spans.count = 0;
    let start = this.#startOf(chunk);
    let newline = chunk.indexOf(NEWLINE, start);
    if (newline === -1) {
      this.#hold(chunk.subarray(start));
      return spans;
    }
    if (this.#pendingBytes > 0 || this.#skipping) {
      const joined = this.#joinPending(chunk.subarray(start, newline));
      if (joined) spans.add(joined, 0, joined.length);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    const max = this.#maxLineBytes;
    while (newline !== -1) {
      if (newline - start > max) {
        this.#onOversizedLine({
          bytes: newline - start,
          head: this.#decoder.decode(chunk.subarray(start, start + HEAD_BYTES)),
        });
      } else spans.add(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#hold(chunk.subarray(start));
    return spans;
  }

  /**
   * End of input in span mode: the last line if it had no newline.
   *
   * @param spans Reset, then given the final line when there is one.
   * @returns `spans`.
   */
  flushSpans(spans: LineSpans): LineSpans {
    spans.count = 0;
    if (this.#pendingBytes > 0 || this.#skipping) {
      const joined = this.#joinPending(new Uint8Array(0));
      if (joined) spans.add(joined, 0, joined.length);
    }
    return spans;
  }

  /**
   * End of input: return the last line if it had no newline.
   *
   * @param out An array to append the line to.
   * @returns `out`, with the final line appended when there is one.
   */
  flush(out: string[] = []): string[] {
    if (this.#pendingBytes > 0 || this.#skipping) this.#finishPending(new Uint8Array(0), out);
    return out;
  }

  /** Where a chunk's text starts: after the byte order mark at the very start of the stream. */
  #startOf(chunk: Uint8Array): number {
    if (!this.#atStart || chunk.length === 0) return 0;
    this.#atStart = false;
    return chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  }

  /** Keep an unfinished line's bytes, or count them when the line is already too long. */
  #hold(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.#skipping) {
      this.#skippedBytes += piece.length;
      return;
    }
    if (this.#pendingBytes + piece.length > this.#maxLineBytes) {
      this.#startSkipping(piece);
      return;
    }
    this.#pending.push(piece.slice());
    this.#pendingBytes += piece.length;
  }

  #startSkipping(piece: Uint8Array): void {
    const head = new Uint8Array(Math.min(HEAD_BYTES, this.#pendingBytes + piece.length));
    let filled = 0;
    for (const part of [...this.#pending, piece]) {
      if (filled === head.length) break;
      const take = part.subarray(0, head.length - filled);
      head.set(take, filled);
      filled += take.length;
    }
    this.#skippedHead = this.#decoder.decode(head);
    this.#skippedBytes = this.#pendingBytes + piece.length;
    this.#skipping = true;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** The held line ends with `last` (the bytes before its newline). */
  #finishPending(last: Uint8Array, out: string[]): void {
    const bytes = this.#joinPending(last);
    if (bytes) out.push(stripCarriageReturn(this.#decoder.decode(bytes)));
  }

  /** The held line's bytes ending with `last`, or undefined when it was too long (reported). */
  #joinPending(last: Uint8Array): Uint8Array | undefined {
    if (!this.#skipping && this.#pendingBytes + last.length > this.#maxLineBytes) this.#startSkipping(last);
    else if (this.#skipping) this.#skippedBytes += last.length;
    if (this.#skipping) {
      const info = { bytes: this.#skippedBytes, head: this.#skippedHead };
      this.#skipping = false;
      this.#skippedBytes = 0;
      this.#skippedHead = "";
      this.#onOversizedLine(info);
      return undefined;
    }
    let bytes: Uint8Array;
    if (this.#pending.length === 1 && last.length === 0) {
      bytes = this.#pending[0];
    } else {
      bytes = new Uint8Array(this.#pendingBytes + last.length);
      let offset = 0;
      for (const piece of this.#pending) {
        bytes.set(piece, offset);
        offset += piece.length;
      }
      bytes.set(last, offset);
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    return bytes;
  }

  /** Rare path (a run of lines longer than the limit): check each line's byte length. */
  #splitRunChecked(run: Uint8Array, out: string[]): void {
    let start = 0;
    while (start <= run.length) {
      let end = run.indexOf(NEWLINE, start);
      if (end === -1) end = run.length;
      const line = run.subarray(start, end);
      if (line.length > this.#maxLineBytes) {
        this.#onOversizedLine({
          bytes: line.length,
          head: this.#decoder.decode(line.subarray(0, HEAD_BYTES)),
        });
      } else {
        out.push(stripCarriageReturn(this.#decoder.decode(line)));
      }
      start = end + 1;
    }
  }
}

function stripCarriageReturn(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** Split decoded text (complete lines joined by `\n`, no trailing `\n`) into `out`. */
function splitDecoded(text: string, out: string[]): void {
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    if (end === -1) {
      out.push(stripCarriageReturn(start === 0 ? text : text.slice(start)));
      return;
    }
    out.push(stripCarriageReturn(text.slice(start, end)));
    start = end + 1;
  }
}

/**
 * A byte source: a web `ReadableStream` or any async iterable of chunks.
 *
 * @example Two kinds of source
 * ```ts
 * import type { ByteSource } from "./line_splitter.ts";
 * const stream: ByteSource = new Blob(["a\n"]).stream();
 * const chunks: ByteSource = (async function* () {
 *   yield new TextEncoder().encode("a\n");
 * })();
 * if (!stream || !chunks) throw new Error();
 * ```
 */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Iterate a byte source's chunks. A `ReadableStream` is read through its reader (not every
 * browser makes streams async iterable), and cancelled if the consumer stops early.
 *
 * @example Read a stream's chunks
 * ```ts
 * import { byteChunks } from "./line_splitter.ts";
 * const stream = new Blob(["abc"]).stream();
 * let total = 0;
 * for await (const chunk of byteChunks(stream)) total += chunk.length;
 * if (total !== 3) throw new Error();
 * ```
 */
export async function* byteChunks(source: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  if (!isReadableStream(source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  let done = false;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === "function";
}

/**
 * Split a byte source into lines, one `string` per line (without its line break). Handles lines
 * split across chunks, CRLF, UTF-8 characters split across chunks, and a last line without a
 * newline. Lines longer than `maxLineBytes` are skipped and reported, never buffered whole.
 *
 * @param source A `ReadableStream<Uint8Array>` or an async iterable of byte chunks.
 * @param options Size limit and oversized-line callback.
 * @returns The lines, in order.
 *
 * @example Split a stream
 * ```ts
 * import { splitLines } from "./line_splitter.ts";
 * const stream = new Blob(['{"a":1}\r\n', '{"b":', "2}"]).stream();
 * const lines: string[] = [];
 * for await (const line of splitLines(stream)) lines.push(line);
 * if (lines.join("|") !== '{"a":1}|{"b":2}') throw new Error(lines.join("|"));
 * ```
 */
export function splitLines(
  source: ByteSource,
  options: LineSplitterOptions = {},
): AsyncIterableIterator<string> {
  return flattenBatches(splitLineBatches(source, options));
}

/**
 * Like {@linkcode splitLines}, but yields the lines each chunk completes as one array: one
 * promise per chunk instead of per line, for hot loops.
 *
 * @param source A `ReadableStream<Uint8Array>` or an async iterable of byte chunks.
 * @param options Size limit and oversized-line callback.
 * @returns Non-empty arrays of lines, in order.
 *
 * @example Count lines in batches
 * ```ts
 * import { splitLineBatches } from "./line_splitter.ts";
 * let count = 0;
 * for await (const batch of splitLineBatches(new Blob(["a\nb\nc\n"]).stream())) count += batch.length;
 * if (count !== 3) throw new Error();
 * ```
 */
export async function* splitLineBatches(
  source: ByteSource,
  options: LineSplitterOptions = {},
): AsyncGenerator<string[], void, undefined> {
  const splitter = new LineSplitter(options);
  for await (const chunk of byteChunks(source)) {
    const lines = splitter.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const last = splitter.flush();
  if (last.length > 0) yield last;
}

/**
 * The line splitter as a `TransformStream`, for `pipeThrough`.
 *
 * @example Pipe bytes into lines
 * ```ts
 * import { LineSplitterStream } from "./line_splitter.ts";
 * const lines = new Blob(["x\ny"]).stream().pipeThrough(new LineSplitterStream());
 * const got: string[] = [];
 * for await (const line of lines) got.push(line);
 * if (got.join(",") !== "x,y") throw new Error();
 * ```
 */
export class LineSplitterStream extends TransformStream<Uint8Array, string> {
  /** Create the stream; see {@linkcode LineSplitterOptions}. */
  constructor(options: LineSplitterOptions = {}) {
    const splitter = new LineSplitter(options);
    super({
      transform(chunk, controller) {
        for (const line of splitter.push(chunk)) controller.enqueue(line);
      },
      flush(controller) {
        for (const line of splitter.flush()) controller.enqueue(line);
      },
    });
  }
}
