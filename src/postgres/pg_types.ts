/**
 * PostgreSQL column types for cache tables. The columns themselves (names, kinds, which JSON
 * Schema property each holds) come from `toStreamColumns`, exactly as for the DuckDB cache; only
 * the type spelling differs, and JSON gets a real `jsonb` column here:
 *
 * | kind                                  | DuckDB          | PostgreSQL         |
 * | ------------------------------------- | --------------- | ------------------ |
 * | `string`, `time_with_timezone`        | `VARCHAR`       | `text`             |
 * | `json` (objects, arrays, unions, `{}`) | `VARCHAR`       | `jsonb`            |
 * | `boolean`                             | `BOOLEAN`       | `boolean`          |
 * | `integer`                             | `BIGINT`        | `bigint`           |
 * | `big_integer`                         | `DECIMAL(38,0)` | `numeric(38,0)`    |
 * | `number`                              | `DOUBLE`        | `double precision` |
 * | `decimal`                             | `DECIMAL(38,9)` | `numeric(38,9)`    |
 * | `date`                                | `DATE`          | `date`             |
 * | `timestamp_with_timezone`             | `TIMESTAMPTZ`   | `timestamptz`      |
 * | `timestamp_without_timezone`          | `TIMESTAMP`     | `timestamp`        |
 * | `time_without_timezone`               | `TIME`          | `time`             |
 * | `_airbyte_raw_id`                     | `UUID`          | `uuid`             |
 * | `_airbyte_meta`                       | `VARCHAR`       | `jsonb`            |
 *
 * Time with a time zone stays text, as in DuckDB: the batch builder keeps the string as sent.
 *
 * @module
 */
import { AIRBYTE_META_COLUMN, type ColumnKind, type ColumnSpec } from "../arrow/stream_columns.ts";

/** The PostgreSQL types a cache column can have (as written in DDL). */
export type PgType =
  | "text"
  | "jsonb"
  | "boolean"
  | "bigint"
  | "double precision"
  | `numeric(${number},${number})`
  | "date"
  | "timestamptz"
  | "timestamp"
  | "time"
  | "uuid";

const BY_KIND: Record<ColumnKind, PgType> = {
  string: "text",
  time_with_timezone: "text",
  json: "jsonb",
  boolean: "boolean",
  integer: "bigint",
  big_integer: "numeric(38,0)",
  number: "double precision",
  decimal: "numeric(38,9)",
  date: "date",
  timestamp_with_timezone: "timestamptz",
  timestamp_without_timezone: "timestamp",
  time_without_timezone: "time",
};

/**
 * The PostgreSQL type of a cache column.
 *
 * @example Types of a stream's columns
 * ```ts
 * import { toStreamColumns } from "../arrow/stream_columns.ts";
 * import { pgTypeOf } from "./pg_types.ts";
 * const columns = toStreamColumns({ properties: { id: { type: "integer" }, tags: { type: "array" } } });
 * const types = columns.map(pgTypeOf);
 * if (types.join() !== "bigint,jsonb,uuid,timestamptz,jsonb") throw new Error(types.join());
 * ```
 */
export function pgTypeOf(column: ColumnSpec): PgType {
  if (column.sqlType === "UUID") return "uuid";
  if (column.name === AIRBYTE_META_COLUMN) return "jsonb";
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(column.sqlType);
  if (decimal) return `numeric(${Number(decimal[1])},${Number(decimal[2])})`;
  return BY_KIND[column.kind];
}

/** A table column's type as `format_type()` reports it, in the two spellings the cache uses. */
export interface ExistingPgType {
  /** The type to write with binary `COPY`, when it is one this cache writes. */
  pgType?: PgType;
  /**
   * The DuckDB spelling (as `canonicalSqlType` writes it), so that schema evolution
   * (`alignColumnsToTable`, `sameColumns`) works on PostgreSQL tables unchanged. `jsonb` is
   * `VARCHAR` here (JSON text either way); types this cache never writes come back upper-cased,
   * which makes alignment refuse them with a clear error.
   */
  duckdbType: string;
}

/**
 * Reads a column type as `format_type(atttypid, atttypmod)` writes it.
 *
 * @param formatted e.g. `timestamp with time zone`, `numeric(38,9)`, `character varying(20)`.
 * @returns Its `COPY` type and DuckDB spelling.
 *
 * @example Read types back
 * ```ts
 * import { existingPgType } from "./pg_types.ts";
 * if (existingPgType("timestamp with time zone").duckdbType !== "TIMESTAMPTZ") throw new Error();
 * if (existingPgType("numeric(38,9)").pgType !== "numeric(38,9)") throw new Error();
 * if (existingPgType("jsonb").duckdbType !== "VARCHAR") throw new Error();
 * if (existingPgType("integer").pgType !== undefined) throw new Error();
 * ```
 */
export function existingPgType(formatted: string): ExistingPgType {
  const type = formatted.trim().toLowerCase();
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(type);
  if (numeric) {
    const [precision, scale] = [Number(numeric[1]), Number(numeric[2])];
    return {
      pgType: precision <= 38 ? `numeric(${precision},${scale})` : undefined,
      duckdbType: `DECIMAL(${precision},${scale})`,
    };
  }
  if (/^(text|character varying(\(\d+\))?)$/.test(type)) return { pgType: "text", duckdbType: "VARCHAR" };
  const known: Record<string, [PgType, string]> = {
    "jsonb": ["jsonb", "VARCHAR"],
    "boolean": ["boolean", "BOOLEAN"],
    "bigint": ["bigint", "BIGINT"],
    "double precision": ["double precision", "DOUBLE"],
    "date": ["date", "DATE"],
    "timestamp with time zone": ["timestamptz", "TIMESTAMPTZ"],
    "timestamp without time zone": ["timestamp", "TIMESTAMP"],
    "time without time zone": ["time", "TIME"],
    "uuid": ["uuid", "UUID"],
  };
  const found = known[type];
  return found ? { pgType: found[0], duckdbType: found[1] } : { duckdbType: type.toUpperCase() };
}
