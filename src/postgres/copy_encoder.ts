/**
 * Arrow record batches (as the batch builder makes them) into PostgreSQL's binary `COPY` format,
 * for `COPY table (columns) FROM STDIN WITH (FORMAT binary)`. Values go from the Arrow buffers
 * straight into the wire bytes: text and JSON are copied as UTF-8, integers, doubles, dates,
 * times and timestamps are re-based and byte-swapped, decimals become PostgreSQL's base-10000
 * `numeric`. No value is turned into a JavaScript object or string on the way, and the server
 * parses nothing but the JSON (binary `COPY` is about twice as fast as text here, see
 * bench/postgres_copy_formats.ts).
 *
 * ## Values PostgreSQL cannot store
 * The batch builder has already put values that do not fit their column type into
 * `_airbyte_meta`. A few values fit DuckDB but not PostgreSQL; they are handled the same way:
 * - text with NUL characters (PostgreSQL text cannot hold U+0000): the NULs are removed, and the
 *   row's `_airbyte_meta.changes` gets `{"field": <property>, "change": "TRUNCATED",
 *   "reason": "DESTINATION_SERIALIZATION_ERROR"}`;
 * - JSON with `\u0000` escapes (`jsonb` refuses them) or unpaired surrogate escapes: those
 *   escapes are removed (unpaired surrogates become `\ufffd`), with the same entry; in
 *   `_airbyte_meta` itself they are fixed without an entry;
 * - dates and timestamps outside PostgreSQL's range (4713 BC to 294276 AD; dates to 5874897
 *   AD) are stored as NULL with `{"change": "NULLED", "reason": "DESTINATION_TYPECAST_ERROR",
 *   "raw": <the value as ISO text>}`.
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";
import { CacheError } from "../errors.ts";
import { AIRBYTE_META_COLUMN } from "../arrow/stream_columns.ts";
import type { PgType } from "./pg_types.ts";

/** One column of the `COPY` column list and the Arrow column that feeds it. */
export interface CopyColumn {
  /** The table column (and the Arrow field of the same name). */
  name: string;
  /** The record property it holds, named in `_airbyte_meta` changes. */
  property: string;
  /** The table column's type. */
  pgType: PgType;
  /**
   * The Arrow values are plain strings going into a `jsonb` column (a table made when the
   * property held JSON, read now with a schema that says string): each is written as a JSON
   * string.
   */
  quoteJson?: boolean;
}

/** An `_airbyte_meta.changes` entry the encoder adds. */
interface Change {
  field: string;
  change: "NULLED" | "TRUNCATED";
  reason: "DESTINATION_TYPECAST_ERROR" | "DESTINATION_SERIALIZATION_ERROR";
  raw?: string;
}

// How a column's values are written; a switch on small integers per value.
const TEXT = 0,
  JSONB = 1,
  BOOL = 2,
  INT8 = 3,
  FLOAT8 = 4,
  NUMERIC = 5,
  DATE = 6,
  TIMESTAMP = 7,
  TIME = 8,
  UUID = 9;

/** Microseconds and days between 1970-01-01 (Arrow) and 2000-01-01 (PostgreSQL). */
const EPOCH_SHIFT_MICROS = 946_684_800_000_000;
const EPOCH_SHIFT_DAYS = 10_957;
/** PostgreSQL's timestamp range in µs since 1970: [MIN, END). */
const MIN_TIMESTAMP_1970 = -211_813_488_000_000_000n + 946_684_800_000_000n;
const END_TIMESTAMP_1970 = 9_223_371_331_200_000_000n + 946_684_800_000_000n;
/** Its date range in days since 1970: [MIN, END]. */
const MIN_DATE_1970 = -2_451_545 + EPOCH_SHIFT_DAYS;
const MAX_DATE_1970 = 2_145_031_948 + EPOCH_SHIFT_DAYS;
const MAX_TIME_MICROS = 86_400_000_000;
const TWO_POW_32 = 4294967296;

/** `PGCOPY\n\377\r\n\0`, flags 0, header extension length 0. */
const HEADER = new Uint8Array([
  0x50,
  0x47,
  0x43,
  0x4f,
  0x50,
  0x59,
  0x0a,
  0xff,
  0x0d,
  0x0a,
  0x00,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
]);
/** A field count of -1 ends the data. */
const TRAILER = new Uint8Array([0xff, 0xff]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A column prepared for one batch: where its values are and how to write them. */
interface Source {
  writer: number;
  column: CopyColumn;
  /** Validity bitmap (null: no nulls) and the bit of row 0. */
  bitmap: Uint8Array | null;
  bitOffset: number;
  /** Per-layout views of the values, from row 0 of the batch. */
  bytes: Uint8Array;
  offsets: Int32Array;
  u32: Uint32Array;
  i32: Int32Array;
  f64: Float64Array;
  /** Decimal scale. */
  scale: number;
  /** Rows whose value needs the slow path: NULLed (range) or cleaned (NUL, surrogates). */
  nulled: Set<number> | null;
  cleaned: Set<number> | null;
  /** The cleaned bytes of the row being written (computed first, to size the row). */
  pending: Uint8Array | null;
}

const EMPTY_U8 = new Uint8Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_F64 = new Float64Array(0);

function writerFor(column: CopyColumn, type: arrow.DataType): number {
  const t = column.pgType;
  const id = type.typeId;
  const ok = (wanted: arrow.Type, writer: number) => {
    if (id === wanted) return writer;
    throw new CacheError(
      `Cannot copy Arrow column '${column.name}' (${type}) into a PostgreSQL ${t} column.`,
      { guidance: "This is a bug in airbyte-ts: the batch and the table disagree on the column type." },
    );
  };
  if (t === "text") return ok(arrow.Type.Utf8, TEXT);
  if (t === "jsonb") return ok(arrow.Type.Utf8, JSONB);
  if (t === "boolean") return ok(arrow.Type.Bool, BOOL);
  if (t === "bigint") return ok(arrow.Type.Int, INT8);
  if (t === "double precision") return ok(arrow.Type.Float, FLOAT8);
  if (t.startsWith("numeric")) return ok(arrow.Type.Decimal, NUMERIC);
  if (t === "date") return ok(arrow.Type.Date, DATE);
  if (t === "timestamptz" || t === "timestamp") return ok(arrow.Type.Timestamp, TIMESTAMP);
  if (t === "time") return ok(arrow.Type.Time, TIME);
  return ok(arrow.Type.FixedSizeBinary, UUID);
}

/**
 * Encodes Arrow record batches as binary `COPY` data. Send {@linkcode BinaryCopyEncoder.header}
 * first, then the chunks of every batch, then {@linkcode BinaryCopyEncoder.trailer}.
 *
 * @example Copy one batch into a table
 * ```ts ignore
 * const encoder = new BinaryCopyEncoder([{ name: "id", property: "id", pgType: "bigint" }]);
 * const copy = await sql`COPY t (id) FROM STDIN WITH (FORMAT binary)`.writable();
 * copy.write(encoder.header());
 * for (const chunk of encoder.encode(arrow.tableFromIPC(ipcBytes))) copy.write(chunk);
 * copy.end(encoder.trailer());
 * ```
 */
export class BinaryCopyEncoder {
  readonly #columns: CopyColumn[];
  readonly #chunkBytes: number;

  /**
   * @param columns The `COPY` column list, in order; each names the Arrow field that feeds it.
   * @param options `chunkBytes`: the size of the chunks `encode` yields (default 1 MiB; a row
   *   larger than that gets a chunk of its own).
   */
  constructor(columns: CopyColumn[], options: { chunkBytes?: number } = {}) {
    this.#columns = columns;
    this.#chunkBytes = Math.max(1024, options.chunkBytes ?? 1 << 20);
  }

  /** The 19 bytes that start binary `COPY` data. */
  header(): Uint8Array {
    return HEADER.slice();
  }

  /** The 2 bytes that end it. */
  trailer(): Uint8Array {
    return TRAILER.slice();
  }

  /**
   * The rows of `batch` (a record batch, or a table of them, e.g. from `tableFromIPC`) as
   * binary `COPY` tuples, in chunks of about `chunkBytes`. Each chunk is a fresh array, safe to
   * hand to a socket that holds on to it.
   */
  *encode(batch: arrow.RecordBatch | arrow.Table): Generator<Uint8Array> {
    const batches = batch instanceof arrow.Table ? batch.batches : [batch];
    for (const b of batches) yield* this.#encodeBatch(b);
  }

  *#encodeBatch(batch: arrow.RecordBatch): Generator<Uint8Array> {
    const rows = batch.numRows;
    if (rows === 0) return;
    const sources = this.#columns.map((column) => prepare(batch, column));
    const changes = findMisfits(sources, rows);
    const metaIndex = this.#columns.findIndex((c) => c.name === AIRBYTE_META_COLUMN);
    // Bytes per row besides text: the field count, and each field's length word and value.
    let fixed = 2;
    for (const s of sources) fixed += 4 + fixedWidth(s.writer);
    const chunkBytes = this.#chunkBytes;
    let out = new Uint8Array(chunkBytes);
    let view = new DataView(out.buffer);
    let at = 0;
    const fieldCount = sources.length;
    for (let row = 0; row < rows; row++) {
      const metaOverride = changes?.get(row);
      let need = fixed;
      for (let i = 0; i < fieldCount; i++) {
        const s = sources[i];
        if (s.writer > JSONB) continue;
        if (s.cleaned !== null && s.cleaned.has(row) && !(i === metaIndex && metaOverride)) {
          s.pending = cleanText(s, row);
          need += s.pending.length + 1;
        } else need += s.offsets[row + 1] - s.offsets[row] + 1;
      }
      let metaBytes: Uint8Array | undefined;
      if (metaOverride && metaIndex >= 0) {
        metaBytes = rewriteMeta(sources[metaIndex], row, metaOverride);
        need += metaBytes.length;
      }
      if (at + need > out.length) {
        if (at > 0) yield out.subarray(0, at);
        out = new Uint8Array(Math.max(chunkBytes, need));
        view = new DataView(out.buffer);
        at = 0;
      }
      view.setInt16(at, fieldCount);
      at += 2;
      for (let i = 0; i < fieldCount; i++) {
        const s = sources[i];
        const bitmap = s.bitmap;
        if (bitmap !== null) {
          const bit = s.bitOffset + row;
          if ((bitmap[bit >> 3] & (1 << (bit & 7))) === 0) {
            view.setInt32(at, -1);
            at += 4;
            continue;
          }
        }
        if (s.nulled !== null && s.nulled.has(row)) {
          view.setInt32(at, -1);
          at += 4;
          continue;
        }
        switch (s.writer) {
          case TEXT:
          case JSONB: {
            let start = s.offsets[row];
            let end = s.offsets[row + 1];
            let bytes = s.bytes;
            if (i === metaIndex && metaBytes !== undefined) {
              bytes = metaBytes;
              start = 0;
              end = metaBytes.length;
            } else if (s.pending !== null) {
              bytes = s.pending;
              s.pending = null;
              start = 0;
              end = bytes.length;
            }
            const length = end - start;
            if (s.writer === JSONB) {
              view.setInt32(at, length + 1);
              out[at + 4] = 1; // jsonb binary format version
              at += 5;
            } else {
              view.setInt32(at, length);
              at += 4;
            }
            if (length < 48) {
              for (let k = start; k < end; k++) out[at++] = bytes[k];
            } else {
              out.set(bytes.subarray(start, end), at);
              at += length;
            }
            break;
          }
          case INT8: {
            const u32 = s.u32;
            view.setInt32(at, 8);
            view.setUint32(at + 4, u32[row * 2 + 1]);
            view.setUint32(at + 8, u32[row * 2]);
            at += 12;
            break;
          }
          case FLOAT8:
            view.setInt32(at, 8);
            view.setFloat64(at + 4, s.f64[row]);
            at += 12;
            break;
          case BOOL: {
            const bit = s.bitOffset + row;
            view.setInt32(at, 1);
            out[at + 4] = (s.bytes[bit >> 3] >> (bit & 7)) & 1;
            at += 5;
            break;
          }
          case DATE:
            view.setInt32(at, 4);
            view.setInt32(at + 4, s.i32[row] - EPOCH_SHIFT_DAYS);
            at += 8;
            break;
          case TIMESTAMP:
            view.setInt32(at, 8);
            writeShiftedInt64(view, at + 4, s.u32, row, EPOCH_SHIFT_MICROS);
            at += 12;
            break;
          case TIME:
            view.setInt32(at, 8);
            view.setUint32(at + 4, s.u32[row * 2 + 1]);
            view.setUint32(at + 8, s.u32[row * 2]);
            at += 12;
            break;
          case UUID: {
            view.setInt32(at, 16);
            at += 4;
            const bytes = s.bytes;
            for (let k = row * 16, e = k + 16; k < e; k++) out[at++] = bytes[k];
            break;
          }
          default:
            at = writeNumeric(view, at, s.u32, row, s.scale);
        }
      }
    }
    if (at > 0) yield out.subarray(0, at);
  }
}

function fixedWidth(writer: number): number {
  switch (writer) {
    case TEXT:
    case JSONB:
      return 0; // counted per row
    case BOOL:
      return 1;
    case DATE:
      return 4;
    case UUID:
      return 16;
    case NUMERIC:
      return 8 + 2 * 12; // 38 digits and a scale pad: at most 11 base-10000 digits
    default:
      return 8;
  }
}

/** The views of one Arrow column of `batch` that the writer of `column` reads. */
function prepare(batch: arrow.RecordBatch, column: CopyColumn): Source {
  const index = batch.schema.fields.findIndex((f) => f.name === column.name);
  if (index < 0) {
    throw new CacheError(`Cannot copy column '${column.name}': the Arrow batch has no such field.`, {
      guidance: "This is a bug in airbyte-ts: the batch and the COPY column list disagree.",
    });
  }
  const data = batch.getChildAt(index)!.data[0] as arrow.Data;
  const writer = writerFor(column, data.type);
  const values = data.values as ArrayBufferView | undefined;
  const source: Source = {
    writer,
    column,
    bitmap: data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null,
    bitOffset: data.offset,
    bytes: EMPTY_U8,
    offsets: EMPTY_I32,
    u32: EMPTY_U32,
    i32: EMPTY_I32,
    f64: EMPTY_F64,
    scale: 0,
    nulled: null,
    cleaned: null,
    pending: null,
  };
  // A sliced Data (offset > 0) already has its value offsets and fixed-width values sliced;
  // only the bit-packed buffers (validity, booleans) are addressed with the offset.
  const u8 = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  switch (writer) {
    case TEXT:
    case JSONB:
      source.bytes = u8(values!);
      source.offsets = data.valueOffsets as Int32Array;
      break;
    case BOOL:
      source.bytes = u8(values!);
      break;
    case DATE:
      source.i32 = values as Int32Array;
      break;
    case FLOAT8:
      source.f64 = values as Float64Array;
      break;
    case UUID:
      source.bytes = u8(values!);
      break;
    case NUMERIC: {
      source.u32 = values as Uint32Array;
      source.scale = (data.type as arrow.Decimal).scale;
      break;
    }
    default: {
      // INT8, TIMESTAMP, TIME: int64 values, read as (low, high) 32-bit words.
      const v = values as BigInt64Array;
      source.u32 = new Uint32Array(v.buffer, v.byteOffset, data.length * 2);
    }
  }
  return source;
}

function isValid(s: Source, row: number): boolean {
  if (s.bitmap === null) return true;
  const bit = s.bitOffset + row;
  return (s.bitmap[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** Signed int64 at `row` as a number (exact below 2^53). */
function int64At(u32: Uint32Array, row: number): number {
  return (u32[row * 2 + 1] | 0) * TWO_POW_32 + u32[row * 2];
}

function bigInt64At(u32: Uint32Array, row: number): bigint {
  return (BigInt(u32[row * 2 + 1] | 0) << 32n) | BigInt(u32[row * 2]);
}

/** Writes `value - shift` as a big-endian int64 (values near ±2^63 through a bigint). */
function writeShiftedInt64(view: DataView, at: number, u32: Uint32Array, row: number, shift: number): void {
  const hi = u32[row * 2 + 1] | 0;
  // |value| < 2^52: the double arithmetic is exact.
  if (hi > -1048576 && hi < 1048576) {
    const value = hi * TWO_POW_32 + u32[row * 2] - shift;
    const high = Math.floor(value / TWO_POW_32);
    view.setInt32(at, high);
    view.setUint32(at + 4, value - high * TWO_POW_32);
  } else {
    view.setBigInt64(at, bigInt64At(u32, row) - BigInt(shift));
  }
}

const TEN_THOUSAND_N = 10000n;
const digitScratch = new Uint16Array(16);

/**
 * A Decimal128 value (scaled integer, 4 little-endian words) as a binary `numeric`: field length,
 * then ndigits, weight, sign, dscale and base-10000 digits (most significant first). Returns the
 * position after it.
 */
function writeNumeric(view: DataView, at: number, u32: Uint32Array, row: number, scale: number): number {
  const w = row * 4;
  const w0 = u32[w], w1 = u32[w + 1], w2 = u32[w + 2], w3 = u32[w + 3];
  const negative = (w3 & 0x80000000) !== 0;
  // The fraction is padded to whole base-10000 digits: scale 9 counts in units of 10^-12.
  const pad = (4 - (scale % 4)) % 4;
  const padFactor = pad === 0 ? 1 : pad === 1 ? 10 : pad === 2 ? 100 : 1000;
  const fractionDigits = (scale + pad) / 4;
  let count = 0; // digits in scratch, least significant first
  const small = negative
    ? (w3 === 0xffffffff && w2 === 0xffffffff && w1 >= 0xffe00000)
    : (w3 === 0 && w2 === 0 && w1 < 0x00200000);
  let magnitude = small ? (negative ? -((w1 | 0) * TWO_POW_32 + w0) : w1 * TWO_POW_32 + w0) : 0;
  if (small && magnitude * padFactor <= Number.MAX_SAFE_INTEGER) {
    magnitude *= padFactor;
    while (magnitude > 0) {
      const q = Math.floor(magnitude / 10000);
      digitScratch[count++] = magnitude - q * 10000;
      magnitude = q;
    }
  } else {
    let big = (BigInt(w3 | 0) << 96n) | (BigInt(w2) << 64n) | (BigInt(w1) << 32n) | BigInt(w0);
    if (big < 0n) big = -big;
    big *= BigInt(padFactor);
    while (big > 0n) {
      digitScratch[count++] = Number(big % TEN_THOUSAND_N);
      big /= TEN_THOUSAND_N;
    }
  }
  // Trailing zero digits (the least significant) carry nothing: drop them.
  let low = 0;
  while (low < count && digitScratch[low] === 0) low++;
  const ndigits = count - low;
  const weight = ndigits === 0 ? 0 : count - 1 - fractionDigits;
  view.setInt32(at, 8 + ndigits * 2);
  view.setInt16(at + 4, ndigits);
  view.setInt16(at + 6, weight);
  view.setUint16(at + 8, negative && ndigits > 0 ? 0x4000 : 0);
  view.setInt16(at + 10, scale);
  at += 12;
  for (let i = count - 1; i >= low; i--) {
    view.setInt16(at, digitScratch[i]);
    at += 2;
  }
  return at;
}

/**
 * The values PostgreSQL would refuse, found before any byte is written: each such column gets
 * its `nulled` / `cleaned` rows, and the result maps a row to the meta changes it needs.
 */
function findMisfits(sources: Source[], rows: number): Map<number, Change[]> | undefined {
  let changes: Map<number, Change[]> | undefined;
  const note = (row: number, change: Change) => {
    changes ??= new Map();
    const list = changes.get(row);
    if (list) list.push(change);
    else changes.set(row, [change]);
  };
  for (const s of sources) {
    const field = s.column.property;
    const isMeta = s.column.name === AIRBYTE_META_COLUMN;
    switch (s.writer) {
      case TEXT: {
        // One native search over the whole column finds out whether any value has a NUL.
        const first = s.offsets[0];
        if (s.bytes.subarray(first, s.offsets[rows]).indexOf(0) < 0) break;
        for (let row = 0; row < rows; row++) {
          if (!isValid(s, row)) continue;
          const text = s.bytes.subarray(s.offsets[row], s.offsets[row + 1]);
          if (text.indexOf(0) >= 0) {
            (s.cleaned ??= new Set()).add(row);
            note(row, { field, change: "TRUNCATED", reason: "DESTINATION_SERIALIZATION_ERROR" });
          }
        }
        break;
      }
      case JSONB: {
        if (s.column.quoteJson) {
          // Every value is re-written as a JSON string (NULs removed, as in text).
          s.cleaned = new Set();
          for (let row = 0; row < rows; row++) {
            if (!isValid(s, row)) continue;
            s.cleaned.add(row);
            if (s.bytes.subarray(s.offsets[row], s.offsets[row + 1]).indexOf(0) >= 0) {
              note(row, { field, change: "TRUNCATED", reason: "DESTINATION_SERIALIZATION_ERROR" });
            }
          }
          break;
        }
        const bytes = s.bytes;
        const end = s.offsets[rows];
        // Backslashes are rare in JSON text; indexOf jumps between them natively.
        for (let at = bytes.indexOf(92, s.offsets[0]); at >= 0 && at < end; at = bytes.indexOf(92, at + 1)) {
          if (!badEscapeAt(bytes, at)) {
            if (bytes[at + 1] === 92) at++; // an escaped backslash: skip its second half
            continue;
          }
          const row = rowOf(s.offsets, rows, at);
          if (!s.cleaned?.has(row)) {
            (s.cleaned ??= new Set()).add(row);
            if (!isMeta) note(row, { field, change: "TRUNCATED", reason: "DESTINATION_SERIALIZATION_ERROR" });
          }
          at = s.offsets[row + 1] - 1; // the row is cleaned whole: go on with the next
        }
        break;
      }
      case DATE:
        for (let row = 0; row < rows; row++) {
          const days = s.i32[row];
          if ((days < MIN_DATE_1970 || days > MAX_DATE_1970) && isValid(s, row)) {
            (s.nulled ??= new Set()).add(row);
            note(row, { field, change: "NULLED", reason: "DESTINATION_TYPECAST_ERROR", raw: isoDate(days) });
          }
        }
        break;
      case TIMESTAMP:
        for (let row = 0; row < rows; row++) {
          // Within ±2^57 µs (4.5 million years) of 1970 is within range: the high word settles it.
          const hi = s.u32[row * 2 + 1] | 0;
          if (hi > -33554432 && hi < 33554432) continue;
          const value = bigInt64At(s.u32, row);
          if ((value < MIN_TIMESTAMP_1970 || value >= END_TIMESTAMP_1970) && isValid(s, row)) {
            (s.nulled ??= new Set()).add(row);
            note(row, {
              field,
              change: "NULLED",
              reason: "DESTINATION_TYPECAST_ERROR",
              raw: isoTimestamp(value),
            });
          }
        }
        break;
      case TIME:
        for (let row = 0; row < rows; row++) {
          const value = int64At(s.u32, row);
          if ((value < 0 || value > MAX_TIME_MICROS) && isValid(s, row)) {
            (s.nulled ??= new Set()).add(row);
            note(row, { field, change: "NULLED", reason: "DESTINATION_TYPECAST_ERROR", raw: String(value) });
          }
        }
        break;
    }
  }
  return changes;
}

/** The row whose bytes include position `at` (offsets ascend). */
function rowOf(offsets: Int32Array, rows: number, at: number): number {
  let lo = 0, hi = rows - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function hexAt(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const c = bytes[at + i] | 0x20; // lower-case letters; digits stay digits
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}

/**
 * Is the backslash at `at` the start of an escape jsonb refuses: `\u0000`, or a surrogate escape
 * that is not a high surrogate followed by a low one? (A backslash that escapes another one is
 * skipped by the caller.)
 */
function badEscapeAt(bytes: Uint8Array, at: number): boolean {
  if (bytes[at + 1] !== 117) return false; // not \u
  const code = hexAt(bytes, at + 2);
  if (code === 0) return true;
  if (code >= 0xd800 && code <= 0xdbff) {
    return !(bytes[at + 6] === 92 && bytes[at + 7] === 117 && (hexAt(bytes, at + 8) & 0xfc00) === 0xdc00);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    // A low surrogate is fine only right after a high one.
    return !(at >= 6 && bytes[at - 6] === 92 && bytes[at - 5] === 117 &&
      (hexAt(bytes, at - 4) & 0xfc00) === 0xd800);
  }
  return false;
}

/** A text value without NULs, or a JSON text without the escapes jsonb refuses, as UTF-8. */
function cleanText(s: Source, row: number): Uint8Array {
  const text = decoder.decode(s.bytes.subarray(s.offsets[row], s.offsets[row + 1]));
  if (s.column.quoteJson) return encoder.encode(JSON.stringify(text.replaceAll("\u0000", "")));
  return encoder.encode(s.writer === JSONB ? cleanJson(text) : text.replaceAll("\u0000", ""));
}

/** JSON text with `\u0000` escapes dropped and unpaired surrogate escapes made `\ufffd`. */
function cleanJson(text: string): string {
  return text.replace(/\\(\\|u([0-9a-fA-F]{4})(?:\\u([0-9a-fA-F]{4}))?)/g, (escape, body, first, second) => {
    if (body === "\\") return escape;
    const code = parseInt(first, 16);
    const next = second === undefined ? -1 : parseInt(second, 16);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return escape;
    const fix = (c: number) =>
      c === 0 ? "" : c >= 0xd800 && c <= 0xdfff ? "\\ufffd" : `\\u${c.toString(16).padStart(4, "0")}`;
    return fix(code) + (next < 0 ? "" : fix(next));
  });
}

/** `_airbyte_meta` of `row` with `changes` added, as UTF-8 JSON text. */
function rewriteMeta(meta: Source, row: number, changes: Change[]): Uint8Array {
  let parsed: { changes?: unknown[] } & Record<string, unknown> = { changes: [] };
  if (isValid(meta, row)) {
    const text = decoder.decode(meta.bytes.subarray(meta.offsets[row], meta.offsets[row + 1]));
    try {
      parsed = JSON.parse(cleanJson(text));
    } catch {
      parsed = { changes: [], unreadable: text };
    }
  }
  parsed.changes = [...(Array.isArray(parsed.changes) ? parsed.changes : []), ...changes];
  return encoder.encode(cleanJson(JSON.stringify(parsed)));
}

function isoDate(days: number): string {
  return isoTimestamp(BigInt(days) * 86_400_000_000n).split("T")[0];
}

/** `[-]YYYY…-MM-DDTHH:MM:SS.ffffffZ` for µs since 1970 in any int64 (beyond what `Date` covers). */
function isoTimestamp(micros: bigint): string {
  const dayMicros = 86_400_000_000n;
  let days = micros / dayMicros;
  let rest = micros % dayMicros;
  if (rest < 0n) {
    rest += dayMicros;
    days -= 1n;
  }
  // Civil from days (Howard Hinnant's algorithm), in bigints.
  const z = days + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
  const pad = (v: bigint, n: number) => String(v).padStart(n, "0");
  const seconds = rest / 1_000_000n;
  const y = year < 0n ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${y}-${pad(month, 2)}-${pad(day, 2)}T${pad(seconds / 3600n, 2)}:${pad((seconds / 60n) % 60n, 2)}:${
    pad(seconds % 60n, 2)
  }.${pad(rest % 1_000_000n, 6)}Z`;
}
