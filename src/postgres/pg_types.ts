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

/**
 * The DuckDB spelling (as `canonicalSqlType` writes it) of a column type PostgreSQL reports in
 * `information_schema.columns`, so that schema evolution (`alignColumnsToTable`,
 * `addMissingColumnsSql`) works on Postgres tables unchanged. `jsonb` maps to `VARCHAR` (JSON
 * text either way); types no cache writes come back upper-cased, which makes alignment refuse them.
 *
 * @param dataType `data_type` (e.g. `timestamp with time zone`, `numeric`, `jsonb`).
 * @param precision `numeric_precision` for `numeric` (null when unconstrained).
 * @param scale `numeric_scale` for `numeric`.
 *
 * @example Read types back
 * ```ts
 * import { duckdbSpellingOf } from "./pg_types.ts";
 * if (duckdbSpellingOf("timestamp with time zone") !== "TIMESTAMPTZ") throw new Error();
 * if (duckdbSpellingOf("numeric", 38, 9) !== "DECIMAL(38,9)") throw new Error();
 * if (duckdbSpellingOf("jsonb") !== "VARCHAR") throw new Error();
 * ```
 */
export function duckdbSpellingOf(dataType: string, precision?: number | null, scale?: number | null): string {
  switch (dataType.toLowerCase()) {
    case "text":
    case "character varying":
    case "jsonb":
    case "json":
      return "VARCHAR";
    case "boolean":
      return "BOOLEAN";
    case "bigint":
      return "BIGINT";
    case "double precision":
      return "DOUBLE";
    case "numeric":
      return precision == null ? "NUMERIC" : `DECIMAL(${precision},${scale ?? 0})`;
    case "date":
      return "DATE";
    case "timestamp with time zone":
      return "TIMESTAMPTZ";
    case "timestamp without time zone":
      return "TIMESTAMP";
    case "time without time zone":
      return "TIME";
    case "uuid":
      return "UUID";
    default:
      return dataType.toUpperCase();
  }
}
