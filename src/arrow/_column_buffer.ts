/**
 * Growable storage for one Arrow column of the batch builder: typed arrays that double when full,
 * a validity bitmap, and for text one UTF-8 byte buffer with Int32 offsets. Buffers are reused
 * from batch to batch (the IPC writer copies them out), so a steady stream allocates little.
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";
import { CacheError } from "../errors.ts";

/**
 * How a column stores its values.
 *
 * @example Pick the layout of a text column
 * ```ts
 * import { Layout } from "./_column_buffer.ts";
 * if (Layout.TEXT !== 0) throw new Error();
 * ```
 */
export const Layout = {
  TEXT: 0,
  BOOL: 1,
  INT64: 2, // also TIMESTAMP and TIME: microseconds as int64
  FLOAT64: 3,
  DECIMAL: 4, // Decimal128
  DATE: 5, // Date32 days
} as const;

const encoder = new TextEncoder();
const EMPTY_U8 = new Uint8Array(0);
const MAX_TEXT_BYTES = 0x7fffffff; // Utf8 offsets are Int32

/**
 * Storage of one column. Every field exists on every instance so V8 sees a single shape.
 *
 * @example A text column with a value and a NULL
 * ```ts
 * import * as arrow from "npm:apache-arrow@17.0.0";
 * import { ColumnBuffer, Layout } from "./_column_buffer.ts";
 * const column = new ColumnBuffer(new arrow.Field("s", new arrow.Utf8(), true), Layout.TEXT);
 * column.grow(16, 0);
 * column.pushText(0, "héllo");
 * column.setValid(0);
 * column.setNull(1);
 * const vector = arrow.makeVector(column.toData(2));
 * if (vector.get(0) !== "héllo" || vector.get(1) !== null) throw new Error();
 * ```
 */
export class ColumnBuffer {
  readonly field: arrow.Field;
  readonly layout: number;
  validity = EMPTY_U8;
  nullCount = 0;
  f64 = new Float64Array(0);
  /** INT64 as lo/hi word pairs, DECIMAL as 4 words. */
  u32 = new Uint32Array(0);
  /** The same memory as `u32`, for the rare bigint writes. */
  i64 = new BigInt64Array(0);
  /** DATE days. */
  i32 = new Int32Array(0);
  /** BOOL values, bit-packed. */
  bits = EMPTY_U8;
  /** TEXT values as UTF-8, and where each row's value ends. */
  bytes = EMPTY_U8;
  offsets = new Int32Array(0);
  byteLength = 0;

  constructor(field: arrow.Field, layout: number) {
    this.field = field;
    this.layout = layout;
  }

  /** Bytes per row besides text, for size estimates. */
  get fixedWidth(): number {
    return this.layout === Layout.DECIMAL ? 16 : this.layout === Layout.TEXT ? 4 : 8;
  }

  /** Reallocates for `capacity` rows, keeping the first `rows`. */
  grow(capacity: number, rows: number): void {
    this.validity = copyInto(new Uint8Array((capacity + 7) >> 3), this.validity, (rows + 7) >> 3);
    switch (this.layout) {
      case Layout.FLOAT64:
        this.f64 = copyInto(new Float64Array(capacity), this.f64, rows);
        break;
      case Layout.BOOL:
        this.bits = copyInto(new Uint8Array((capacity + 7) >> 3), this.bits, (rows + 7) >> 3);
        break;
      case Layout.DATE:
        this.i32 = copyInto(new Int32Array(capacity), this.i32, rows);
        break;
      case Layout.INT64:
      case Layout.DECIMAL: {
        const words = this.layout === Layout.DECIMAL ? 4 : 2;
        this.u32 = copyInto(new Uint32Array(capacity * words), this.u32, rows * words);
        this.i64 = new BigInt64Array(this.u32.buffer);
        break;
      }
      default:
        this.offsets = copyInto(new Int32Array(capacity + 1), this.offsets, rows + 1);
    }
  }

  /** Makes room for `extra` more text bytes. */
  reserveBytes(extra: number): void {
    const needed = this.byteLength + extra;
    if (needed <= this.bytes.length) return;
    if (needed > MAX_TEXT_BYTES) {
      throw new CacheError(
        `Cannot put more than 2 GiB of text into column '${this.field.name}' in one batch.`,
        { guidance: "Finish batches earlier: check `byteEstimate` after each `add`." },
      );
    }
    const size = Math.min(Math.max(needed, this.bytes.length * 2, 1024), MAX_TEXT_BYTES);
    this.bytes = copyInto(new Uint8Array(size), this.bytes, this.byteLength);
  }

  setValid(row: number): void {
    this.validity[row >> 3] |= 1 << (row & 7);
  }

  setNull(row: number): void {
    this.validity[row >> 3] &= ~(1 << (row & 7));
    this.nullCount++;
    if (this.layout === Layout.TEXT) this.offsets[row + 1] = this.byteLength;
  }

  /**
   * Appends a string as UTF-8 and ends the row there. Returns false when the string held lone
   * surrogates, which UTF-8 cannot carry: each was stored as U+FFFD.
   */
  pushText(row: number, text: string): boolean {
    const n = text.length;
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
    if (this.byteLength + n * 3 > this.bytes.length) this.reserveBytes(n * 3);
    const bytes = this.bytes;
    let at = this.byteLength;
    let wellFormed = true;
    if (n > 64) {
      const written = encoder.encodeInto(text, bytes.subarray(at)).written;
      at += written;
      // Pure ASCII writes one byte per unit; only other text can hold a surrogate.
      if (written !== n) wellFormed = text.isWellFormed();
    } else {
      // Short values: copy ASCII in JavaScript (cheaper than a call into the encoder), hand the
      // rest to the encoder from the first non-ASCII character on.
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        bytes[at + i] = c;
      }
      at += i;
      if (i < n) {
        const rest = text.slice(i);
        at += encoder.encodeInto(rest, bytes.subarray(at)).written;
        wellFormed = rest.isWellFormed();
      }
    }
    this.byteLength = at;
    this.offsets[row + 1] = at;
    return wellFormed;
  }

  /** The column's Arrow data for its first `rows` rows. */
  toData(rows: number): arrow.Data {
    const type = this.field.type;
    const validityBytes = (rows + 7) >> 3;
    if (rows & 7) this.validity[validityBytes - 1] &= (1 << (rows & 7)) - 1; // no stale bits past the end
    const props = {
      type,
      length: rows,
      nullCount: this.nullCount,
      nullBitmap: this.validity.subarray(0, validityBytes),
    };
    switch (this.layout) {
      case Layout.FLOAT64:
        return arrow.makeData({ ...props, data: this.f64.subarray(0, rows) });
      case Layout.BOOL:
        return arrow.makeData({ ...props, data: this.bits.subarray(0, validityBytes) });
      case Layout.DATE:
        return arrow.makeData({ ...props, data: this.i32.subarray(0, rows) });
      case Layout.INT64:
        return arrow.makeData({ ...props, data: this.u32.subarray(0, rows * 2) });
      case Layout.DECIMAL:
        return arrow.makeData({ ...props, data: this.u32.subarray(0, rows * 4) });
      default:
        return arrow.makeData({
          ...props,
          data: this.bytes.subarray(0, this.byteLength),
          valueOffsets: this.offsets.subarray(0, rows + 1),
        });
    }
  }

  reset(): void {
    this.nullCount = 0;
    this.byteLength = 0;
  }
}

function copyInto<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(
  target: T,
  source: T,
  count: number,
): T {
  if (count > 0) target.set(source.subarray(0, count) as never);
  return target;
}
