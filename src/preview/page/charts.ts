/**
 * Charts with uPlot: a small, fast canvas chart library (about 50 KB minified, no dependencies)
 * that draws tens of thousands of points without effort. Two shapes: bars over time, and a
 * histogram over a numeric range.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const ACCENT = "#4f6df5";
const FILL = "rgba(79, 109, 245, 0.35)";

/** Counts start at zero: a bar's height is its count, not its difference from the smallest. */
function countRange(_u: uPlot, _min: number, max: number): uPlot.Range.MinMax {
  return [0, Math.max(1, max * 1.08)];
}

/** Bars of counts over time. `times` in milliseconds since the epoch. */
export function timeBars(host: HTMLElement, times: number[], counts: number[], height = 280): uPlot {
  const width = Math.max(320, host.clientWidth || 800);
  return new uPlot(
    {
      width,
      height,
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true }, y: { range: countRange } },
      axes: [{ stroke: "#6b7280", grid: { stroke: "#eef0f4" } }, {
        stroke: "#6b7280",
        grid: { stroke: "#eef0f4" },
        size: 60,
      }],
      series: [{ label: "time" }, {
        label: "records",
        stroke: ACCENT,
        fill: FILL,
        width: 1,
        paths: uPlot.paths.bars!({ size: [0.9, 60] }),
        points: { show: false },
      }],
    },
    [times.map((t) => t / 1000), counts],
    host,
  );
}

/** A small histogram: `edges[i]` is where bin i starts (numbers, or epoch ms when `time`). */
export function histogram(host: HTMLElement, edges: number[], counts: number[], time: boolean): uPlot {
  const width = Math.max(260, host.clientWidth || 320);
  return new uPlot(
    {
      width,
      height: 150,
      legend: { show: false },
      cursor: { show: true, points: { show: false } },
      scales: { x: { time }, y: { range: countRange } },
      axes: [{ stroke: "#6b7280", grid: { show: false }, size: 30, font: "11px system-ui" }, {
        stroke: "#6b7280",
        grid: { stroke: "#eef0f4" },
        size: 44,
        font: "11px system-ui",
      }],
      series: [{}, {
        stroke: ACCENT,
        fill: FILL,
        width: 1,
        paths: uPlot.paths.bars!({ size: [0.95, 40], align: 1 }),
        points: { show: false },
      }],
    },
    [time ? edges.map((e) => e / 1000) : edges, counts],
    host,
  );
}
