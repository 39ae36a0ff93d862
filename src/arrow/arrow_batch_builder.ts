/**
 * Builds Arrow record batches from parsed Airbyte records, fast: each column is a typed array
 * that grows by doubling, with its own validity bitmap; text goes as UTF-8 into one growing byte
 * buffer with Int32 offsets; row ids are a prefix plus a counter. `finish()` hands out Arrow IPC
 * stream bytes that DuckDB-WASM ingests with `insertArrowFromIPCStream`, and reuses the buffers
 * for the next batch.
 *
 * ## Values that do not fit their column
 * Nothing is lost. A value that cannot be stored in its column's type is stored as NULL, and the
 * row's `_airbyte_meta.changes` gets
 * `{"field": <property>, "change": "NULLED", "reason": "DESTINATION_TYPECAST_ERROR", "raw": <value>}`.
 * A value stored with less precision than it came with (sub-microsecond digits of a time, digits
 * past a decimal column's scale) is kept rounded, with the same entry but
 * `"change": "TRUNCATED", "reason": "DESTINATION_FIELD_SIZE_LIMITATION"`. Per kind:
 *
 * - `integer` (BIGINT): integral numbers within ±2^63 (and bigints); anything else is a misfit,
 *   numeric strings included.
 * - `number` (DOUBLE): numbers, and the strings `"NaN"`, `"Infinity"`, `"-Infinity"` that the
 *   Airbyte Number type allows.
 * - `big_integer` / `decimal` (DECIMAL): numbers, bigints and decimal strings within 38 digits
 *   (a fraction in `big_integer` is a misfit; digits past `decimal`'s scale are rounded).
 * - `boolean`: `true` / `false` only.
 * - `date`, `timestamp_*`, `time_without_timezone`: RFC 3339 strings (` BC` allowed for dates and
 *   timestamps); timestamps without an offset are UTC, timestamps with one are converted to UTC
 *   (also in a `TIMESTAMP` column). Other date strings go through `Date.parse` (millisecond
 *   precision, local time when they carry no zone).
 * - `string`, `time_with_timezone` (VARCHAR): strings as they are; numbers, booleans and bigints
 *   as their text; objects and arrays as JSON text. None of these is a misfit.
 * - `json` (VARCHAR): the JSON text of any value (a string becomes a quoted JSON string).
 *
 * Text that UTF-8 cannot carry is stored with U+FFFD in its place and noted with
 * `"change": "TRUNCATED", "reason": "SOURCE_SERIALIZATION_ERROR"` and the value as received: a
 * lone surrogate (a `\udXXX` escape without its pair; `raw` keeps it, escaped) in a text column,
 * and bytes that were not UTF-8 in a text or JSON column. Those bytes become U+FFFD when the line
 * is decoded, so in a line whose text holds U+FFFD every text value holding it is noted (a source
 * that sends U+FFFD itself, unescaped, gets the same note).
 *
 * JSON `null` and an absent property are both SQL NULL. Properties present in a record but not in
 * the schema are kept in `_airbyte_meta.extra` (`{"extra": {"<property>": <value>}}`), so no
 * column appears mid-sync. Integers past 2^53 keep their digits: a record parsed from a line
 * carries an exact copy of its data (bigints; see `record_notes.ts`), which is what gets stored, and
 * a misfit's `raw` is written with those digits.
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";
import { ColumnBuffer, Layout } from "./_column_buffer.ts";
import { parseScaledDecimal } from "./_decimal.ts";
import { parsed, parseDate, parseTime, parseTimestamp } from "./_temporal.ts";
import { stringifyExact } from "../protocol/exact_json.ts";
import { notesOf } from "../protocol/record_notes.ts";
import {
  AIRBYTE_EXTRACTED_AT_COLUMN,
  AIRBYTE_META_COLUMN,
  AIRBYTE_RAW_ID_COLUMN,
  type ColumnKind,
  type ColumnSpec,
} from "./stream_columns.ts";

/** Options for {@linkcode ArrowBatchBuilder}. */
export interface ArrowBatchBuilderOptions {
  /** Rows the caller means to put in a batch; sizes the first allocation (default 50,000). */
  batchRows?: number;
  /** Written into every row's `_airbyte_meta` as `sync_id` (omitted when not given). */
  syncId?: number;
  /**
   * Row ids (UUIDs, version 7 layout) begin with this time in milliseconds, so ids of a later
   * sync sort after those of an earlier one. @default Date.now()
   */
  idTime?: number;
  /**
   * 32 bits that tell this builder's ids from those of other builders started in the same
   * millisecond. @default random
   */
  idSeed?: number;
}

/** One entry of `_airbyte_meta.changes`. */
export interface MetaChange {
  field: string;
  change: "NULLED" | "TRUNCATED";
  reason: "DESTINATION_TYPECAST_ERROR" | "DESTINATION_FIELD_SIZE_LIMITATION" | "SOURCE_SERIALIZATION_ERROR";
  /** The value as the record carried it. */
  raw: unknown;
}

// How a value is converted; a switch on small integers keeps the per-value dispatch cheap.
// Exported (as `Conversion`) for record_line_scanner.ts, which writes the same columns.
const STRING = 0,
  JSON_TEXT = 1,
  BOOLEAN = 2,
  INTEGER = 3,
  NUMBER = 4,
  DECIMAL = 5,
  DATE = 6,
  TIMESTAMP = 7,
  TIME = 8;

/**
 * How a data column converts values (internal: shared with the record line scanner).
 *
 * @example
 * ```ts
 * import { Conversion } from "./arrow_batch_builder.ts";
 * if (Conversion.STRING !== 0) throw new Error();
 * ```
 */
export const Conversion = {
  STRING,
  JSON_TEXT,
  BOOLEAN,
  INTEGER,
  NUMBER,
  DECIMAL,
  DATE,
  TIMESTAMP,
  TIME,
} as const;

const CONVERSIONS: Record<ColumnKind, [conversion: number, layout: number]> = {
  string: [STRING, Layout.TEXT],
  time_with_timezone: [STRING, Layout.TEXT],
  json: [JSON_TEXT, Layout.TEXT],
  boolean: [BOOLEAN, Layout.BOOL],
  integer: [INTEGER, Layout.INT64],
  number: [NUMBER, Layout.FLOAT64],
  big_integer: [DECIMAL, Layout.DECIMAL],
  decimal: [DECIMAL, Layout.DECIMAL],
  date: [DATE, Layout.DATE],
  timestamp_with_timezone: [TIMESTAMP, Layout.INT64],
  timestamp_without_timezone: [TIMESTAMP, Layout.INT64],
  time_without_timezone: [TIME, Layout.INT64],
};

// What became of a value. REPLACED: text stored with U+FFFD for what UTF-8 cannot hold (a lone
// surrogate) or what was not UTF-8 in the first place.
const FITS = 0, TRUNCATED = 1, MISFIT = 2, ABSENT = 3, REPLACED = 4;
const REPLACEMENT_CHARACTER = "\uFFFD";

const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 9223372036854775808;
const encoder = new TextEncoder();

/** A data column: its storage plus how values are converted into it. */
export class DataColumn extends ColumnBuffer {
  readonly property: string;
  readonly conversion: number;
  /** DECIMAL scale and precision. */
  readonly scale: number;
  readonly precision: number;
  /** Last `add` call that saw this column's property. */
  seen = 0;

  constructor(spec: ColumnSpec) {
    const [conversion, layout] = CONVERSIONS[spec.kind];
    super(new arrow.Field(spec.name, spec.arrowType, true), layout);
    this.property = spec.property;
    this.conversion = conversion;
    const decimal = spec.arrowType instanceof arrow.Decimal ? spec.arrowType : undefined;
    this.scale = decimal?.scale ?? 0;
    this.precision = decimal?.precision ?? 0;
  }
}

/**
 * JSON text of any value a record may hold. Bigints (integers past 2^53, read exactly from the
 * line or sent by an in-process connector) are written as their digits, a JSON number.
 */
function toJsonText(value: unknown): string {
  return stringifyExact(value) ?? "null";
}

/**
 * Stores an integral double with |value| < 2^63 as an int64 word pair.
 *
 * @example
 * ```ts
 * import { writeInt64 } from "./arrow_batch_builder.ts";
 * const words = new Uint32Array(2);
 * writeInt64(words, 0, -1);
 * if (words[0] !== 0xffffffff || words[1] !== 0xffffffff) throw new Error();
 * ```
 */
export function writeInt64(u32: Uint32Array, row: number, value: number): void {
  if ((value | 0) === value) {
    // Fits 32 bits: the high word is the sign.
    u32[row * 2] = value;
    u32[row * 2 + 1] = value >> 31;
    return;
  }
  const hi = Math.floor(value / TWO_POW_32);
  u32[row * 2] = value - hi * TWO_POW_32;
  u32[row * 2 + 1] = hi; // the typed-array store wraps a negative word to two's complement
}

/**
 * Microseconds since the epoch as int64; beyond ±2^53 µs (past year ~2255) through a bigint.
 *
 * @example
 * ```ts
 * import * as arrow from "npm:apache-arrow@17.0.0";
 * import { ColumnBuffer, Layout } from "./_column_buffer.ts";
 * import { writeMicros } from "./arrow_batch_builder.ts";
 * const c = new ColumnBuffer(new arrow.Field("t", new arrow.Int64()), Layout.INT64);
 * c.grow(1, 0);
 * writeMicros(c, 0, 1, 5);
 * if (c.i64[0] !== 1_000_005n) throw new Error();
 * ```
 */
export function writeMicros(column: ColumnBuffer, row: number, seconds: number, micros: number): void {
  if (seconds > -9e9 && seconds < 9e9) writeInt64(column.u32, row, seconds * 1_000_000 + micros);
  else column.i64[row] = BigInt(seconds) * 1_000_000n + BigInt(micros);
}

/**
 * The first 11 bytes of a builder's row ids: a UUID version 7 layout whose 48-bit time is
 * `time` and whose random bits come from `seed`; the last 5 bytes (40 bits) count rows, so the
 * ids of one builder sort (as UUIDs and as text) in the order rows were added.
 */
function idPrefixBytes(time: number, seed: number): Uint8Array {
  const b = new Uint8Array(11);
  for (let i = 5, t = time; i >= 0; i--, t = Math.floor(t / 256)) b[i] = t % 256;
  b[6] = 0x70 | (seed >>> 28); // version 7
  b[7] = (seed >>> 20) & 0xff;
  b[8] = 0x80 | ((seed >>> 14) & 0x3f); // RFC 9562 variant
  b[9] = (seed >>> 6) & 0xff;
  b[10] = (seed << 2) & 0xfc;
  return b;
}

const UUID_TYPE = new arrow.FixedSizeBinary(16);
// DuckDB reads this Arrow extension as its UUID type.
const UUID_FIELD_METADATA = new Map([["ARROW:extension:name", "arrow.uuid"], [
  "ARROW:extension:metadata",
  "",
]]);

/**
 * Collects records into one Arrow record batch at a time, typed by the columns from
 * `toStreamColumns` (the `_airbyte_*` columns among them are filled in by the builder).
 *
 * @example Build a batch and read it back
 * ```ts
 * import * as arrow from "npm:apache-arrow@17.0.0";
 * import { ArrowBatchBuilder } from "./arrow_batch_builder.ts";
 * import { toStreamColumns } from "./stream_columns.ts";
 * const columns = toStreamColumns({ properties: { id: { type: "integer" }, name: { type: "string" } } });
 * const builder = new ArrowBatchBuilder(columns, { syncId: 7, idTime: 0, idSeed: 0 });
 * builder.add({ id: 1, name: "Ada" }, 1_700_000_000_000);
 * builder.add({ id: "two", name: "Bob", age: 40 }, 1_700_000_000_000);
 * const table = arrow.tableFromIPC(builder.finish());
 * const rows = table.toArray().map((r) => r.toJSON());
 * if (rows[0].id !== 1n || rows[1].id !== null) throw new Error();
 * // Row ids are UUIDs (16 bytes): the time and seed given, then a row counter.
 * const id = Array.from(rows[1]._airbyte_raw_id as Uint8Array, (b) => b.toString(16).padStart(2, "0")).join("");
 * if (id !== "00000000000070008000000000000001") throw new Error(id);
 * const meta = JSON.parse(rows[1]._airbyte_meta);
 * if (meta.changes[0].raw !== "two" || meta.extra.age !== 40 || meta.sync_id !== 7) throw new Error();
 * if (builder.rowCount !== 0) throw new Error("finish() starts the next batch");
 * ```
 */
export class ArrowBatchBuilder {
  readonly #schema: arrow.Schema;
  readonly #dataColumns: DataColumn[];
  readonly #byProperty = new Map<string, DataColumn>();
  /** Per output column, in schema order: how to make its Arrow data at `finish`. */
  readonly #assemblers: ((rows: number) => arrow.Data)[];
  readonly #extractedAt: ColumnBuffer;
  readonly #rawIds: ColumnBuffer;
  readonly #meta: ColumnBuffer;
  /** The keys of the last record in order, and their columns: the next record likely has the same. */
  readonly #lastKeys: string[] = [];
  readonly #lastColumns: (DataColumn | undefined)[] = [];
  readonly #syncId: number | undefined;
  readonly #idPrefix: Uint8Array;
  /** `_airbyte_raw_id` is a UUID column (else text, for tables made before ids were UUIDs). */
  #uuidIds = true;
  /**
   * Text ids keep their old form, `<time base 36>-<seed hex>-<12-digit counter>`: they sort after
   * the ids already in such a table (those begin with an earlier time), which delivery marks need.
   */
  readonly #textIdPrefix: Uint8Array;
  readonly #plainMeta: Uint8Array;
  /** Rows whose `_airbyte_meta` is not the plain one, and that meta's text. */
  #metaRows: number[] = [];
  #metaTexts: string[] = [];
  #firstId = 0;
  #rows = 0;
  #capacity = 0;
  #calls = 0;

  constructor(columns: ColumnSpec[], options: ArrowBatchBuilderOptions = {}) {
    this.#syncId = options.syncId;
    const idTime = options.idTime ?? Date.now();
    const idSeed = options.idSeed ?? crypto.getRandomValues(new Uint32Array(1))[0];
    this.#idPrefix = idPrefixBytes(idTime, idSeed);
    this.#textIdPrefix = encoder.encode(`${idTime.toString(36)}-${idSeed.toString(16).padStart(8, "0")}-`);
    this.#plainMeta = encoder.encode(this.#metaText([], undefined));
    this.#extractedAt = new ColumnBuffer(
      new arrow.Field(
        AIRBYTE_EXTRACTED_AT_COLUMN,
        new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, "UTC"),
        true,
      ),
      Layout.INT64,
    );
    this.#rawIds = new ColumnBuffer(
      new arrow.Field(AIRBYTE_RAW_ID_COLUMN, new arrow.Utf8(), true),
      Layout.TEXT,
    );
    this.#meta = new ColumnBuffer(new arrow.Field(AIRBYTE_META_COLUMN, new arrow.Utf8(), true), Layout.TEXT);
    this.#dataColumns = [];
    const fields: arrow.Field[] = [];
    this.#assemblers = columns.map((spec) => {
      switch (spec.name) {
        case AIRBYTE_RAW_ID_COLUMN:
          this.#uuidIds = spec.sqlType === "UUID";
          fields.push(
            this.#uuidIds
              ? new arrow.Field(AIRBYTE_RAW_ID_COLUMN, UUID_TYPE, false, UUID_FIELD_METADATA)
              : this.#rawIds.field,
          );
          return (rows) => this.#rawIdData(rows);
        case AIRBYTE_META_COLUMN:
          fields.push(this.#meta.field);
          return (rows) => this.#metaData(rows);
        case AIRBYTE_EXTRACTED_AT_COLUMN:
          fields.push(this.#extractedAt.field);
          return (rows) => this.#extractedAt.toData(rows);
      }
      const column = new DataColumn(spec);
      fields.push(column.field);
      this.#dataColumns.push(column);
      this.#byProperty.set(spec.property, column);
      return (rows) => column.toData(rows);
    });
    this.#schema = new arrow.Schema(fields);
    this.#grow(Math.max(16, Math.min(options.batchRows ?? 50_000, 1 << 20)));
  }

  /** Rows added since the last {@linkcode finish}. */
  get rowCount(): number {
    return this.#rows;
  }

  /** The data columns in schema order (internal: for the record line scanner). */
  get dataColumns(): readonly DataColumn[] {
    return this.#dataColumns;
  }

  /** Makes room for one more row and returns its index (internal: for the record line scanner). */
  reserveRow(): number {
    if (this.#rows === this.#capacity) this.#grow(this.#capacity * 2);
    return this.#rows;
  }

  /**
   * Ends a row whose data values the record line scanner wrote: `valid[i]` is 1 where data column
   * `i` got a value, 0 where the record had null or nothing. The meta is the plain one.
   */
  endScannedRow(valid: Uint8Array, emittedAt: number): void {
    const row = this.#rows;
    const columns = this.#dataColumns;
    for (let i = 0; i < columns.length; i++) {
      if (valid[i] === 1) columns[i].setValid(row);
      else columns[i].setNull(row);
    }
    this.#endRow(row, emittedAt);
  }

  /** `_airbyte_extracted_at` from the record's `emitted_at` (ms), and the row is done. */
  #endRow(row: number, emittedAt: number): void {
    const extractedAt = this.#extractedAt;
    if (Number.isFinite(emittedAt)) {
      writeInt64(extractedAt.u32, row, Math.round(emittedAt * 1000));
      extractedAt.setValid(row);
    } else {
      extractedAt.setNull(row);
    }
    this.#rows = row + 1;
  }

  /** About how many bytes the batch will take (text counted one byte per character). */
  get byteEstimate(): number {
    let bytes = this.#rows * (16 + 8 + this.#plainMeta.length);
    for (const c of this.#dataColumns) bytes += this.#rows * c.fixedWidth + c.byteLength;
    for (const text of this.#metaTexts) bytes += text.length;
    return bytes;
  }

  /**
   * Adds one record. `emittedAt` is the record's `emitted_at` (milliseconds since the epoch).
   */
  add(data: Record<string, unknown>, emittedAt: number): void {
    // A record with integers past 2^53 carries an exact copy of itself (see exact_json.ts).
    // What the parser noted (rare): exact integers past 2^53, text that was not UTF-8.
    const notes = notesOf(data);
    let invalidUtf8 = false;
    if (notes !== undefined) {
      data = notes.exact ?? data;
      invalidUtf8 = notes.replacementCharacters === true;
    }
    const row = this.#rows;
    if (row === this.#capacity) this.#grow(this.#capacity * 2);
    const call = ++this.#calls;
    const byProperty = this.#byProperty;
    const lastKeys = this.#lastKeys;
    const lastColumns = this.#lastColumns;
    let position = 0;
    let matched = 0;
    let changes: MetaChange[] | undefined;
    let extra: Record<string, unknown> | undefined;
    // Walking the record's own keys (not the schema's) keeps property reads on V8's fast for-in
    // path, and finds properties the schema lacks on the way.
    for (const key in data) {
      const value = data[key];
      let c: DataColumn | undefined;
      if (lastKeys[position] === key) {
        c = lastColumns[position];
      } else {
        c = byProperty.get(key);
        lastKeys[position] = key;
        lastColumns[position] = c;
      }
      position++;
      if (c === undefined) {
        // A null prototype keeps a "__proto__" property as data.
        if (value !== undefined && Object.hasOwn(data, key)) (extra ??= Object.create(null))[key] = value;
        continue;
      }
      c.seen = call;
      matched++;
      // The common cases inline; rarer shapes of a value go to helpers that return an outcome.
      let outcome = FITS;
      if (value === null || value === undefined) {
        outcome = ABSENT;
      } else {
        switch (c.conversion) {
          case STRING:
            if (typeof value === "string") {
              if (!c.pushText(row, value) || (invalidUtf8 && value.includes(REPLACEMENT_CHARACTER))) {
                outcome = REPLACED;
              }
            } else if (typeof value === "object") {
              const text = toJsonText(value);
              c.pushText(row, text);
              if (invalidUtf8 && text.includes(REPLACEMENT_CHARACTER)) outcome = REPLACED;
            } else c.pushText(row, String(value));
            break;
          case JSON_TEXT: {
            // JSON.stringify is native and fast on nested payloads of any size. It writes a lone
            // surrogate as an escape, so only text that was not UTF-8 can lose anything here.
            const text = toJsonText(value);
            c.pushText(row, text);
            if (invalidUtf8 && text.includes(REPLACEMENT_CHARACTER)) outcome = REPLACED;
            break;
          }
          case INTEGER:
            if (
              typeof value === "number" && Number.isInteger(value) && value >= -TWO_POW_63 &&
              value < TWO_POW_63
            ) {
              writeInt64(c.u32, row, value);
            } else outcome = writeBigInt64(c, row, value);
            break;
          case NUMBER:
            if (typeof value === "number") c.f64[row] = value;
            else outcome = writeOddNumber(c, row, value);
            break;
          case BOOLEAN:
            if (value === true) c.bits[row >> 3] |= 1 << (row & 7);
            else if (value === false) c.bits[row >> 3] &= ~(1 << (row & 7));
            else outcome = MISFIT;
            break;
          case DATE: {
            const days = typeof value === "string" ? parseDate(value) : NaN;
            if (days === days) c.i32[row] = days; // not NaN
            else outcome = MISFIT;
            break;
          }
          case TIMESTAMP:
            if (typeof value === "string" ? parseTimestamp(value) : readDateObject(value)) {
              writeMicros(c, row, parsed.seconds, parsed.micros);
              if (parsed.truncated) outcome = TRUNCATED;
            } else outcome = MISFIT;
            break;
          case TIME:
            if (typeof value === "string" && parseTime(value)) {
              writeInt64(c.u32, row, parsed.micros);
              if (parsed.truncated) outcome = TRUNCATED;
            } else outcome = MISFIT;
            break;
          default:
            outcome = writeDecimal(c, row, value);
        }
      }
      if (outcome === FITS) c.setValid(row);
      else if (outcome === ABSENT) c.setNull(row);
      else changes = noteChange(changes, c, row, value, outcome);
    }
    if (matched < this.#dataColumns.length) {
      for (const c of this.#dataColumns) if (c.seen !== call) c.setNull(row);
    }
    if (changes || extra) {
      this.#metaRows.push(row);
      this.#metaTexts.push(this.#metaText(changes ?? [], extra));
    }
    this.#endRow(row, emittedAt);
  }

  /**
   * The batch as Arrow IPC stream bytes (schema + one record batch), then starts a new batch.
   * With no rows added, the bytes hold the schema and an empty batch.
   */
  finish(): Uint8Array {
    const rows = this.#rows;
    const struct = arrow.makeData({
      type: new arrow.Struct(this.#schema.fields),
      length: rows,
      nullCount: 0,
      children: this.#assemblers.map((assemble) => assemble(rows)),
    });
    const bytes = arrow.tableToIPC(new arrow.Table([new arrow.RecordBatch(this.#schema, struct)]), "stream");
    for (const c of this.#dataColumns) c.reset();
    this.#extractedAt.reset();
    this.#rawIds.reset();
    this.#meta.reset();
    this.#metaRows = [];
    this.#metaTexts = [];
    this.#firstId += rows;
    this.#rows = 0;
    return bytes;
  }

  #grow(capacity: number): void {
    for (const c of this.#dataColumns) c.grow(capacity, this.#rows);
    for (const c of [this.#extractedAt, this.#rawIds, this.#meta]) c.grow(capacity, this.#rows);
    this.#capacity = capacity;
  }

  #metaText(changes: MetaChange[], extra: Record<string, unknown> | undefined): string {
    const meta: Record<string, unknown> = { changes };
    if (this.#syncId !== undefined) meta.sync_id = this.#syncId;
    if (extra) meta.extra = extra;
    return toJsonText(meta);
  }

  /**
   * `_airbyte_raw_id`: 16 bytes per row, the builder's prefix and a 40-bit row counter; in a
   * text column, the old text form (see `#textIdPrefix`).
   */
  #rawIdData(rows: number): arrow.Data {
    const column = this.#rawIds;
    if (!this.#uuidIds) return this.#textIdData(rows);
    column.reserveBytes(rows * 16);
    const bytes = column.bytes;
    const id = new Uint8Array(16);
    id.set(this.#idPrefix);
    let at = 0;
    for (let row = 0; row < rows; row++) {
      const n = this.#firstId + row;
      id[11] = Math.floor(n / 4294967296) & 0xff;
      id[12] = (n >>> 24) & 0xff;
      id[13] = (n >>> 16) & 0xff;
      id[14] = (n >>> 8) & 0xff;
      id[15] = n & 0xff;
      for (let i = 0; i < 16; i++) bytes[at++] = id[i];
    }
    column.byteLength = at;
    return arrow.makeData({ type: UUID_TYPE, length: rows, nullCount: 0, data: bytes.subarray(0, at) });
  }

  /** Text row ids: the prefix and a zero-padded decimal counter, written straight as bytes. */
  #textIdData(rows: number): arrow.Data {
    const column = this.#rawIds;
    const prefix = this.#textIdPrefix;
    column.reserveBytes(rows * (prefix.length + 20));
    const { bytes, offsets } = column;
    let at = 0;
    for (let row = 0; row < rows; row++) {
      for (let i = 0; i < prefix.length; i++) bytes[at++] = prefix[i];
      const digits = String(this.#firstId + row).padStart(12, "0");
      for (let i = 0; i < digits.length; i++) bytes[at++] = digits.charCodeAt(i);
      offsets[row + 1] = at;
    }
    column.byteLength = at;
    column.validity.fill(0xff, 0, (rows + 7) >> 3); // never NULL
    return column.toData(rows);
  }

  /** `_airbyte_meta`: the plain meta's bytes, except on rows that carry changes or extras. */
  #metaData(rows: number): arrow.Data {
    const column = this.#meta;
    const plain = this.#plainMeta;
    const special = this.#metaTexts.map((text) => encoder.encode(text));
    const specialRows = this.#metaRows;
    column.reserveBytes(rows * plain.length + special.reduce((sum, b) => sum + b.length, 0));
    const { bytes, offsets } = column;
    let at = 0;
    let row = 0;
    for (let next = 0; next <= special.length; next++) {
      // A run of plain rows: one copy, then doubling copies of what is already written.
      const runEnd = next < special.length ? specialRows[next] : rows;
      if (runEnd > row) {
        const start = at;
        for (let i = 0; i < plain.length; i++) bytes[at++] = plain[i];
        const end = start + (runEnd - row) * plain.length;
        while (at < end) {
          const chunk = Math.min(at - start, end - at);
          bytes.copyWithin(at, start, start + chunk);
          at += chunk;
        }
        for (let r = row, offset = start; r < runEnd; r++) offsets[r + 1] = offset += plain.length;
        row = runEnd;
      }
      if (next < special.length) {
        bytes.set(special[next], at);
        at += special[next].length;
        offsets[++row] = at;
      }
    }
    column.byteLength = at;
    column.validity.fill(0xff, 0, (rows + 7) >> 3); // never NULL
    return column.toData(rows);
  }
}

/** Records a value that was rounded (kept) or did not fit (stored as NULL). */
function noteChange(
  changes: MetaChange[] | undefined,
  c: DataColumn,
  row: number,
  raw: unknown,
  outcome: number,
): MetaChange[] {
  const list = changes ?? [];
  if (outcome === TRUNCATED) {
    c.setValid(row);
    list.push({ field: c.property, change: "TRUNCATED", reason: "DESTINATION_FIELD_SIZE_LIMITATION", raw });
  } else if (outcome === REPLACED) {
    c.setValid(row);
    list.push({ field: c.property, change: "TRUNCATED", reason: "SOURCE_SERIALIZATION_ERROR", raw });
  } else {
    c.setNull(row);
    list.push({ field: c.property, change: "NULLED", reason: "DESTINATION_TYPECAST_ERROR", raw });
  }
  return list;
}

/** BIGINT values that are not plain JS numbers: bigints (exact digits from a line, in-process connectors). */
function writeBigInt64(c: DataColumn, row: number, value: unknown): number {
  if (typeof value !== "bigint" || BigInt.asIntN(64, value) !== value) return MISFIT;
  c.i64[row] = value;
  return FITS;
}

/**
 * DOUBLE values that are not JS numbers: the Airbyte Number type's special strings, and bigints
 * (rounded to the nearest double, as the same digits read as a number are).
 */
function writeOddNumber(c: DataColumn, row: number, value: unknown): number {
  if (value === "NaN" || value === "Infinity" || value === "-Infinity" || typeof value === "bigint") {
    c.f64[row] = Number(value);
    return FITS;
  }
  return MISFIT;
}

/** A `Date` (in-process connectors may send one) into `parsed`. */
function readDateObject(value: unknown): boolean {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return false;
  const ms = value.getTime();
  parsed.seconds = Math.floor(ms / 1000);
  parsed.micros = (ms - parsed.seconds * 1000) * 1000;
  parsed.truncated = false;
  return true;
}

function writeDecimal(c: DataColumn, row: number, value: unknown): number {
  let text: string;
  if (typeof value === "string") text = value.trim();
  else if (typeof value === "bigint") text = value.toString();
  // An integral double is read as the exact integer it holds: String(2 ** 70) would be rounded.
  else if (Number.isInteger(value)) text = BigInt(value as number).toString();
  else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
  else return MISFIT;
  const scaled = parseScaledDecimal(text, c.scale, c.precision);
  // A fraction in an integer column is a wrong type, not a precision limit.
  if (!scaled || (scaled.rounded && c.scale === 0)) return MISFIT;
  // Decimal128 is two little-endian int64 words, low word first.
  c.i64[row * 2] = BigInt.asIntN(64, scaled.value);
  c.i64[row * 2 + 1] = BigInt.asIntN(64, scaled.value >> 64n);
  return scaled.rounded ? TRUNCATED : FITS;
}
