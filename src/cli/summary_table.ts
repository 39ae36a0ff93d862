/**
 * The per-stream summary table printed after a read.
 *
 * @module
 */

/** One row of the summary. */
export interface SummaryRow {
  stream: string;
  read: number;
  cached: number;
}

/**
 * Format the summary as an aligned text table.
 *
 * @example
 * ```ts
 * import { summaryTable } from "./summary_table.ts";
 * const text = summaryTable([{ stream: "users", read: 10, cached: 10 }], { cache: "/tmp/c.duckdb", seconds: 1.5 });
 * if (!text.includes("users") || !text.includes("10")) throw new Error();
 * ```
 */
export function summaryTable(rows: SummaryRow[], info: { cache: string; seconds: number }): string {
  const header = ["stream", "records read", "rows in cache"];
  const body = rows.map((r) => [r.stream, r.read.toLocaleString("en-US"), r.cached.toLocaleString("en-US")]);
  const total = rows.reduce((n, r) => n + r.read, 0);
  body.push([
    "TOTAL",
    total.toLocaleString("en-US"),
    rows.reduce((n, r) => n + r.cached, 0).toLocaleString("en-US"),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const rate = info.seconds > 0 ? Math.round(total / info.seconds).toLocaleString("en-US") : "-";
  return [
    line(header),
    rule,
    ...body.slice(0, -1).map(line),
    rule,
    line(body[body.length - 1]),
    "",
    `cache: ${info.cache}`,
    `elapsed: ${info.seconds.toFixed(2)} s (${rate} records/s)`,
  ].join("\n");
}
