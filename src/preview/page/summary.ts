/** The column summary: nulls, distinct values, min and max, and a small histogram. */
import type { ColumnInfo, StreamInfo } from "./catalog.ts";
import { histogram } from "./charts.ts";
import { h, replace } from "./dom.ts";
import { formatCount } from "./format.ts";
import { ident, type PreviewDb, rows, tableRef } from "./preview_db.ts";

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL|REAL)/;
const TEMPORAL = /^(TIMESTAMP|DATE)/;
const BINS = 24;

export interface ColumnSummary {
  rows: number;
  nulls: number;
  distinct: number;
  min: string | null;
  max: string | null;
  /** Bins of a numeric or time column (`edges` are bin starts; time as epoch ms). */
  bins?: { edges: number[]; counts: number[]; time: boolean };
  /** The most frequent values of other columns. */
  top?: { value: string | null; count: number }[];
}

/** Compute a column's summary with two queries over the table. */
export async function summarize(
  db: PreviewDb,
  stream: StreamInfo,
  column: ColumnInfo,
): Promise<ColumnSummary> {
  const from = tableRef(stream.schema, stream.table);
  const c = ident(column.name);
  const numeric = NUMERIC.test(column.type);
  const temporal = TEMPORAL.test(column.type);
  const asNumber = numeric ? `CAST(${c} AS DOUBLE)` : temporal ? `epoch_ms(${c})` : null;
  const [stats] = await rows<Record<string, number | string | null>>(
    db,
    `SELECT count(*) AS n, count(*) - count(${c}) AS nulls, count(DISTINCT ${c}) AS distinct_values, ` +
      `CAST(min(${c}) AS VARCHAR) AS min_text, CAST(max(${c}) AS VARCHAR) AS max_text` +
      (asNumber ? `, min(${asNumber}) AS lo, max(${asNumber}) AS hi` : "") + ` FROM ${from}`,
  );
  const summary: ColumnSummary = {
    rows: Number(stats.n),
    nulls: Number(stats.nulls),
    distinct: Number(stats.distinct_values),
    min: stats.min_text === null ? null : String(stats.min_text),
    max: stats.max_text === null ? null : String(stats.max_text),
  };
  if (asNumber && stats.lo !== null && stats.hi !== null) {
    const lo = Number(stats.lo);
    const hi = Number(stats.hi);
    const width = hi > lo ? (hi - lo) / BINS : 1;
    const binned = await rows<{ b: number; n: number }>(
      db,
      `SELECT least(CAST(floor((${asNumber} - ${lo}) / ${width}) AS INTEGER), ${
        BINS - 1
      }) AS b, count(*) AS n ` +
        `FROM ${from} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    const bins = hi > lo ? BINS : 1;
    const counts = new Array(bins).fill(0);
    for (const r of binned) counts[Math.max(0, Math.min(bins - 1, Number(r.b)))] += Number(r.n);
    summary.bins = { edges: counts.map((_, i) => lo + i * width), counts, time: temporal };
  } else if (!asNumber) {
    summary.top = (await rows<{ v: string | null; n: number }>(
      db,
      `SELECT CAST(${c} AS VARCHAR) AS v, count(*) AS n FROM ${from} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 8`,
    )).map((r) => ({ value: r.v, count: Number(r.n) }));
  }
  return summary;
}

function percent(part: number, whole: number): string {
  if (whole === 0) return "0%";
  const p = (part / whole) * 100;
  return `${p < 0.1 && p > 0 ? "<0.1" : p.toFixed(p < 10 ? 1 : 0)}%`;
}

/** Render a summary into `host`. */
export function renderSummary(host: HTMLElement, column: ColumnInfo, summary: ColumnSummary): void {
  const stat = (label: string, value: string, extra?: string) =>
    h(
      "div",
      { class: "stat" },
      h("div", { class: "stat-label" }, label),
      h("div", { class: "stat-value", title: value }, value),
      extra ? h("div", { class: "stat-extra" }, extra) : null,
    );
  const chart = h("div", { class: "summary-chart" });
  replace(
    host,
    h(
      "div",
      { class: "summary-head" },
      h("h3", null, column.name),
      h("span", { class: "type-pill" }, column.type),
    ),
    h(
      "div",
      { class: "stats" },
      stat("rows", formatCount(summary.rows)),
      stat("nulls", formatCount(summary.nulls), percent(summary.nulls, summary.rows)),
      stat(
        "distinct",
        formatCount(summary.distinct),
        percent(summary.distinct, summary.rows - summary.nulls),
      ),
      stat("min", summary.min ?? "null"),
      stat("max", summary.max ?? "null"),
    ),
    chart,
  );
  host.dataset.column = column.name;
  if (summary.bins) {
    requestAnimationFrame(() =>
      histogram(chart, summary.bins!.edges, summary.bins!.counts, summary.bins!.time)
    );
  } else if (summary.top) {
    const most = Math.max(1, ...summary.top.map((t) => t.count));
    replace(
      chart,
      h("div", { class: "chart-title" }, "most frequent"),
      summary.top.map((t) =>
        h(
          "div",
          { class: "freq" },
          h(
            "span",
            { class: `freq-label${t.value === null ? " null" : ""}`, title: t.value ?? "null" },
            t.value ?? "null",
          ),
          h(
            "span",
            { class: "freq-track" },
            h("span", { class: "freq-fill", style: `width:${(t.count / most) * 100}%` }),
          ),
          h("span", { class: "freq-count" }, formatCount(t.count)),
        )
      ),
    );
  }
}
