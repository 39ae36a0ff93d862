/**
 * A PostgreSQL result (text values, one row per array) as an Arrow table, typed as DuckDB's Arrow
 * output types the same SQL types, so `cache.sql()` answers alike whichever cache runs it:
 *
 * | PostgreSQL                         | Arrow                                    |
 * | ---------------------------------- | ---------------------------------------- |
 * | `boolean`                          | `Bool`                                   |
 * | `smallint`, `integer`, `bigint`    | `Int16`, `Int32`, `Int64`                |
 * | `real`, `double precision`         | `Float32`, `Float64`                     |
 * | `numeric(p,s)` (p ≤ 38)            | `Decimal(s, p)`                          |
 * | `numeric` without a precision      | `Float64` (as DuckDB's postgres scanner) |
 * | `date`                             | `DateDay`                                |
 * | `timestamp`, `timestamptz`         | `Timestamp(µs)`, `Timestamp(µs, "UTC")`  |
 * | `time`                             | `Time64(µs)`                             |
 * | everything else (text, `jsonb`, `uuid`, arrays, intervals…) | `Utf8`, PostgreSQL's text |
 *
 * `infinity` dates and timestamps, and `NaN`/infinite numerics, come back as null.
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";
import { parsePgDate, parsePgNumeric, parsePgTime, parsePgTimestamp } from "./pg_text_values.ts";

/** A result column as the driver describes it. */
export interface PgField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

/** Type OIDs (pg_type.oid) read into typed Arrow columns. */
export const PG_OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  float4: 700,
  float8: 701,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

const encoder = new TextEncoder();

/**
 * Rows of text values into an Arrow table with one column per field (in order; names may repeat).
 *
 * @param fields The result's columns.
 * @param rows The values, row by row (`null` for SQL NULL).
 * @returns The table.
 *
 * @example Counts are Int64, as in DuckDB
 * ```ts
 * import { pgResultToArrow } from "./result_to_arrow.ts";
 * const t = pgResultToArrow([{ name: "n", dataTypeID: 20, dataTypeModifier: -1 }], [["42"]]);
 * if (t.get(0)?.n !== 42n) throw new Error();
 * ```
 */
export function pgResultToArrow(fields: PgField[], rows: (string | null)[][]): arrow.Table {
  const length = rows.length;
  const children = fields.map((field, index) => columnData(field, rows, index, length));
  const arrowFields = fields.map((f, i) => new arrow.Field(f.name, children[i].type, true));
  const schema = new arrow.Schema(arrowFields);
  const struct = arrow.makeData({
    type: new arrow.Struct(arrowFields),
    length,
    nullCount: 0,
    children,
  });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, struct));
}

/** The Arrow type a PostgreSQL column becomes. */
function arrowTypeOf(field: PgField): arrow.DataType {
  switch (field.dataTypeID) {
    case PG_OID.bool:
      return new arrow.Bool();
    case PG_OID.int2:
      return new arrow.Int16();
    case PG_OID.int4:
      return new arrow.Int32();
    case PG_OID.int8:
      return new arrow.Int64();
    case PG_OID.float4:
      return new arrow.Float32();
    case PG_OID.float8:
      return new arrow.Float64();
    case PG_OID.numeric: {
      if (field.dataTypeModifier < 4) return new arrow.Float64();
      const modifier = field.dataTypeModifier - 4;
      const precision = modifier >> 16, scale = modifier & 0xffff;
      return precision <= 38 && scale <= precision
        ? new arrow.Decimal(scale, precision, 128)
        : new arrow.Float64();
    }
    case PG_OID.date:
      return new arrow.DateDay();
    case PG_OID.timestamp:
      return new arrow.TimestampMicrosecond();
    case PG_OID.timestamptz:
      return new arrow.TimestampMicrosecond("UTC");
    case PG_OID.time:
      return new arrow.TimeMicrosecond();
    default:
      return new arrow.Utf8();
  }
}

function columnData(field: PgField, rows: (string | null)[][], index: number, length: number): arrow.Data {
  const type = arrowTypeOf(field);
  const validity = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  const valid = (row: number) => validity[row >> 3] |= 1 << (row & 7);
  const data = (values: ArrayBufferView) =>
    arrow.makeData({ type, length, nullCount, nullBitmap: validity, data: values } as never) as arrow.Data;
  switch (type.typeId) {
    case arrow.Type.Bool: {
      const bits = new Uint8Array((length + 7) >> 3);
      for (let r = 0; r < length; r++) {
        const v = rows[r][index];
        if (v === null) nullCount++;
        else {
          valid(r);
          if (v === "t") bits[r >> 3] |= 1 << (r & 7);
        }
      }
      return data(bits);
    }
    case arrow.Type.Int: {
      const bits = (type as arrow.Int).bitWidth;
      const values = bits === 64
        ? new BigInt64Array(length)
        : bits === 32
        ? new Int32Array(length)
        : new Int16Array(length);
      for (let r = 0; r < length; r++) {
        const v = rows[r][index];
        if (v === null) nullCount++;
        else {
          valid(r);
          if (bits === 64) (values as BigInt64Array)[r] = BigInt(v);
          else (values as Int32Array)[r] = Number(v);
        }
      }
      return data(values);
    }
    case arrow.Type.Float: {
      const values = (type as arrow.Float).precision === arrow.Precision.SINGLE
        ? new Float32Array(length)
        : new Float64Array(length);
      for (let r = 0; r < length; r++) {
        const v = rows[r][index];
        if (v === null) nullCount++;
        else {
          valid(r);
          values[r] = Number(v); // NaN, Infinity and -Infinity read as such
        }
      }
      return data(values);
    }
    case arrow.Type.Decimal: {
      const scale = (type as arrow.Decimal).scale;
      const words = new Uint32Array(length * 4);
      const mask = (1n << 32n) - 1n;
      for (let r = 0; r < length; r++) {
        const v = rows[r][index];
        const scaled = v === null ? null : parsePgNumeric(v, scale);
        if (scaled === null) nullCount++;
        else {
          valid(r);
          // Two's complement, little-endian 32-bit words.
          let x = BigInt.asUintN(128, scaled);
          for (let w = 0; w < 4; w++, x >>= 32n) words[r * 4 + w] = Number(x & mask);
        }
      }
      return data(words);
    }
    case arrow.Type.Date: {
      const values = new Int32Array(length);
      for (let r = 0; r < length; r++) {
        const v = rows[r][index];
        const days = v === null ? null : parsePgDate(v);
        if (days === null) nullCount++;
        else {
          valid(r);
          values[r] = days;
        }
      }
      return data(values);
    }
    case arrow.Type.Timestamp:
    case arrow.Type.Time: {
      const parse = type.typeId === arrow.Type.Time ? parsePgTime : parsePgTimestamp;
      const values = new BigInt64Array(length);
      for (let r = 0; r < length; r++) {
        const v = rows[r][index];
        const micros = v === null ? null : parse(v);
        if (micros === null) nullCount++;
        else {
          valid(r);
          values[r] = micros;
        }
      }
      return data(values);
    }
    default: {
      const parts: Uint8Array[] = new Array(length);
      const offsets = new Int32Array(length + 1);
      let total = 0;
      for (let r = 0; r < length; r++) {
        const v = rows[r][index];
        if (v === null) {
          nullCount++;
          parts[r] = new Uint8Array(0);
        } else {
          valid(r);
          parts[r] = encoder.encode(v);
        }
        total += parts[r].length;
        offsets[r + 1] = total;
      }
      const bytes = new Uint8Array(total);
      for (let r = 0; r < length; r++) bytes.set(parts[r], offsets[r]);
      return arrow.makeData({
        type: type as arrow.Utf8,
        length,
        nullCount,
        nullBitmap: validity,
        valueOffsets: offsets,
        data: bytes,
      });
    }
  }
}
