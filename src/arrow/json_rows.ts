/**
 * Arrow query results as rows of JSON values: what `JSON.stringify`, an HTTP response or a test
 * assertion can take as they are. `cache.sql()` returns an Arrow table whose 64-bit integers are
 * BigInts (`count(*)` is one), which `JSON.stringify` refuses.
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";

/**
 * A value that JSON can represent as it is: what `JSON.stringify` writes and `JSON.parse` gives
 * back unchanged.
 *
 * @example Type a value for JSON
 * ```ts
 * import type { JsonValue } from "../../mod.ts";
 * const value: JsonValue = { id: 1, tags: ["a"], seen: null };
 * if (JSON.stringify(value) !== '{"id":1,"tags":["a"],"seen":null}') throw new Error();
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One row of {@linkcode toJsonRows}: column name to value.
 *
 * @example Send rows as JSON
 * ```ts
 * import { DuckDBCache, type JsonRow, toJsonRows } from "../../mod.ts";
 *
 * await using cache = new DuckDBCache({ path: ":memory:" });
 * const rows: JsonRow[] = toJsonRows(await cache.sql("SELECT 42::BIGINT AS answer"));
 * const response = Response.json(rows);
 * if (await response.text() !== '[{"answer":42}]') throw new Error();
 * ```
 */
export type JsonRow = { [column: string]: JsonValue };

type Convert = (value: unknown) => JsonValue;

/**
 * The rows of an Arrow table (or one record batch) as plain objects of JSON values, converted by
 * each column's Arrow type:
 *
 * - 64-bit integers (`count(*)`, `BIGINT`, `UBIGINT`) and `HUGEINT`: numbers when they are safe
 *   integers (up to 2^53 - 1), else their exact digits as strings;
 * - `DECIMAL`: a number when it prints back with the same digits (`1.23`), else the exact
 *   decimal text (`"12345678901234567.891"`);
 * - `TIMESTAMP`: ISO 8601 text to the microsecond, ending in `Z` when the column has a time zone
 *   (`TIMESTAMPTZ`) and without one when it has none; `DATE`: `"2024-01-02"`; `TIME`:
 *   `"01:02:03.5"`; `INTERVAL`: `{ months, days, nanoseconds }`;
 * - `BLOB`: base64 text; lists and structs: arrays and objects of converted values; maps:
 *   objects keyed by each key's text;
 * - `NaN` and infinities: `null`, as `JSON.stringify` would write them.
 *
 * @param table A query result, e.g. from `cache.sql()` or `dataset.toArrow()`.
 * @returns One object per row, in order.
 *
 * @example Serialize a count
 * ```ts
 * import { DuckDBCache, toJsonRows } from "../../mod.ts";
 *
 * await using cache = new DuckDBCache({ path: ":memory:" });
 * const result = await cache.sql("SELECT count(*) AS n, 9007199254740993::BIGINT AS id FROM range(3)");
 * const rows = toJsonRows(result);
 * if (JSON.stringify(rows) !== '[{"n":3,"id":"9007199254740993"}]') throw new Error(JSON.stringify(rows));
 * ```
 */
export function toJsonRows(table: arrow.Table | arrow.RecordBatch): JsonRow[] {
  const fields = table.schema.fields;
  const columns = fields.map((field, i) => ({
    name: field.name,
    vector: table.getChildAt(i)!,
    convert: converterFor(field.type),
    interval: isMonthDayNano(field.type),
  }));
  const rows: JsonRow[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: JsonRow = {};
    for (const column of columns) {
      const value = column.interval ? monthDayNanoAt(column.vector, r) : column.convert(column.vector.get(r));
      setProperty(row, column.name, value);
    }
    rows[r] = row;
  }
  return rows;
}

function converterFor(type: arrow.DataType): Convert {
  if (arrow.DataType.isInt(type)) return (v) => v == null ? null : integer(v as number | bigint);
  if (arrow.DataType.isFloat(type)) return (v) => v == null ? null : finite(v as number);
  if (arrow.DataType.isDecimal(type)) {
    const scale = type.scale;
    return (v) => v == null ? null : decimal(arrow.util.bigNumToBigInt(v as any), scale);
  }
  if (arrow.DataType.isTimestamp(type)) {
    const zoned = type.timezone != null && type.timezone !== "";
    return (v) => v == null ? null : timestamp(v as number, zoned);
  }
  if (arrow.DataType.isDate(type)) return (v) => v == null ? null : isoDate(v as number);
  if (arrow.DataType.isTime(type)) {
    const perSecond = { [arrow.TimeUnit.SECOND]: 1, [arrow.TimeUnit.MILLISECOND]: 1e3 }[type.unit as number];
    return (v) => v == null ? null : timeOfDay(v as number | bigint, type.unit, perSecond);
  }
  if (arrow.DataType.isBinary(type) || arrow.DataType.isFixedSizeBinary(type) || isLargeBinary(type)) {
    return (v) => v == null ? null : base64(v as Uint8Array);
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isFixedSizeList(type)) {
    const item = converterFor(type.children[0].type);
    return (v) => v == null ? null : Array.from(v as Iterable<unknown>, item);
  }
  if (arrow.DataType.isStruct(type)) {
    const children = type.children.map((f) => ({ name: f.name, convert: converterFor(f.type) }));
    return (v) => {
      if (v == null) return null;
      const row = v as Record<string, unknown>;
      const out: JsonRow = {};
      for (const child of children) setProperty(out, child.name, child.convert(row[child.name]));
      return out;
    };
  }
  if (arrow.DataType.isMap(type)) {
    const [keyField, valueField] = type.children[0].type.children;
    const key = converterFor(keyField.type);
    const value = converterFor(valueField.type);
    return (v) => {
      if (v == null) return null;
      const out: JsonRow = {};
      for (const [k, x] of v as Iterable<[unknown, unknown]>) setProperty(out, String(key(k)), value(x));
      return out;
    };
  }
  if (arrow.DataType.isDictionary(type)) return converterFor(type.dictionary);
  return fromValue;
}

/** For types the schema does not settle (unions, nulls) and anything unforeseen: by the value. */
function fromValue(v: unknown): JsonValue {
  if (v == null) return null;
  switch (typeof v) {
    case "bigint":
      return integer(v);
    case "number":
      return finite(v);
    case "string":
    case "boolean":
      return v;
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return base64(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, fromValue);
  if (typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function") {
    return Array.from(v as Iterable<unknown>, fromValue);
  }
  const out: JsonRow = {};
  for (const [k, x] of Object.entries(v as object)) setProperty(out, k, fromValue(x));
  return out;
}

function integer(v: number | bigint): number | string {
  if (typeof v === "number") return v;
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** An unscaled decimal as text with its point, then as a number if that keeps every digit. */
function decimal(unscaled: bigint, scale: number): number | string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, "");
  } else if (scale < 0) {
    digits += "0".repeat(-scale);
  }
  const text = negative && digits !== "0" ? `-${digits}` : digits;
  const n = Number(text);
  return String(n) === text ? n : text;
}

/** Arrow gives timestamps as epoch milliseconds with the microseconds as a fraction. */
function timestamp(ms: number, zoned: boolean): string | null {
  if (!Number.isFinite(ms)) return null;
  const micros = Math.round(ms * 1000);
  const whole = Math.floor(micros / 1000);
  const date = new Date(whole);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString(); // 2024-01-02T03:04:05.123Z
  const extra = micros - whole * 1000;
  const text = extra === 0 ? iso.slice(0, -1) : `${iso.slice(0, -1)}${String(extra).padStart(3, "0")}`;
  return zoned ? `${text}Z` : text;
}

function isoDate(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, -14);
}

/** Seconds, milliseconds (numbers) or micro/nanoseconds (BigInts) since midnight as `HH:MM:SS[.f]`. */
function timeOfDay(v: number | bigint, unit: arrow.TimeUnit, perSecond: number | undefined): string {
  const nanos = perSecond !== undefined
    ? BigInt(Math.round(Number(v) * (1e9 / perSecond)))
    : BigInt(v) * (unit === arrow.TimeUnit.MICROSECOND ? 1000n : 1n);
  const seconds = nanos / 1_000_000_000n;
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  const pad = (n: bigint) => n.toString().padStart(2, "0");
  const hms = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  return fraction === "" ? hms : `${hms}.${fraction}`;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function isLargeBinary(type: arrow.DataType): boolean {
  return type.typeId === arrow.Type.LargeBinary;
}

function isMonthDayNano(type: arrow.DataType): boolean {
  return arrow.DataType.isInterval(type) && type.unit === arrow.IntervalUnit.MONTH_DAY_NANO;
}

/**
 * A MONTH_DAY_NANO interval read from its 16 bytes (apache-arrow 17's `get()` returns the wrong
 * words for this unit): months and days as int32, nanoseconds as int64.
 */
function monthDayNanoAt(vector: arrow.Vector, index: number): JsonValue {
  if (!vector.isValid(index)) return null;
  let offset = index;
  for (const data of vector.data) {
    if (offset >= data.length) {
      offset -= data.length;
      continue;
    }
    const words = data.values as Int32Array;
    const at = (data.offset + offset) * 4;
    const view = new DataView(words.buffer, words.byteOffset + at * 4, 16);
    return {
      months: view.getInt32(0, true),
      days: view.getInt32(4, true),
      nanoseconds: integer(view.getBigInt64(8, true)),
    };
  }
  return null;
}

/** Assign as data: a column named `__proto__` is a value, not the object's prototype. */
function setProperty(target: JsonRow, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
