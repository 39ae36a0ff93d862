// Cached rows back into Airbyte records: original property names, JSON documents parsed, dates and
// timestamps as ISO text, and values that were nulled as misfits restored from `_airbyte_meta`.
// Integers past 2^53 stay exact (bigints; `stringifyExact` writes their digits).
import type { CachedRecordPage } from "./cache.ts";
import { ident } from "./sql_quote.ts";
import type { ColumnSpec } from "../arrow/stream_columns.ts";
import { mayHoldInexactIntegers, parseExactJson } from "../protocol/exact_json.ts";

/** SELECT expressions that make each column easy to turn back into JSON. */
export function recordSelectList(columns: ColumnSpec[]): string {
  return columns.map((c) => {
    const col = ident(c.name);
    switch (c.kind) {
      case "timestamp_with_timezone":
        return `strftime(${col}::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%fZ') AS ${col}`;
      case "timestamp_without_timezone":
        return `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%f') AS ${col}`;
      case "date":
      case "time_without_timezone":
      case "big_integer":
      case "decimal":
        return `${col}::VARCHAR AS ${col}`;
      default:
        return col;
    }
  }).join(", ");
}

/** Turn one plain row (from `toPlainRows` over `recordSelectList`) into record data. */
export function rowToRecord(row: Record<string, unknown>, columns: ColumnSpec[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const c of columns) {
    if (c.name.startsWith("_airbyte_")) continue;
    const v = row[c.name];
    if (v === null || v === undefined) continue;
    switch (c.kind) {
      case "json":
        data[c.property] = typeof v === "string" ? safeParse(v) : v;
        break;
      case "integer":
        data[c.property] = typeof v === "bigint" && isSafe(v) ? Number(v) : v;
        break;
      case "big_integer": {
        // DECIMAL(38,0) as text: a bigint when a double cannot hold it exactly.
        const n = Number(v);
        data[c.property] = Number.isSafeInteger(n) || !/^-?\d+$/.test(String(v)) ? n : BigInt(String(v));
        break;
      }
      case "decimal":
        data[c.property] = Number(v);
        break;
      default:
        data[c.property] = v;
    }
  }
  const meta = typeof row._airbyte_meta === "string"
    ? safeParse(row._airbyte_meta) as Record<string, any>
    : undefined;
  for (const change of meta?.changes ?? []) {
    if (change && "raw" in change && typeof change.field === "string") data[change.field] = change.raw;
  }
  if (meta?.extra && typeof meta.extra === "object") {
    // defineProperty, not assignment: an extra property named `__proto__` is data, not a prototype.
    for (const [k, v] of Object.entries(meta.extra)) {
      Object.defineProperty(data, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return data;
}

/**
 * A non-empty page of plain rows (their `_airbyte_raw_id`, and the extraction time in ms as
 * `_ab_emitted_at`) as RECORD bodies of `stream`, resuming after the last row's id.
 */
export function recordPageOf(
  stream: string,
  rows: Record<string, unknown>[],
  columns: ColumnSpec[],
): CachedRecordPage {
  return {
    records: rows.map((row) => ({
      stream,
      data: rowToRecord(row, columns),
      emitted_at: Number(row._ab_emitted_at),
    })),
    lastRawId: String(rows[rows.length - 1]._airbyte_raw_id),
  };
}

function safeParse(text: string): unknown {
  try {
    return mayHoldInexactIntegers(text) ? parseExactJson(text) : JSON.parse(text);
  } catch {
    return text;
  }
}

function isSafe(v: bigint): boolean {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER);
}
