// Text shared by the plain and tty renderers, so that both say the same thing the same way.
import type { ProgressEvent, StreamProgress } from "./progress_event.ts";

/** `1234567` → `"1,234,567"`. */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `65432` ms → `"1m05s"`; under a minute one decimal of seconds. */
export function formatElapsed(ms: number): string {
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${totalSeconds.toFixed(1)}s`;
  const whole = Math.floor(totalSeconds);
  const s = String(whole % 60).padStart(2, "0");
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${s}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m${s}s`;
}

/** `"12,345 rec/s, 3.2 MB/s"`. */
export function formatRates(recordsPerSecond: number, mbPerSecond: number): string {
  return `${formatCount(recordsPerSecond)} rec/s, ${mbPerSecond.toFixed(1)} MB/s`;
}

/** `"[read source-faker]"`. */
export function jobPrefix(event: ProgressEvent): string {
  return `[${event.job} ${event.connector}]`;
}

/** `42.7` → `"42%"`: whole percent, rounded down so that 100% means done. */
export function formatPercent(percent: number): string {
  return `${Math.floor(percent)}%`;
}

/** Time still to go: `"8s"`, `"1m05s"`, `"2h03m00s"` (whole seconds, rounded up). */
export function formatEta(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  return formatElapsed(seconds * 1000);
}

/** `"1,000 records, 900 confirmed"`; while running with an estimate, `"1,200 of ~3,000 records"`. */
export function formatStreamCounts(stream: StreamProgress): string {
  const confirmed = stream.confirmed === undefined ? "" : `, ${formatCount(stream.confirmed)} confirmed`;
  const of = !stream.done && stream.rowEstimate !== undefined
    ? ` of ~${formatCount(stream.rowEstimate)}`
    : "";
  return `${formatCount(stream.records)}${of} records${confirmed}`;
}

/**
 * `"users: 1,000 records (12,345 rec/s, 3.2 MB/s) elapsed 0.1s"`; `" done"` (or `" incomplete"`)
 * after the name once finished; percent and ETA while running when the connector estimated the
 * stream, ahead of the rates so a narrow terminal cuts those first:
 * `"users: 1,200 of ~3,000 records, 40%, ETA 2s (…) elapsed 1.0s"`.
 */
export function formatStreamLine(name: string, stream: StreamProgress): string {
  const state = stream.done ? (stream.incomplete ? " incomplete" : " done") : "";
  const percent = !stream.done && stream.percent !== undefined ? `, ${formatPercent(stream.percent)}` : "";
  const eta = !stream.done && stream.etaMs !== undefined ? `, ETA ${formatEta(stream.etaMs)}` : "";
  return `${name}${state}: ${formatStreamCounts(stream)}${percent}${eta} ` +
    `(${formatRates(stream.recordsPerSecond, stream.mbPerSecond)}) elapsed ${
      formatElapsed(stream.elapsedMs)
    }`;
}

/** `", 42%, ETA 8s"` for a job whose percent is known; `""` otherwise. */
export function formatJobPercent(event: ProgressEvent): string {
  if (event.percent === undefined) return "";
  return `, ${formatPercent(event.percent)}${
    event.etaMs === undefined ? "" : `, ETA ${formatEta(event.etaMs)}`
  }`;
}

/**
 * `"finished: 3 streams, 10,000 records (…) elapsed 1.2s"` for `done`; for `failed`,
 * `"failed after 1.2s (3 streams, 10,000 records)"`. The error itself is not repeated: it is thrown
 * to the caller, who reports it (the CLI prints it once, with its guidance).
 */
export function formatJobEnd(event: ProgressEvent): string {
  const streamCount = Object.keys(event.streams).length;
  const confirmed = event.totalConfirmed === undefined
    ? ""
    : `, ${formatCount(event.totalConfirmed)} confirmed`;
  const counts =
    `${streamCount} stream${streamCount === 1 ? "" : "s"}, ${formatCount(event.totalRecords)} records` +
    confirmed;
  if (event.kind === "failed") {
    return `failed after ${formatElapsed(event.elapsedMs)} (${counts})`;
  }
  return `finished: ${counts} (${formatRates(event.recordsPerSecond, event.mbPerSecond)}) ` +
    `elapsed ${formatElapsed(event.elapsedMs)}`;
}
