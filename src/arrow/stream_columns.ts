/**
 * Typed cache columns from a stream's JSON Schema, following the Airbyte type system
 * (https://docs.airbyte.com/understanding-airbyte/supported-data-types), plus the DDL that creates
 * and evolves a stream's table.
 *
 * | JSON Schema                                                       | kind                         | DuckDB           | Arrow                      |
 * | ----------------------------------------------------------------- | ---------------------------- | ---------------- | -------------------------- |
 * | `integer`; `number` + `airbyte_type: integer`                     | `integer`                    | `BIGINT`         | Int64                      |
 * | `airbyte_type: big_integer`                                       | `big_integer`                | `DECIMAL(38,0)`  | Decimal128(38, 0)          |
 * | `number`; `["integer", "number"]`                                 | `number`                     | `DOUBLE`         | Float64                    |
 * | `airbyte_type: big_number`; `number` + `multipleOf` 0.1 … 1e-9    | `decimal`                    | `DECIMAL(38,9)`  | Decimal128(38, 9)          |
 * | `boolean`                                                         | `boolean`                    | `BOOLEAN`        | Bool                       |
 * | `string`                                                          | `string`                     | `VARCHAR`        | Utf8                       |
 * | a union with `string`, e.g. `["integer", "null", "string"]`       | `string`                     | `VARCHAR`        | Utf8 (strings as they are) |
 * | `string` + `format: date`                                         | `date`                       | `DATE`           | Date32 (days)              |
 * | `string` + `format: date-time`; `timestamp_with_timezone`         | `timestamp_with_timezone`    | `TIMESTAMPTZ`    | Timestamp(µs, "UTC")       |
 * | `airbyte_type: timestamp_without_timezone`                        | `timestamp_without_timezone` | `TIMESTAMP`      | Timestamp(µs)              |
 * | `string` + `format: time`; `time_without_timezone`                | `time_without_timezone`      | `TIME`           | Time64 (µs)                |
 * | `airbyte_type: time_with_timezone`                                | `time_with_timezone`         | `VARCHAR`        | Utf8 (the string as sent)  |
 * | `object`, `array`, other unions, `{}`, missing type, other `$ref` | `json`                       | `VARCHAR`        | Utf8 (JSON text)           |
 *
 * `airbyte_type` wins over `type`/`format`. `["null", X]` is a nullable X, and so is
 * `anyOf`/`oneOf` of `{type: "null"}` and one other schema. `$ref` to the protocol's
 * `WellKnownTypes.json#/definitions/<Name>` maps to the matching row. Every column is nullable.
 * A union that can hold a string (in `type` or among `anyOf`/`oneOf`) is a text column, as in
 * PyAirbyte: its strings are stored as plain text, so `WHERE title = 'The Land Girls'` finds
 * them, and its other values as their JSON text (`1917`, `true`, `{"a":1}`).
 *
 * Why these choices: `DECIMAL(38,0)` keeps big integers exact and numeric (values beyond 38
 * digits are kept in `_airbyte_meta`, see `ArrowBatchBuilder`). Time with a time zone stays text:
 * Arrow has no time-with-offset type, and DuckDB-WASM turns a `TIMETZ` into a plain `TIME` when
 * it passes through Arrow, dropping the offset; `col::TIMETZ` in SQL reads the text. JSON is text
 * because DuckDB's json extension cannot be loaded offline; the engine registers DuckDB's JSON
 * functions for it (`json_extract`, `->`, `->>`, ...: wasm/json_functions.ts).
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";
import { CacheError } from "../errors.ts";
import { assertNoCollisions, normalizeColumns } from "./column_names.ts";

/** How a column's values are converted; named after the Airbyte type it holds. */
export type ColumnKind =
  | "string"
  | "json"
  | "boolean"
  | "integer"
  | "big_integer"
  | "number"
  | "decimal"
  | "date"
  | "timestamp_with_timezone"
  | "timestamp_without_timezone"
  | "time_without_timezone"
  | "time_with_timezone";

/** One column of a stream's cache table. */
export interface ColumnSpec {
  /** The original JSON property name (the key looked up in each record). */
  property: string;
  /** The normalized SQL column name. */
  name: string;
  kind: ColumnKind;
  /** The DuckDB type used in DDL, e.g. `BIGINT`, `TIMESTAMPTZ`, `DECIMAL(38,9)`. */
  sqlType: string;
  /** The Arrow type the batch builder writes. */
  arrowType: arrow.DataType;
}

/**
 * A unique id per record (`UUID`: version 7 layout, in the order records arrived).
 *
 * @example The last three columns of every stream table
 * ```ts
 * import { AIRBYTE_EXTRACTED_AT_COLUMN, AIRBYTE_META_COLUMN, AIRBYTE_RAW_ID_COLUMN, toStreamColumns } from "./stream_columns.ts";
 * const names = toStreamColumns({}).map((c) => c.name);
 * if (names.join() !== [AIRBYTE_RAW_ID_COLUMN, AIRBYTE_EXTRACTED_AT_COLUMN, AIRBYTE_META_COLUMN].join()) throw new Error();
 * ```
 */
export const AIRBYTE_RAW_ID_COLUMN = "_airbyte_raw_id";
/**
 * When the connector emitted the record (`TIMESTAMPTZ`).
 *
 * @example Its name
 * ```ts
 * import { AIRBYTE_EXTRACTED_AT_COLUMN } from "./stream_columns.ts";
 * if (AIRBYTE_EXTRACTED_AT_COLUMN !== "_airbyte_extracted_at") throw new Error();
 * ```
 */
export const AIRBYTE_EXTRACTED_AT_COLUMN = "_airbyte_extracted_at";
/**
 * JSON text `{"changes":[...],"sync_id":n}`, plus `"extra"` holding properties not in the schema.
 *
 * @example Its name
 * ```ts
 * import { AIRBYTE_META_COLUMN } from "./stream_columns.ts";
 * if (AIRBYTE_META_COLUMN !== "_airbyte_meta") throw new Error();
 * ```
 */
export const AIRBYTE_META_COLUMN = "_airbyte_meta";

const SQL_TYPES: Record<ColumnKind, string> = {
  string: "VARCHAR",
  json: "VARCHAR",
  boolean: "BOOLEAN",
  integer: "BIGINT",
  big_integer: "DECIMAL(38,0)",
  number: "DOUBLE",
  decimal: "DECIMAL(38,9)",
  date: "DATE",
  timestamp_with_timezone: "TIMESTAMPTZ",
  timestamp_without_timezone: "TIMESTAMP",
  time_without_timezone: "TIME",
  time_with_timezone: "VARCHAR",
};

function arrowTypeFor(kind: ColumnKind): arrow.DataType {
  switch (kind) {
    case "boolean":
      return new arrow.Bool();
    case "integer":
      return new arrow.Int64();
    case "big_integer":
      return new arrow.Decimal(0, 38, 128);
    case "number":
      return new arrow.Float64();
    case "decimal":
      return new arrow.Decimal(9, 38, 128);
    case "date":
      return new arrow.DateDay();
    case "timestamp_with_timezone":
      return new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, "UTC");
    case "timestamp_without_timezone":
      return new arrow.Timestamp(arrow.TimeUnit.MICROSECOND);
    case "time_without_timezone":
      return new arrow.TimeMicrosecond();
    default:
      return new arrow.Utf8();
  }
}

/**
 * Builds the {@linkcode ColumnSpec} for one column of a given kind.
 *
 * @example A BIGINT column
 * ```ts
 * import { columnSpec } from "./stream_columns.ts";
 * const spec = columnSpec("userId", "userid", "integer");
 * if (spec.sqlType !== "BIGINT" || String(spec.arrowType) !== "Int64") throw new Error();
 * ```
 */
export function columnSpec(property: string, name: string, kind: ColumnKind): ColumnSpec {
  return { property, name, kind, sqlType: SQL_TYPES[kind], arrowType: arrowTypeFor(kind) };
}

const AIRBYTE_TYPES: Record<string, ColumnKind> = {
  integer: "integer",
  big_integer: "big_integer",
  big_number: "decimal",
  timestamp_with_timezone: "timestamp_with_timezone",
  timestamp_without_timezone: "timestamp_without_timezone",
  time_with_timezone: "time_with_timezone",
  time_without_timezone: "time_without_timezone",
};

const WELL_KNOWN_TYPES: Record<string, ColumnKind> = {
  String: "string",
  BinaryData: "string",
  Boolean: "boolean",
  Date: "date",
  TimestampWithTimezone: "timestamp_with_timezone",
  TimestampWithoutTimezone: "timestamp_without_timezone",
  TimeWithTimezone: "time_with_timezone",
  TimeWithoutTimezone: "time_without_timezone",
  Integer: "integer",
  Number: "number",
};

// 0.1, 0.01, ... 1e-9: a schema that counts in decimal steps wants exact decimals, not doubles.
function isDecimalStep(multipleOf: unknown): boolean {
  return typeof multipleOf === "number" && /^(0\.0{0,8}1|1e-[1-9])$/.test(String(multipleOf));
}

function isNullSchema(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && (schema as { type?: unknown }).type === "null";
}

/** A schema whose `type` is or includes `string`. */
function canBeString(schema: unknown): boolean {
  if (typeof schema !== "object" || schema === null) return false;
  const type = (schema as { type?: unknown }).type;
  return type === "string" || (Array.isArray(type) && type.includes("string"));
}

/**
 * The {@linkcode ColumnKind} for one property's JSON Schema (see the module table).
 *
 * @example Map a few property schemas
 * ```ts
 * import { columnKindOf } from "./stream_columns.ts";
 * if (columnKindOf({ type: ["null", "integer"] }) !== "integer") throw new Error();
 * if (columnKindOf({ type: "string", format: "date-time" }) !== "timestamp_with_timezone") throw new Error();
 * if (columnKindOf({ type: ["string", "integer"] }) !== "string") throw new Error();
 * if (columnKindOf({ type: ["boolean", "integer"] }) !== "json") throw new Error();
 * ```
 */
export function columnKindOf(propertySchema: unknown): ColumnKind {
  if (typeof propertySchema !== "object" || propertySchema === null || Array.isArray(propertySchema)) {
    return "json";
  }
  const schema = propertySchema as Record<string, unknown>;
  const airbyteType = schema.airbyte_type;
  if (typeof airbyteType === "string" && airbyteType in AIRBYTE_TYPES) return AIRBYTE_TYPES[airbyteType];

  if (typeof schema.$ref === "string") {
    const match = /WellKnownTypes\.json#\/?definitions\/(\w+)$/.exec(schema.$ref);
    return (match && WELL_KNOWN_TYPES[match[1]]) || "json";
  }

  const declared = schema.type;
  if (declared === undefined) {
    // A union written as anyOf/oneOf of null and one schema is just a nullable column.
    const variants = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(variants)) {
      const nonNull = variants.filter((v) => !isNullSchema(v));
      if (nonNull.length === 1) return columnKindOf(nonNull[0]);
      if (nonNull.some(canBeString)) return "string";
    }
    return "json";
  }
  const types = (Array.isArray(declared) ? declared : [declared]).filter((t) => t !== "null");
  let type: unknown;
  if (types.length === 1) type = types[0];
  else if (types.length === 2 && types.includes("integer") && types.includes("number")) type = "number";
  else if (types.includes("string")) return "string";
  else return "json";

  switch (type) {
    case "string":
      switch (schema.format) {
        case "date":
          return "date";
        case "date-time":
          return "timestamp_with_timezone";
        case "time":
          return "time_without_timezone";
        default:
          return "string";
      }
    case "integer":
      return "integer";
    case "number":
      return isDecimalStep(schema.multipleOf) ? "decimal" : "number";
    case "boolean":
      return "boolean";
    default:
      return "json";
  }
}

/** Options for {@linkcode toStreamColumns}. */
export interface StreamColumnsOptions {
  /** The stream's name, used in error messages. */
  stream?: string;
}

/**
 * The columns of a stream's cache table: one per top-level property of its JSON Schema (in schema
 * order), then `_airbyte_raw_id`, `_airbyte_extracted_at` and `_airbyte_meta`.
 *
 * Throws a `CacheError` when two properties normalize to the same column name, or a property
 * normalizes to one of the three Airbyte column names.
 *
 * @example Columns of a small stream
 * ```ts
 * import { toStreamColumns } from "./stream_columns.ts";
 * const columns = toStreamColumns({
 *   type: "object",
 *   properties: { Id: { type: "integer" }, "Updated At": { type: "string", format: "date-time" } },
 * });
 * const names = columns.map((c) => `${c.name} ${c.sqlType}`);
 * if (names.join(", ") !== "id BIGINT, updated_at TIMESTAMPTZ, _airbyte_raw_id UUID, " +
 *   "_airbyte_extracted_at TIMESTAMPTZ, _airbyte_meta VARCHAR") throw new Error(names.join(", "));
 * ```
 */
export function toStreamColumns(jsonSchema: unknown, options: StreamColumnsOptions = {}): ColumnSpec[] {
  const properties = (typeof jsonSchema === "object" && jsonSchema !== null &&
    (jsonSchema as { properties?: unknown }).properties) || {};
  if (typeof properties !== "object" || Array.isArray(properties)) {
    throw new CacheError(
      `Cannot read the JSON Schema of stream '${options.stream ?? "?"}': 'properties' is not an object.`,
      {
        context: { stream: options.stream },
      },
    );
  }
  const entries = Object.entries(properties as Record<string, unknown>);
  const internal = [AIRBYTE_RAW_ID_COLUMN, AIRBYTE_EXTRACTED_AT_COLUMN, AIRBYTE_META_COLUMN];
  const normalized = normalizeColumns([...entries.map(([key]) => key), ...internal]);
  assertNoCollisions(options.stream ?? "?", normalized);

  const columns = entries.map(([key, schema]) =>
    columnSpec(key, normalized.columns.get(key)!, columnKindOf(schema))
  );
  columns.push(
    // A UUID (16 bytes) is cheaper to store and compare than its 36 characters of text. In Arrow
    // it is FixedSizeBinary(16) (the batch builder adds the `arrow.uuid` extension name).
    {
      ...columnSpec(AIRBYTE_RAW_ID_COLUMN, AIRBYTE_RAW_ID_COLUMN, "string"),
      sqlType: "UUID",
      arrowType: new arrow.FixedSizeBinary(16),
    },
    columnSpec(AIRBYTE_EXTRACTED_AT_COLUMN, AIRBYTE_EXTRACTED_AT_COLUMN, "timestamp_with_timezone"),
    columnSpec(AIRBYTE_META_COLUMN, AIRBYTE_META_COLUMN, "json"),
  );
  return columns;
}
