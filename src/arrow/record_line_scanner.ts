/**
 * The fast path of a read: a connector's RECORD line goes from its UTF-8 bytes straight into the
 * stream's Arrow column buffers. No string is decoded, no object is built: `JSON.parse` plus
 * `ArrowBatchBuilder.add` cost about 3 µs on the benchmark's 340-byte records, this about 1 µs.
 *
 * It handles the shapes connectors really send, and declines everything else: a declined line
 * takes the general path (decode, `parseMessageLine`, `ArrowBatchBuilder.add`), which is the
 * reference, and leaves the builder as it was. Taken lines give exactly the rows the general
 * path gives, with one difference: a `json` column (object, array, untyped) holds the source's
 * own JSON text with insignificant whitespace removed, rather than `JSON.stringify` of the parsed
 * value. Both are the same JSON document. Integer literals past 2^53 keep their digits on both
 * paths (here in integer columns and JSON text; there through `exact_json.ts`).
 *
 * Declined: anything but a RECORD message with exactly `type` and `record`; records with keys
 * other than `stream`, `data`, `emitted_at`, `namespace`, or with `data` before `stream`;
 * properties missing from the schema or given twice; values that do not fit their column or lose
 * precision (so `_airbyte_meta.changes` is written in one place only); non-null DECIMAL values; objects,
 * arrays and numbers spelled unlike `String(n)` in text columns;
 * keys, stream names and temporal values written with escapes or non-ASCII; text with lone
 * surrogates or U+FFFD (noted in `_airbyte_meta` there); malformed JSON or UTF-8; lines over 1 MiB.
 *
 * @module
 */
import {
  type ArrowBatchBuilder,
  Conversion,
  type DataColumn,
  writeInt64,
  writeMicros,
} from "./arrow_batch_builder.ts";
import { parsed, parseDate, parseTime, parseTimestamp, setTimestamp } from "./_temporal.ts";

const QUOTE = 34, BACKSLASH = 92, COLON = 58, COMMA = 44, OPEN_BRACE = 123, CLOSE_BRACE = 125;
const OPEN_BRACKET = 91, CLOSE_BRACKET = 93, MINUS = 45, PLUS = 43, DOT = 46;
const TWO_POW_63 = 9223372036854775808;
/** Longer lines take the general path: the scanner reserves text room by line length. */
const MAX_LINE_BYTES = 1 << 20;
/** Exact powers of ten for the fast decimal path (10^22 is the largest exact double power). */
const POWERS_OF_TEN = new Float64Array(23).map((_, i) => Number(`1e${i}`));
const FAILED = -1;
/** End of the line being scanned (an index into its byte array). */
let lineEnd = 0;

const encoder = new TextEncoder();
// As the line splitter decodes: invalid UTF-8 becomes U+FFFD, a BOM inside text is kept.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

const ascii = (text: string) => encoder.encode(text);
const TYPE_KEY = ascii('type"'), RECORD_VALUE = ascii('"RECORD"'), RECORD_KEY = ascii('record"');
const STREAM_KEY = ascii('stream"'), DATA_KEY = ascii('data"'), EMITTED_AT_KEY = ascii('emitted_at"');
const NAMESPACE_KEY = ascii('namespace"');
const NULL = ascii("null"), TRUE = ascii("true"), FALSE = ascii("false");

/** One stream's builder with the per-row scratch the scanner needs. */
class ScanTarget {
  readonly builder: ArrowBatchBuilder;
  readonly columns: readonly DataColumn[];
  /** Each column's property as UTF-8 of its compact JSON form, closing quote included. */
  readonly keys: Uint8Array[];
  /** Column index by position in the last record: the next record likely has the same order. */
  readonly order: Int32Array;
  /** Per column: 1 when this row wrote a value. */
  readonly valid: Uint8Array;
  /** Per column: the row tag that last saw its key (duplicate keys are declined). */
  readonly seenRow: Float64Array;
  rowsStarted = 0;

  constructor(builder: ArrowBatchBuilder) {
    this.builder = builder;
    this.columns = builder.dataColumns;
    this.keys = this.columns.map((c) => ascii(JSON.stringify(c.property).slice(1)));
    this.order = new Int32Array(this.columns.length).map((_, i) => i);
    this.valid = new Uint8Array(this.columns.length);
    this.seenRow = new Float64Array(this.columns.length);
  }
}

/**
 * Adds RECORD lines to their streams' {@linkcode ArrowBatchBuilder}s without `JSON.parse`.
 *
 * @example Take a line, decline another
 * ```ts
 * import { ArrowBatchBuilder } from "./arrow_batch_builder.ts";
 * import { RecordLineScanner } from "./record_line_scanner.ts";
 * import { toStreamColumns } from "./stream_columns.ts";
 * const builder = new ArrowBatchBuilder(toStreamColumns({ properties: { id: { type: "integer" } } }));
 * const scanner = new RecordLineScanner((stream) => stream === "users" ? builder : undefined);
 * const line = '{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1}}';
 * if (scanner.add(line) !== "users" || builder.rowCount !== 1) throw new Error();
 * // A property the schema lacks goes to _airbyte_meta.extra: that is the general path's job.
 * if (scanner.add(line.replace('"id":1', '"id":1,"x":2')) !== undefined || builder.rowCount !== 1) {
 *   throw new Error();
 * }
 * ```
 */
export class RecordLineScanner {
  readonly #lookup: (stream: string) => ArrowBatchBuilder | undefined;
  readonly #targets = new Map<string, ScanTarget | undefined>();
  // The last stream seen: most lines belong to the same stream as the one before.
  #lastStream = "";
  #lastStreamBytes = new Uint8Array(0);
  #lastTarget: ScanTarget | undefined;

  /**
   * @param lookup The builder of a stream, or undefined for a stream that is not cached (its
   *   lines are declined).
   */
  constructor(lookup: (stream: string) => ArrowBatchBuilder | undefined) {
    this.#lookup = lookup;
  }

  /**
   * Adds one RECORD line, given as text, to its stream's builder.
   *
   * @param line One line of connector output.
   * @returns The record's stream when it was added; undefined when the line needs the general
   *   path (the builder is then unchanged).
   */
  add(line: string): string | undefined {
    const bytes = encoder.encode(line);
    return this.addBytes(bytes, 0, bytes.length);
  }

  /**
   * Adds one RECORD line, given as UTF-8 bytes `bytes[start, end)`, to its stream's builder.
   *
   * @returns The record's stream when it was added; undefined when the line needs the general
   *   path (the builder is then unchanged).
   */
  addBytes(b: Uint8Array, start: number, end: number): string | undefined {
    if (end - start > MAX_LINE_BYTES) return undefined;
    // The line may sit in a chunk with more lines after it. Reading past `end` is harmless (a
    // newline is not valid inside any token, and a parse must end exactly at `end`), but text
    // room is reserved by what is left of this line.
    lineEnd = end;
    let target: ScanTarget | undefined;
    let stream: string | undefined;
    let sawType = false, sawRecord = false;
    let emittedAt = NaN;
    let i = skipSpace(b, start);
    if (b[i] !== OPEN_BRACE) return undefined;
    i++;
    // Top level: exactly "type":"RECORD" and "record":{…}, in either order.
    for (;;) {
      i = skipSpace(b, i);
      if (b[i] !== QUOTE) return this.#decline(target);
      if (!sawType && startsWith(b, i + 1, TYPE_KEY)) {
        i = expectColon(b, i + 1 + TYPE_KEY.length);
        if (i < 0 || !startsWith(b, i, RECORD_VALUE)) return this.#decline(target);
        i += RECORD_VALUE.length;
        sawType = true;
      } else if (!sawRecord && startsWith(b, i + 1, RECORD_KEY)) {
        i = expectColon(b, i + 1 + RECORD_KEY.length);
        if (i < 0 || b[i] !== OPEN_BRACE) return this.#decline(target);
        i++;
        sawRecord = true;
        // The record: "stream" before "data"; "emitted_at" and "namespace" anywhere.
        let sawEmittedAt = false, sawNamespace = false, sawData = false;
        for (;;) {
          i = skipSpace(b, i);
          if (b[i] !== QUOTE) return this.#decline(target);
          i++;
          if (stream === undefined && startsWith(b, i, STREAM_KEY)) {
            i = expectColon(b, i + STREAM_KEY.length);
            if (i < 0 || b[i] !== QUOTE) return this.#decline(target);
            const close = plainStringEnd(b, i + 1);
            if (close < 0) return this.#decline(target);
            stream = this.#streamAt(b, i + 1, close);
            target = this.#lastTarget;
            if (target === undefined) return undefined;
            i = close + 1;
          } else if (!sawData && target !== undefined && startsWith(b, i, DATA_KEY)) {
            i = expectColon(b, i + DATA_KEY.length);
            if (i < 0) return this.#decline(target);
            i = scanData(b, i, target);
            if (i < 0) return this.#decline(target);
            sawData = true;
          } else if (!sawEmittedAt && startsWith(b, i, EMITTED_AT_KEY)) {
            i = expectColon(b, i + EMITTED_AT_KEY.length);
            const close = i < 0 ? FAILED : readNumber(b, i);
            if (close < 0) return this.#decline(target);
            emittedAt = numberRead;
            sawEmittedAt = true;
            i = close;
          } else if (!sawNamespace && startsWith(b, i, NAMESPACE_KEY)) {
            i = expectColon(b, i + NAMESPACE_KEY.length);
            if (i < 0) return this.#decline(target);
            if (startsWith(b, i, NULL)) i += 4;
            else if (b[i] === QUOTE && (i = stringEnd(b, i + 1)) >= 0) i++;
            else return this.#decline(target);
            sawNamespace = true;
          } else return this.#decline(target);
          i = skipSpace(b, i);
          const c = b[i++];
          if (c === CLOSE_BRACE) break;
          if (c !== COMMA) return this.#decline(target);
        }
        if (!sawData || !sawEmittedAt) return this.#decline(target);
      } else {
        return this.#decline(target);
      }
      i = skipSpace(b, i);
      const c = b[i++];
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) return this.#decline(target);
    }
    if (!sawType || !sawRecord || i > end) return this.#decline(target);
    for (; i < end; i++) {
      const c = b[i];
      if (c !== 32 && c !== 9 && c !== 13) return this.#decline(target);
    }
    target!.builder.endScannedRow(target!.valid, emittedAt);
    return stream;
  }

  /** Undo a half-written row: text columns drop the bytes written for it. */
  #decline(target: ScanTarget | undefined): undefined {
    if (target === undefined) return undefined;
    const row = target.builder.rowCount;
    for (const c of target.columns) {
      if (c.offsets.length > row) c.byteLength = c.offsets[row];
    }
    return undefined;
  }

  /** The stream name at `[start, end)`; sets `#lastTarget` to its target. */
  #streamAt(b: Uint8Array, start: number, end: number): string {
    const last = this.#lastStreamBytes;
    if (end - start === last.length) {
      let same = true;
      for (let k = 0; k < last.length; k++) {
        if (b[start + k] !== last[k]) {
          same = false;
          break;
        }
      }
      if (same) return this.#lastStream;
    }
    const stream = decoder.decode(b.subarray(start, end));
    let target: ScanTarget | undefined;
    if (this.#targets.has(stream)) target = this.#targets.get(stream);
    else {
      const builder = this.#lookup(stream);
      target = builder ? new ScanTarget(builder) : undefined;
      this.#targets.set(stream, target);
    }
    this.#lastStream = stream;
    this.#lastStreamBytes = b.slice(start, end);
    this.#lastTarget = target;
    return stream;
  }
}

/** The `data` object at `i` into the target's columns; returns the index after it, or -1. */
function scanData(b: Uint8Array, i: number, target: ScanTarget): number {
  if (b[i] !== OPEN_BRACE) return FAILED;
  const row = target.builder.reserveRow();
  const rowTag = ++target.rowsStarted;
  const { columns, keys, order, valid, seenRow } = target;
  valid.fill(0);
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_BRACE) return i + 1;
  for (let position = 0;; position++) {
    if (b[i] !== QUOTE) return FAILED;
    i++;
    // Which column: the one at this position last time, else a search.
    let index = position < order.length ? order[position] : -1;
    if (index < 0 || !startsWith(b, i, keys[index])) {
      index = -1;
      for (let k = 0; k < keys.length; k++) {
        if (startsWith(b, i, keys[k])) {
          index = k;
          break;
        }
      }
      if (index < 0) return FAILED; // not in the schema: `_airbyte_meta.extra`
      if (position < order.length) order[position] = index;
    }
    if (seenRow[index] === rowTag) return FAILED; // a duplicate key: JSON.parse keeps the last
    seenRow[index] = rowTag;
    i = expectColon(b, i + keys[index].length);
    if (i < 0) return FAILED;
    const first = b[i];
    if (first === 110) { // n
      if (!startsWith(b, i, NULL)) return FAILED;
      i += 4;
    } else {
      i = writeValue(b, i, first, columns[index], row);
      if (i < 0) return FAILED;
      valid[index] = 1;
    }
    i = skipSpace(b, i);
    const next = b[i];
    if (next === CLOSE_BRACE) return i + 1;
    if (next !== COMMA) return FAILED;
    i = skipSpace(b, i + 1);
  }
}

/** Writes the value at `i` (first byte `first`) into column `c`; returns its end or -1. */
function writeValue(b: Uint8Array, i: number, first: number, c: DataColumn, row: number): number {
  switch (c.conversion) {
    case Conversion.STRING:
      return first === QUOTE ? writeString(b, i + 1, c, row) : writeLiteralText(b, i, first, c, row);
    case Conversion.JSON_TEXT: {
      const end = copyCompactJson(b, i, c);
      if (end >= 0) c.offsets[row + 1] = c.byteLength;
      return end;
    }
    case Conversion.INTEGER: {
      const end = readNumber(b, i);
      if (end < 0) return FAILED;
      if (longInteger) {
        // Past 15 digits a double may round: the digits themselves, exactly (a misfit past
        // int64 is declined, for the general path to note).
        const exact = BigInt(latin1(b, i, end));
        if (BigInt.asIntN(64, exact) !== exact) return FAILED;
        c.i64[row] = exact;
        return end;
      }
      const value = numberRead;
      if (!Number.isInteger(value) || value < -TWO_POW_63 || value >= TWO_POW_63) return FAILED;
      writeInt64(c.u32, row, value);
      return end;
    }
    case Conversion.NUMBER: {
      const end = readNumber(b, i);
      if (end < 0) return FAILED;
      c.f64[row] = numberRead;
      return end;
    }
    case Conversion.BOOLEAN:
      if (first === 116 && startsWith(b, i, TRUE)) {
        c.bits[row >> 3] |= 1 << (row & 7);
        return i + 4;
      }
      if (first === 102 && startsWith(b, i, FALSE)) {
        c.bits[row >> 3] &= ~(1 << (row & 7));
        return i + 5;
      }
      return FAILED;
    case Conversion.TIMESTAMP: {
      if (first !== QUOTE) return FAILED;
      const end = plainStringEnd(b, i + 1);
      if (end < 0 || !timestampAt(b, i + 1, end) || parsed.truncated) return FAILED;
      writeMicros(c, row, parsed.seconds, parsed.micros);
      return end + 1;
    }
    case Conversion.DATE: {
      if (first !== QUOTE) return FAILED;
      const end = plainStringEnd(b, i + 1);
      if (end < 0) return FAILED;
      const days = parseDate(latin1(b, i + 1, end));
      if (days !== days) return FAILED; // NaN
      c.i32[row] = days;
      return end + 1;
    }
    case Conversion.TIME: {
      if (first !== QUOTE) return FAILED;
      const end = plainStringEnd(b, i + 1);
      if (end < 0 || !parseTime(latin1(b, i + 1, end)) || parsed.truncated) return FAILED;
      writeInt64(c.u32, row, parsed.micros);
      return end + 1;
    }
    default: // DECIMAL: rare, and its rounding rules live in the general path
      return FAILED;
  }
}

function startsWith(b: Uint8Array, i: number, word: Uint8Array): boolean {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}

function skipSpace(b: Uint8Array, i: number): number {
  let c = b[i];
  while (c === 32 || c === 9 || c === 13 || c === 10) c = b[++i];
  return i;
}

/** Whitespace, a colon, whitespace: returns the index of the value after it, or -1. */
function expectColon(b: Uint8Array, i: number): number {
  i = skipSpace(b, i);
  return b[i] === COLON ? skipSpace(b, i + 1) : FAILED;
}

/** The closing quote of a string of printable ASCII without escapes, or -1. */
function plainStringEnd(b: Uint8Array, i: number): number {
  for (;; i++) {
    const c = b[i];
    if (c === QUOTE) return i;
    // An escape, a control character, non-ASCII, or the end of the line.
    if (c === BACKSLASH || !(c >= 32 && c < 0x80)) return FAILED;
  }
}

/** The closing quote of any valid JSON string body (escapes checked, not UTF-8), or -1. */
function stringEnd(b: Uint8Array, i: number): number {
  for (;; i++) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) {
      const e = b[++i];
      if (e === 117) { // \uXXXX
        if (!(isHex(b[i + 1]) && isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4]))) return FAILED;
        i += 4;
      } else if (
        !(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)
      ) {
        return FAILED;
      }
    } else if (!(c >= 32)) return FAILED; // a control character, or the end of the line
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Writes the JSON string body at `i` into text column `c` as UTF-8 and ends row `row` there.
 * Returns the index after the closing quote, or -1 for an invalid string.
 */
function writeString(b: Uint8Array, i: number, c: DataColumn, row: number): number {
  // Plain ASCII (the common case) is copied as it goes; the first escape or non-ASCII byte
  // sends the string through the decoder and JSON.parse, exactly as the general path reads it.
  let at = c.byteLength;
  const room = lineEnd - i;
  if (room < 0) return FAILED;
  if (at + room > c.bytes.length) c.reserveBytes(room);
  const bytes = c.bytes;
  for (let k = i;; k++) {
    const ch = b[k];
    if (ch === QUOTE) {
      c.byteLength = at;
      c.offsets[row + 1] = at;
      return k + 1;
    }
    if (ch >= 32 && ch < 0x80 && ch !== BACKSLASH) {
      bytes[at++] = ch;
      continue;
    }
    if (!(ch >= 32)) return FAILED; // a control character, or the end of the line
    const end = stringEnd(b, k);
    if (end < 0) return FAILED;
    let text: string;
    try {
      text = JSON.parse(decoder.decode(b.subarray(i - 1, end + 1)));
    } catch {
      return FAILED;
    }
    // Bytes that are not UTF-8 (decoded as U+FFFD) and lone surrogates are stored as U+FFFD
    // with a note in _airbyte_meta: the general path's job.
    if (text.includes("\uFFFD") || !c.pushText(row, text)) return FAILED;
    return end + 1;
  }
}

/**
 * A number or boolean in a text column (a union such as `["integer", "string"]`), written as the
 * general path writes it, `String(value)`: `1917`, `true`. A number whose literal `String` would
 * spell otherwise (`1.50`, `1e3`, digits past 2^53) and objects or arrays are declined.
 */
function writeLiteralText(b: Uint8Array, i: number, first: number, c: DataColumn, row: number): number {
  let end: number;
  if (first === 116 && startsWith(b, i, TRUE)) end = i + 4;
  else if (first === 102 && startsWith(b, i, FALSE)) end = i + 5;
  else {
    end = readNumber(b, i);
    if (end < 0 || String(numberRead) !== latin1(b, i, end)) return FAILED;
  }
  const n = end - i;
  if (c.byteLength + n > c.bytes.length) c.reserveBytes(n);
  c.bytes.set(b.subarray(i, end), c.byteLength);
  c.byteLength += n;
  c.offsets[row + 1] = c.byteLength;
  return end;
}

/**
 * Copies the JSON value at `i` into text column `c` without insignificant whitespace, checking
 * that it is valid JSON (and valid UTF-8) on the way. Returns the index after the value, or -1.
 */
function copyCompactJson(b: Uint8Array, i: number, c: DataColumn): number {
  const room = lineEnd - i;
  if (room < 0) return FAILED;
  if (c.byteLength + room > c.bytes.length) c.reserveBytes(room);
  const bytes = c.bytes;
  let at = c.byteLength;
  let depth = 0;
  // Open containers, innermost last: 1 for an object, 2 for an array.
  const stack = containers;
  for (;;) {
    i = skipSpace(b, i);
    let ch = b[i];
    // A value.
    if (ch === QUOTE) {
      const end = stringEnd(b, i + 1);
      if (end < 0 || !copyUtf8(b, i, end + 1, bytes, at)) return FAILED;
      at += end + 1 - i;
      i = end + 1;
    } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      bytes[at++] = ch;
      const close = ch === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i = skipSpace(b, i + 1);
      if (b[i] === close) {
        bytes[at++] = close;
        i++;
      } else {
        stack[depth++] = ch === OPEN_BRACE ? 1 : 2;
        if (ch === OPEN_BRACE) {
          i = copyKey(b, i, bytes, at);
          if (i < 0) return FAILED;
          at = keyEnd;
        }
        continue;
      }
    } else if (ch === MINUS || (ch >= 48 && ch <= 57)) {
      const end = readNumber(b, i);
      // A literal that overflows a double is `null` in JSON.stringify's text: general path.
      if (end < 0 || !Number.isFinite(numberRead)) return FAILED;
      while (i < end) bytes[at++] = b[i++];
    } else if (startsWith(b, i, TRUE) || startsWith(b, i, NULL)) {
      for (let k = 0; k < 4; k++) bytes[at++] = b[i++];
    } else if (startsWith(b, i, FALSE)) {
      for (let k = 0; k < 5; k++) bytes[at++] = b[i++];
    } else return FAILED;
    // After a value: close containers, or a comma and the next member.
    for (;;) {
      if (depth === 0) {
        c.byteLength = at;
        return i;
      }
      i = skipSpace(b, i);
      ch = b[i];
      const inObject = stack[depth - 1] === 1;
      if (ch === COMMA) {
        bytes[at++] = COMMA;
        i = skipSpace(b, i + 1);
        if (inObject) {
          i = copyKey(b, i, bytes, at);
          if (i < 0) return FAILED;
          at = keyEnd;
        }
        break;
      }
      if (ch !== (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) return FAILED;
      bytes[at++] = ch;
      i++;
      depth--;
    }
  }
}

const containers: number[] = [];
/** Output position after {@linkcode copyKey} (a module variable saves an allocation). */
let keyEnd = 0;

/** Copies `"key":` at `i`; returns the index of the value after it (keyEnd = output end) or -1. */
function copyKey(b: Uint8Array, i: number, bytes: Uint8Array, at: number): number {
  if (b[i] !== QUOTE) return FAILED;
  const end = stringEnd(b, i + 1);
  if (end < 0 || !copyUtf8(b, i, end + 1, bytes, at)) return FAILED;
  at += end + 1 - i;
  i = expectColon(b, end + 1);
  if (i < 0) return FAILED;
  bytes[at++] = COLON;
  keyEnd = at;
  return i;
}

/** Copies `b[start, end)` to `bytes` at `at`; false when it is not valid UTF-8. */
function copyUtf8(b: Uint8Array, start: number, end: number, bytes: Uint8Array, at: number): boolean {
  for (let k = start; k < end; k++) {
    const ch = b[k];
    if (ch >= 0x80) return copyValidUtf8(b, k, end, bytes, at + k - start);
    bytes[at + k - start] = ch;
  }
  return true;
}

/** The non-ASCII part of {@linkcode copyUtf8}: checks each sequence as the Unicode tables say. */
function copyValidUtf8(b: Uint8Array, k: number, end: number, bytes: Uint8Array, at: number): boolean {
  while (k < end) {
    const c = b[k];
    let n = 0, low = 0x80, high = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) low = 0xa0;
      else if (c === 0xed) high = 0x9f; // no surrogates
      // U+FFFD itself: the general path notes text holding it (it stands for bytes lost).
      else if (c === 0xef && b[k + 1] === 0xbf && b[k + 2] === 0xbd) return false;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) low = 0x90;
      else if (c === 0xf4) high = 0x8f;
    } else return false;
    if (k + n >= end) return false;
    bytes[at++] = c;
    for (let j = 1; j <= n; j++) {
      const next = b[k + j];
      if (j === 1 ? (next < low || next > high) : (next < 0x80 || next > 0xbf)) return false;
      bytes[at++] = next;
    }
    k += n + 1;
  }
  return true;
}

/** The value of the number {@linkcode readNumber} read last (a module variable: no allocation). */
let numberRead = 0;
/**
 * The number read last is an integer literal (no fraction, no exponent) of more than 15 digits,
 * which `numberRead` may hold rounded: an integer column reads its digits exactly instead.
 */
let longInteger = false;

/**
 * Reads the JSON number at `i` (strict grammar) into `numberRead`, exactly as `JSON.parse` reads
 * it; returns the index after it, or -1. A plain decimal with at most 15 significant digits and
 * 22 fraction digits is one exact division (both operands are exact doubles, and IEEE division
 * rounds correctly); anything else goes through `Number()`.
 */
function readNumber(b: Uint8Array, i: number): number {
  const start = i;
  let c = b[i];
  const negative = c === MINUS;
  if (negative) c = b[++i];
  let mantissa = 0;
  let digits = 0; // significant digits
  if (c === 48) {
    c = b[++i];
  } else if (c >= 49 && c <= 57) {
    do {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      c = b[++i];
    } while (c >= 48 && c <= 57);
  } else return FAILED;
  let fraction = 0;
  if (c === DOT) {
    c = b[++i];
    if (!(c >= 48 && c <= 57)) return FAILED;
    do {
      mantissa = mantissa * 10 + (c - 48);
      if (mantissa !== 0) digits++;
      fraction++;
      c = b[++i];
    } while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) { // e E: rare, left to Number()
    c = b[++i];
    if (c === PLUS || c === MINUS) c = b[++i];
    if (!(c >= 48 && c <= 57)) return FAILED;
    do c = b[++i]; while (c >= 48 && c <= 57);
    numberRead = Number(latin1(b, start, i));
    longInteger = false;
    return i;
  }
  longInteger = digits > 15 && fraction === 0;
  if (digits > 15 || fraction > 22) {
    numberRead = Number(latin1(b, start, i));
  } else {
    const value = fraction > 0 ? mantissa / POWERS_OF_TEN[fraction] : mantissa;
    numberRead = negative ? -value : value;
  }
  return i;
}

/** ASCII bytes as a string (callers have checked they are ASCII). */
function latin1(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

function digit(b: Uint8Array, i: number): number {
  const d = b[i] - 48;
  return d >= 0 && d <= 9 ? d : -100; // a non-digit makes any sum of digits negative
}

/**
 * A timestamp string `[start, end)` into `parsed`. The usual `YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]`
 * is read from the bytes; other shapes go through `parseTimestamp`, the general path's parser.
 */
function timestampAt(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n >= 19) {
    const s = start;
    const year = digit(b, s) * 1000 + digit(b, s + 1) * 100 + digit(b, s + 2) * 10 + digit(b, s + 3);
    const month = digit(b, s + 5) * 10 + digit(b, s + 6);
    const day = digit(b, s + 8) * 10 + digit(b, s + 9);
    const hour = digit(b, s + 11) * 10 + digit(b, s + 12);
    const minute = digit(b, s + 14) * 10 + digit(b, s + 15);
    const second = digit(b, s + 17) * 10 + digit(b, s + 18);
    const sep = b[s + 10];
    if (
      year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0 &&
      b[s + 4] === MINUS && b[s + 7] === MINUS && b[s + 13] === COLON && b[s + 16] === COLON &&
      (sep === 84 || sep === 32 || sep === 116)
    ) {
      let i = s + 19;
      let micros = 0;
      let fits = true; // 1 to 6 fraction digits, or none
      if (b[i] === DOT) {
        let digits = 0;
        for (i++; i < end && digits < 7; i++, digits++) {
          const d = b[i] - 48;
          if (!(d >= 0 && d <= 9)) break;
          micros = micros * 10 + d;
        }
        fits = digits >= 1 && digits <= 6;
        for (; digits < 6; digits++) micros *= 10;
      }
      const offset = !fits
        ? NaN
        : i === end || ((b[i] === 90 || b[i] === 122) && i + 1 === end)
        ? 0
        : offsetAt(b, i, end);
      if (offset === offset) { // not NaN
        parsed.truncated = false;
        parsed.micros = micros;
        return setTimestamp(year, month, day, hour, minute, second, offset);
      }
    }
  }
  return parseTimestamp(latin1(b, start, end));
}

/** `±HH:MM` ending exactly at `end` → minutes east of UTC; NaN for anything else. */
function offsetAt(b: Uint8Array, i: number, end: number): number {
  if (end - i !== 6 || b[i + 3] !== COLON) return NaN;
  const sign = b[i] === PLUS ? 1 : b[i] === MINUS ? -1 : 0;
  const hours = digit(b, i + 1) * 10 + digit(b, i + 2);
  const minutes = digit(b, i + 4) * 10 + digit(b, i + 5);
  if (sign === 0 || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return NaN;
  return sign * (hours * 60 + minutes);
}
