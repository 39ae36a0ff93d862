/** Records over time: counts per time bucket of `_airbyte_extracted_at` or a picked time column. */
import type { StreamInfo } from "./catalog.ts";
import { timeBars } from "./charts.ts";
import { h, replace } from "./dom.ts";
import { formatCount, formatTimestampMs } from "./format.ts";
import { ident, type PreviewDb, rows, tableRef } from "./preview_db.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BUCKETS = [
  [SECOND, "second"],
  [5 * SECOND, "5 seconds"],
  [15 * SECOND, "15 seconds"],
  [MINUTE, "minute"],
  [5 * MINUTE, "5 minutes"],
  [15 * MINUTE, "15 minutes"],
  [HOUR, "hour"],
  [6 * HOUR, "6 hours"],
  [DAY, "day"],
  [7 * DAY, "week"],
  [30 * DAY, "30 days"],
  [365 * DAY, "365 days"],
] as const;
const MAX_BUCKETS = 240;

export interface Timeline {
  column: string;
  bucketMs: number;
  bucketLabel: string;
  times: number[];
  counts: number[];
  nulls: number;
}

/** Count rows per bucket, the bucket chosen so that the range spans at most MAX_BUCKETS. */
export async function loadTimeline(db: PreviewDb, stream: StreamInfo, column: string): Promise<Timeline> {
  const from = tableRef(stream.schema, stream.table);
  const ms = `epoch_ms(${ident(column)})`;
  const [range] = await rows<{ lo: number | null; hi: number | null; nulls: number }>(
    db,
    `SELECT min(${ms}) AS lo, max(${ms}) AS hi, count(*) - count(${ident(column)}) AS nulls FROM ${from}`,
  );
  if (range.lo === null || range.hi === null) {
    return {
      column,
      bucketMs: SECOND,
      bucketLabel: "second",
      times: [],
      counts: [],
      nulls: Number(range.nulls),
    };
  }
  const span = Number(range.hi) - Number(range.lo);
  const [bucketMs, bucketLabel] = BUCKETS.find(([size]) => span / size <= MAX_BUCKETS) ??
    BUCKETS[BUCKETS.length - 1];
  const counts = await rows<{ t: number; n: number }>(
    db,
    `SELECT (${ms} // ${bucketMs}) * ${bucketMs} AS t, count(*) AS n FROM ${from} WHERE ${
      ident(column)
    } IS NOT NULL ` +
      `GROUP BY 1 ORDER BY 1`,
  );
  return {
    column,
    bucketMs,
    bucketLabel,
    times: counts.map((r) => Number(r.t)),
    counts: counts.map((r) => Number(r.n)),
    nulls: Number(range.nulls),
  };
}

/** The timeline view: a column picker and the chart. */
export function timelineView(db: PreviewDb, stream: StreamInfo, onError: (e: unknown) => void): HTMLElement {
  const chart = h("div", { class: "timeline-chart" });
  const caption = h("div", { class: "caption" });
  const preferred = stream.timeColumns.includes("_airbyte_extracted_at")
    ? "_airbyte_extracted_at"
    : stream.timeColumns[0];
  const picker = h(
    "select",
    { class: "timeline-column", "aria-label": "time column", onchange: () => draw(picker.value) },
    stream.timeColumns.map((c) => h("option", { value: c, selected: c === preferred }, c)),
  );
  const view = h(
    "section",
    { class: "timeline" },
    h("div", { class: "toolbar" }, h("label", null, "Records over time by ", picker), caption),
    chart,
  );
  async function draw(column: string) {
    view.dataset.state = "loading";
    try {
      const t = await loadTimeline(db, stream, column);
      replace(chart);
      const total = t.counts.reduce((a, b) => a + b, 0);
      if (t.times.length === 0) {
        replace(chart, h("div", { class: "empty" }, `No values in ${column}.`));
      } else {
        timeBars(chart, t.times, t.counts);
      }
      caption.textContent = t.times.length === 0
        ? ""
        : `${formatCount(total)} records per ${t.bucketLabel}, ` +
          `${formatTimestampMs(t.times[0])} – ${
            formatTimestampMs(t.times[t.times.length - 1] + t.bucketMs)
          } UTC` +
          (t.nulls ? ` · ${formatCount(t.nulls)} without a value` : "");
      view.dataset.state = "ready";
      view.dataset.buckets = String(t.times.length);
      view.dataset.total = String(total);
    } catch (error) {
      view.dataset.state = "error";
      onError(error);
    }
  }
  if (preferred) requestAnimationFrame(() => draw(preferred));
  else replace(chart, h("div", { class: "empty" }, "This stream has no timestamp or date column."));
  return view;
}
