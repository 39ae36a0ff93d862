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

/** `"1,000 records, 900 confirmed"`. */
export function formatStreamCounts(stream: StreamProgress): string {
  const confirmed = stream.confirmed === undefined ? "" : `, ${formatCount(stream.confirmed)} confirmed`;
  return `${formatCount(stream.records)} records${confirmed}`;
}

/** `"users: 1,000 records (12,345 rec/s, 3.2 MB/s) elapsed 0.1s"`, with `" done"` after the name once finished. */
export function formatStreamLine(name: string, stream: StreamProgress): string {
  return `${name}${stream.done ? " done" : ""}: ${formatStreamCounts(stream)} ` +
    `(${formatRates(stream.recordsPerSecond, stream.mbPerSecond)}) elapsed ${
      formatElapsed(stream.elapsedMs)
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
