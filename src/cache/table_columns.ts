/**
 * Matching a stream's wanted columns against a table that already exists: type spellings made
 * comparable, and each wanted column given the type the table really has, so values convert to it
 * (values that do not fit go to `_airbyte_meta`). Shared by every cache.
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";
import { CacheError } from "../errors.ts";
import { type ColumnKind, type ColumnSpec, columnSpec } from "../arrow/stream_columns.ts";

/** A column as the database reports it (e.g. from `DESCRIBE` or `information_schema.columns`). */
export interface ExistingColumn {
  name: string;
  sqlType: string;
}

/**
 * Spells a DuckDB type one way, so `TIMESTAMPTZ` equals `TIMESTAMP WITH TIME ZONE` and
 * `DECIMAL(38, 9)` equals `decimal(38,9)`.
 *
 * @example Add the new column only
 * ```ts
 * import { canonicalSqlType } from "./table_columns.ts";
 * if (canonicalSqlType("timestamp with time zone") !== "TIMESTAMPTZ") throw new Error();
 * if (canonicalSqlType("TEXT") !== "VARCHAR") throw new Error();
 * ```
 */
export function canonicalSqlType(sqlType: string): string {
  const type = sqlType.trim().toUpperCase().replace(/\s+/g, " ").replace(/\s*([(),])\s*/g, "$1");
  const aliases: Record<string, string> = {
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
    "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
    "DATETIME": "TIMESTAMP",
    "TIME WITHOUT TIME ZONE": "TIME",
    "INT8": "BIGINT",
    "LONG": "BIGINT",
    "FLOAT8": "DOUBLE",
    "DOUBLE PRECISION": "DOUBLE",
    "TEXT": "VARCHAR",
    "STRING": "VARCHAR",
    "CHAR": "VARCHAR",
    "BPCHAR": "VARCHAR",
    "BOOL": "BOOLEAN",
    "LOGICAL": "BOOLEAN",
  };
  if (type in aliases) return aliases[type];
  if (type.startsWith("VARCHAR(")) return "VARCHAR";
  return type.replace(/^NUMERIC\(/, "DECIMAL(");
}

export function findExisting(existing: ExistingColumn[], name: string): ExistingColumn | undefined {
  // DuckDB identifiers are case-insensitive.
  const lower = name.toLowerCase();
  return existing.find((e) => e.name.toLowerCase() === lower);
}

export function specForSqlType(wanted: ColumnSpec, sqlType: string): ColumnSpec {
  const type = canonicalSqlType(sqlType);
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(type);
  if (decimal && Number(decimal[1]) <= 38) {
    const [precision, scale] = [Number(decimal[1]), Number(decimal[2])];
    const kind: ColumnKind = scale === 0 ? "big_integer" : "decimal";
    return {
      ...columnSpec(wanted.property, wanted.name, kind),
      sqlType: type,
      arrowType: new arrow.Decimal(scale, precision, 128),
    };
  }
  const byType: Record<string, ColumnKind> = {
    VARCHAR: wanted.sqlType === "VARCHAR" ? wanted.kind : "string",
    BIGINT: "integer",
    DOUBLE: "number",
    BOOLEAN: "boolean",
    DATE: "date",
    TIMESTAMPTZ: "timestamp_with_timezone",
    TIMESTAMP: "timestamp_without_timezone",
    TIME: "time_without_timezone",
  };
  const kind = byType[type];
  if (!kind) {
    throw new CacheError(
      `Cannot write property '${wanted.property}' into column '${wanted.name}': its type ${sqlType} is not one this cache writes.`,
      {
        guidance: "Drop or rename the column (or the table) so the cache can recreate it.",
        context: { sqlType },
      },
    );
  }
  return columnSpec(wanted.property, wanted.name, kind);
}

/**
 * The columns a batch must have to insert into an existing table: wanted columns whose table
 * column has another type take the table's type (values are converted to it, and values that do
 * not fit are kept in `_airbyte_meta`, see `ArrowBatchBuilder`). Columns the table lacks are kept
 * as wanted (add them first with {@linkcode addMissingColumnsSql}).
 *
 * @example An integer property meeting an old VARCHAR column
 * ```ts
 * import { alignColumnsToTable } from "./table_columns.ts";
 * import { toStreamColumns } from "../arrow/stream_columns.ts";
 * const wanted = toStreamColumns({ properties: { id: { type: "integer" } } });
 * const aligned = alignColumnsToTable([{ name: "id", sqlType: "VARCHAR" }], wanted);
 * if (aligned[0].kind !== "string") throw new Error();
 * ```
 */
export function alignColumnsToTable(existing: ExistingColumn[], wanted: ColumnSpec[]): ColumnSpec[] {
  return wanted.map((c) => {
    const found = findExisting(existing, c.name);
    if (!found || canonicalSqlType(found.sqlType) === canonicalSqlType(c.sqlType)) return c;
    return specForSqlType(c, found.sqlType);
  });
}

/**
 * Are a table's columns (in order) exactly `columns`, so that batches insert by position?
 *
 * @example Same names and types
 * ```ts
 * import { sameColumns } from "./table_columns.ts";
 * import { toStreamColumns } from "../arrow/stream_columns.ts";
 * const columns = toStreamColumns({});
 * if (!sameColumns(columns.map((c) => ({ name: c.name, sqlType: c.sqlType })), columns)) throw new Error();
 * ```
 */
export function sameColumns(existing: ExistingColumn[], columns: ColumnSpec[]): boolean {
  return existing.length === columns.length &&
    existing.every((e, i) =>
      e.name.toLowerCase() === columns[i].name.toLowerCase() &&
      canonicalSqlType(e.sqlType) === canonicalSqlType(columns[i].sqlType)
    );
}
