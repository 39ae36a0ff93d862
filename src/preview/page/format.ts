/** Turning query results into text for the page. */
import type * as arrow from "apache-arrow";

const integer = new Intl.NumberFormat("en-US");

/** 1234567 → "1,234,567". */
export function formatCount(n: number | bigint): string {
  return integer.format(n);
}

/** Bytes → "12.3 MB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Milliseconds → "840 ms" / "1.24 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** JSON.stringify that writes bigints as numbers. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => typeof v === "bigint" ? Number(v) : v, indent);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Milliseconds since the epoch → "2024-05-01 12:34:56.789" (UTC). */
export function formatTimestampMs(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const frac = d.getUTCMilliseconds();
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    (frac ? `.${pad(frac, 3)}` : "");
}

/** One value of an Arrow column as text (null stays null: the grid shows it dimmed). */
export function formatValue(value: unknown, type?: arrow.DataType): string | null {
  if (value === null || value === undefined) return null;
  const typeId = type?.typeId;
  // Arrow type ids: Date = 8, Timestamp = 10 (values arrive as epoch milliseconds).
  if ((typeId === 10 || typeId === 8) && typeof value === "number") {
    const text = formatTimestampMs(value);
    return typeId === 8 ? text.slice(0, 10) : text;
  }
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (value instanceof Uint8Array) {
    return Array.from(value.subarray(0, 64), (b) => b.toString(16).padStart(2, "0")).join("") +
      (value.length > 64 ? "…" : "");
  }
  if (value instanceof Date) return formatTimestampMs(value.getTime());
  const json = (value as { toJSON?: () => unknown }).toJSON?.() ?? value;
  return toJson(json);
}

/** An Arrow table as rows of text cells, column by column (fast: one pass per column). */
export function tableToTextRows(table: arrow.Table): { columns: string[]; rows: (string | null)[][] } {
  const columns = table.schema.fields.map((f) => f.name);
  const rows: (string | null)[][] = Array.from({ length: table.numRows }, () => new Array(columns.length));
  table.schema.fields.forEach((field, c) => {
    const vector = table.getChildAt(c)!;
    let r = 0;
    for (const value of vector) rows[r++][c] = formatValue(value, field.type);
  });
  return { columns, rows };
}
