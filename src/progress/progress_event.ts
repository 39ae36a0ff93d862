/**
 * The shape of progress reports: what a {@linkcode ProgressTracker} emits and what the `progress`
 * option of `read` and `write` accepts.
 *
 * @module
 */

/**
 * Which kind of job is being reported on.
 *
 * @example Tell reads from writes
 * ```ts
 * import type { ProgressJob } from "./progress_event.ts";
 * const verb = (job: ProgressJob) => (job === "read" ? "reading" : "writing");
 * if (verb("write") !== "writing") throw new Error();
 * ```
 */
export type ProgressJob = "read" | "write";

/**
 * What happened:
 * - `start`: the job began;
 * - `progress`: counts moved (throttled, at most once per renderer interval);
 * - `stream_done`: one stream finished (its name is in `stream`);
 * - `done`: the job finished;
 * - `failed`: the job failed (the masked message is in `error`).
 *
 * @example React to the end of a job
 * ```ts
 * import type { ProgressEventKind } from "./progress_event.ts";
 * const isEnd = (kind: ProgressEventKind) => kind === "done" || kind === "failed";
 * if (!isEnd("failed") || isEnd("progress")) throw new Error();
 * ```
 */
export type ProgressEventKind = "start" | "progress" | "stream_done" | "done" | "failed";

/**
 * Counts for one stream, as of the event.
 *
 * @example Show a stream's share of the records
 * ```ts
 * import type { StreamProgress } from "./progress_event.ts";
 * const users: StreamProgress = {
 *   records: 250, bytes: 20_000, done: false, elapsedMs: 500, recordsPerSecond: 500, mbPerSecond: 0.04,
 * };
 * if (users.records / 1000 !== 0.25) throw new Error();
 * ```
 */
export interface StreamProgress {
  /** Records seen so far. */
  records: number;
  /** Bytes of those records (serialized size as read from the connector). */
  bytes: number;
  /** Records the destination confirmed as durable (write jobs only). */
  confirmed?: number;
  /** True once the stream finished: the connector said `COMPLETE` or `INCOMPLETE`, or the job ended. */
  done: boolean;
  /** True when the connector reported the stream `INCOMPLETE` (it ended without all its records). */
  incomplete?: boolean;
  /** True while the stream is registered but has neither a record nor a `STARTED` status yet. */
  waiting?: boolean;
  /** Milliseconds from the stream's start (its first record or `STARTED`) to its end, or to now. */
  elapsedMs: number;
  /** Average records per second over `elapsedMs`. */
  recordsPerSecond: number;
  /** Average megabytes (10^6 bytes) per second over `elapsedMs`. */
  mbPerSecond: number;
  /** The connector's `ESTIMATE` of the stream's records, when it sent one. */
  rowEstimate?: number;
  /** The connector's `ESTIMATE` of the stream's bytes, when it sent one. */
  byteEstimate?: number;
  /**
   * How far the stream is, 0–100: records over `rowEstimate` (else bytes over `byteEstimate`),
   * below 100 until the stream is done, 100 once it completed. Absent when the connector sent no
   * estimate.
   */
  percent?: number;
  /** Milliseconds still to go at the stream's rate so far; absent without an estimate or a rate. */
  etaMs?: number;
}

/**
 * One progress report. A fresh object every time: listeners may keep it.
 *
 * @example Print each finished stream
 * ```ts
 * import type { ProgressEvent } from "./progress_event.ts";
 * const onEvent = (event: ProgressEvent) => {
 *   if (event.kind === "stream_done") console.log(event.stream, event.streams[event.stream!].records);
 * };
 * onEvent({
 *   kind: "stream_done", job: "read", connector: "source-faker", stream: "users",
 *   streams: { users: { records: 10, bytes: 900, done: true, elapsedMs: 5, recordsPerSecond: 2000, mbPerSecond: 0.18 } },
 *   totalRecords: 10, totalBytes: 900, recordsPerSecond: 2000, mbPerSecond: 0.18, elapsedMs: 5,
 * });
 * ```
 */
export interface ProgressEvent {
  /** What happened: start, progress, a stream done, the job done or failed. */
  kind: ProgressEventKind;
  /** Whether the job is a read or a write. */
  job: ProgressJob;
  /** The connector's name, e.g. `source-faker`. */
  connector: string;
  /** The stream a `stream_done` event is about. */
  stream?: string;
  /** Per-stream counts, keyed by stream name, in the order the streams started. */
  streams: Record<string, StreamProgress>;
  /** Records over all streams. */
  totalRecords: number;
  /** Bytes over all streams. */
  totalBytes: number;
  /** Confirmed records over all streams (write jobs only). */
  totalConfirmed?: number;
  /** Average records per second since the job started. */
  recordsPerSecond: number;
  /** Average megabytes (10^6 bytes) per second since the job started. */
  mbPerSecond: number;
  /** Milliseconds since the job started. */
  elapsedMs: number;
  /**
   * How far the job is, 0–100, when every stream not yet done has an estimate (or the connector
   * estimated the whole sync).
   */
  percent?: number;
  /** Milliseconds still to go at the job's rate so far, when `percent` is known. */
  etaMs?: number;
  /** The failure's message, secrets masked (`failed` only). */
  error?: string;
}

/**
 * Receives progress events.
 *
 * @example Keep the latest record count
 * ```ts
 * import type { ProgressCallback } from "./progress_event.ts";
 * let latest = 0;
 * const onProgress: ProgressCallback = (event) => void (latest = event.totalRecords);
 * onProgress({
 *   kind: "progress", job: "read", connector: "source-x", streams: {},
 *   totalRecords: 7, totalBytes: 70, recordsPerSecond: 7, mbPerSecond: 0, elapsedMs: 1000,
 * });
 * if (latest !== 7) throw new Error();
 * ```
 */
export type ProgressCallback = (event: ProgressEvent) => void;

/**
 * How a job reports progress:
 * - `"auto"` (default): a live display on a terminal, log lines otherwise (and always under `CI`);
 * - `"tty"`: a live display redrawn in place on standard error;
 * - `"plain"`: a log line every few seconds and at each stream's end;
 * - `"none"`: nothing;
 * - a function: receives {@linkcode ProgressEvent}s (throttled `progress`, every other kind).
 *
 * @example Choose log lines, or drive a UI with events
 * ```ts
 * import type { ProgressEvent, ProgressOption } from "./progress_event.ts";
 * const forLogs: ProgressOption = "plain";
 * const events: ProgressEvent[] = [];
 * const forUi: ProgressOption = (event) => events.push(event);
 * // Passed as `source.read({ progress: forUi })` or `destination.write(source, { progress: forLogs })`.
 * if (typeof forUi !== "function" || forLogs !== "plain") throw new Error();
 * ```
 */
export type ProgressOption = "auto" | "tty" | "plain" | "none" | ProgressCallback;
