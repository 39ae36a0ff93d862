/**
 * Counts records per stream for one read or write job and turns the counts into
 * {@linkcode ProgressEvent}s for a renderer.
 *
 * @module
 */
import type { AirbyteStreamStatus, AirbyteTraceMessage } from "../protocol/messages.ts";
import { maskSecrets } from "../secrets.ts";
import type { ProgressEvent, ProgressEventKind, ProgressJob, StreamProgress } from "./progress_event.ts";
import type { Clock, ProgressRenderer } from "./progress_renderer.ts";

/**
 * Options for {@linkcode ProgressTracker}.
 *
 * @example A write job reported as log lines
 * ```ts
 * import type { ProgressTrackerOptions } from "./progress_tracker.ts";
 * import { PlainRenderer } from "./plain_renderer.ts";
 * const options: ProgressTrackerOptions = {
 *   job: "write",
 *   connector: "destination-duckdb",
 *   renderer: new PlainRenderer((text) => console.error(text)),
 * };
 * if (options.renderer?.intervalMs !== 5000) throw new Error();
 * ```
 */
export interface ProgressTrackerOptions {
  /** Whether the job is a read or a write. */
  job: ProgressJob;
  /** The connector's name, e.g. `source-faker`. */
  connector: string;
  /** Where events go; without one the tracker only counts. */
  renderer?: ProgressRenderer;
  /** Monotonic milliseconds. @default () => performance.now() */
  clock?: Clock;
  /**
   * Milliseconds between heartbeats: while the job runs, {@linkcode ProgressTracker.tick} is called
   * on a timer, so that a display keeps moving while no records arrive (connector start-up, slow
   * APIs). The timer stops at `finish()` or `fail()`: a tracker with a heartbeat must be ended.
   * @default no heartbeat
   */
  heartbeatMs?: number;
}

// Mutable counters for one stream; plain numbers so the hot path allocates nothing.
class StreamCounter {
  records = 0;
  bytes = 0;
  confirmed = 0;
  done = false;
  incomplete = false;
  /** No record and no STARTED status yet. */
  waiting = true;
  endedAt = 0;
  rowEstimate: number | undefined;
  byteEstimate: number | undefined;
  /** When the stream was registered, or said STARTED before its first record. */
  constructor(public startedAt: number) {}
}

/**
 * A connector's estimate of how much a stream (or the whole sync) will send.
 *
 * @example From an ESTIMATE trace
 * ```ts
 * import type { ProgressEstimate } from "./progress_tracker.ts";
 * const estimate: ProgressEstimate = { rows: 3000, bytes: 1_350_000 };
 * if (estimate.rows !== 3000) throw new Error();
 * ```
 */
export interface ProgressEstimate {
  /** Records expected (`row_estimate`). */
  rows?: number;
  /** Bytes expected (`byte_estimate`). */
  bytes?: number;
}

const defaultClock: Clock = () => performance.now();
// Until the connector says a stream is complete (or the job ends), it is not at 100%, whatever
// the estimate says.
const RUNNING_MAX_PERCENT = 99.9;
const MAX_STRIDE = 16;

/**
 * Tracks one job. Call {@linkcode ProgressTracker.addRecords} once per *batch*: it adds to a few
 * counters, reads the clock at most once (less often when calls come fast), and builds an event
 * only when the renderer's interval has passed. Every method may be called before {@linkcode ProgressTracker.start}; the first call
 * starts the job. After `finish()` or `fail()` no further events are emitted.
 *
 * What the connector says about its streams comes in through {@linkcode ProgressTracker.onTrace}
 * (hand it every TRACE message): `STREAM_STATUS` starts and completes streams (a completed
 * stream's rate stops), `ESTIMATE` gives percent and ETA.
 *
 * @example Count two batches and collect the events
 * ```ts
 * import { ProgressTracker } from "./progress_tracker.ts";
 * import type { ProgressEvent } from "./progress_event.ts";
 * const events: ProgressEvent[] = [];
 * const tracker = new ProgressTracker({
 *   job: "read",
 *   connector: "source-faker",
 *   renderer: { intervalMs: 100, render: (e) => events.push(e) },
 * });
 * tracker.startStream("users");
 * tracker.addRecords("users", 500, 40_000);
 * tracker.addRecords("users", 500, 40_000);
 * tracker.finish();
 * const done = events.at(-1)!;
 * if (done.kind !== "done" || done.totalRecords !== 1000 || !done.streams.users.done) throw new Error();
 * ```
 */
export class ProgressTracker {
  readonly #job: ProgressJob;
  readonly #connector: string;
  readonly #renderer: ProgressRenderer | undefined;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #streams = new Map<string, StreamCounter>();
  #totalRecords = 0;
  #totalBytes = 0;
  #totalConfirmed = 0;
  #hasConfirmed = false;
  #syncRowEstimate: number | undefined;
  #syncByteEstimate: number | undefined;
  #state: "idle" | "running" | "ended" = "idle";
  #startedAt = 0;
  #endedAt = 0;
  #nextProgressAt = Infinity;
  // Adaptive clock sampling: read the clock once every #stride calls, so that even a caller that
  // counts record by record pays a decrement, not a clock read. See #sampleClock.
  #stride = 1;
  #countdown = 1;
  #lastSampleAt = 0;
  readonly #heartbeatMs: number | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  /**
   * A tracker for one job; it starts at the first call (or `start()`).
   *
   * @param options The job, the connector's name, where events go, the clock and the heartbeat.
   */
  constructor(options: ProgressTrackerOptions) {
    this.#job = options.job;
    this.#connector = options.connector;
    this.#renderer = options.renderer;
    this.#clock = options.clock ?? defaultClock;
    this.#intervalMs = Math.max(0, options.renderer?.intervalMs ?? 0);
    this.#heartbeatMs = options.renderer && options.heartbeatMs
      ? Math.max(10, options.heartbeatMs)
      : undefined;
  }

  /** Records counted so far, over all streams. */
  get totalRecords(): number {
    return this.#totalRecords;
  }

  /** Bytes counted so far, over all streams. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Destination-confirmed records so far, over all streams. */
  get totalConfirmed(): number {
    return this.#totalConfirmed;
  }

  /** Records counted so far for one stream (0 for an unknown stream). */
  recordsOf(stream: string): number {
    return this.#streams.get(stream)?.records ?? 0;
  }

  /** Start the job and emit `start`. Called implicitly by every other method; repeated calls do nothing. */
  start(): void {
    if (this.#state !== "idle") return;
    this.#state = "running";
    this.#startedAt = this.#clock();
    this.#nextProgressAt = this.#startedAt + this.#intervalMs;
    this.#lastSampleAt = this.#startedAt;
    this.#emit("start", this.#startedAt);
    if (this.#heartbeatMs !== undefined) this.#heartbeat = setInterval(() => this.tick(), this.#heartbeatMs);
  }

  /**
   * Register a stream so that it shows up (waiting, with zero records) before its first batch.
   * Its clock starts now, or when the connector says it `STARTED` if that comes before a record.
   */
  startStream(stream: string): void {
    if (!this.#streams.has(stream)) this.#openStream(stream);
    this.tick();
  }

  /**
   * Count one batch of `count` records totalling `bytes` bytes. The hot path: no allocation, a
   * clock read only every few calls when calls come fast, and an event only when the renderer's
   * interval has passed.
   */
  addRecords(stream: string, count: number, bytes = 0): void {
    const counter = this.#streams.get(stream) ?? this.#openStream(stream);
    if (count > 0) counter.waiting = false;
    counter.records += count;
    counter.bytes += bytes;
    this.#totalRecords += count;
    this.#totalBytes += bytes;
    if (this.#renderer !== undefined && --this.#countdown <= 0) this.#sampleClock();
  }

  /**
   * Apply a TRACE message from the connector (the `trace` body of an Airbyte TRACE message):
   * `STREAM_STATUS` goes to {@linkcode ProgressTracker.streamStatus}, `ESTIMATE` to
   * {@linkcode ProgressTracker.estimate}; other traces are ignored. Malformed ones are ignored too:
   * progress never fails a job.
   *
   * @example What source-faker says about a stream
   * ```ts
   * import { ProgressTracker } from "./progress_tracker.ts";
   * const tracker = new ProgressTracker({ job: "read", connector: "source-faker" });
   * tracker.onTrace({ type: "ESTIMATE", emitted_at: 0, estimate: { name: "users", type: "STREAM", row_estimate: 3000 } });
   * tracker.addRecords("users", 1500);
   * if (tracker.snapshot().streams.users.percent !== 50) throw new Error();
   * tracker.onTrace({ type: "STREAM_STATUS", emitted_at: 0, stream_status: { stream_descriptor: { name: "users" }, status: "COMPLETE" } });
   * if (!tracker.snapshot().streams.users.done) throw new Error();
   * ```
   */
  onTrace(trace: AirbyteTraceMessage | undefined): void {
    if (trace?.type === "STREAM_STATUS") {
      const status = trace.stream_status;
      const name = status?.stream_descriptor?.name;
      if (typeof name === "string" && typeof status?.status === "string") {
        this.streamStatus(name, status.status);
      }
    } else if (trace?.type === "ESTIMATE") {
      const estimate = trace.estimate;
      if (!estimate) return;
      const amounts = {
        rows: estimate.row_estimate ?? undefined,
        bytes: estimate.byte_estimate ?? undefined,
      };
      if (estimate.type === "SYNC") this.estimate(undefined, amounts);
      else if (typeof estimate.name === "string") this.estimate(estimate.name, amounts);
    }
  }

  /**
   * The connector's word on a stream: `STARTED`/`RUNNING` start its clock, `COMPLETE` finishes it
   * (emits `stream_done`; its rate stops), `INCOMPLETE` finishes it marked incomplete.
   */
  streamStatus(stream: string, status: AirbyteStreamStatus): void {
    const counter = this.#streams.get(stream) ?? this.#openStream(stream);
    switch (status) {
      case "STARTED":
      case "RUNNING":
        // Streams often run one after another: the clock of a stream registered long ago starts
        // when it does, so that its rate and ETA are its own.
        if (counter.waiting && !counter.done) counter.startedAt = this.#clock();
        counter.waiting = false;
        this.tick();
        break;
      case "INCOMPLETE":
        if (!counter.done) counter.incomplete = true;
        this.finishStream(stream);
        break;
      case "COMPLETE":
        this.finishStream(stream);
        break;
    }
  }

  /** Record the connector's estimate for `stream`, or for the whole sync when `stream` is undefined. */
  estimate(stream: string | undefined, estimate: ProgressEstimate): void {
    const rows = validAmount(estimate.rows);
    const bytes = validAmount(estimate.bytes);
    if (stream === undefined) {
      if (rows !== undefined) this.#syncRowEstimate = rows;
      if (bytes !== undefined) this.#syncByteEstimate = bytes;
    } else {
      const counter = this.#streams.get(stream) ?? this.#openStream(stream);
      if (rows !== undefined) counter.rowEstimate = rows;
      if (bytes !== undefined) counter.byteEstimate = bytes;
    }
    this.tick();
  }

  /** Count `count` records of `stream` that the destination confirmed as durable. */
  addConfirmed(stream: string, count: number): void {
    const counter = this.#streams.get(stream) ?? this.#openStream(stream);
    counter.confirmed += count;
    this.#totalConfirmed += count;
    this.#hasConfirmed = true;
    if (this.#renderer !== undefined && --this.#countdown <= 0) this.#sampleClock();
  }

  /** Emit a `progress` event if the interval has passed (the heartbeat calls it while no records arrive). */
  tick(): void {
    if (this.#state === "idle") this.start();
    if (this.#state === "ended") return;
    if (this.#renderer !== undefined && this.#clock() >= this.#nextProgressAt) this.#emitProgress();
  }

  /**
   * Mark a stream finished and emit `stream_done` (once per stream). Its elapsed time and rate
   * stop here; records counted for it later still add to its count.
   */
  finishStream(stream: string): void {
    const counter = this.#streams.get(stream) ?? this.#openStream(stream);
    if (counter.done) return;
    const now = this.#clock();
    counter.done = true;
    counter.endedAt = now;
    this.#emit("stream_done", now, stream);
  }

  /** Finish the job: every stream still running is finished, then `done` is emitted. Idempotent. */
  finish(): void {
    this.start();
    if (this.#state === "ended") return;
    for (const [name, counter] of this.#streams) {
      if (!counter.done) this.finishStream(name);
    }
    this.#endedAt = this.#clock();
    this.#stopHeartbeat();
    this.#emit("done", this.#endedAt);
    this.#state = "ended";
  }

  /**
   * Fail the job and emit `failed` with the error's message (secrets masked). A renderer that
   * throws here is ignored so that the original error is the one the caller sees. Idempotent.
   */
  fail(error: unknown): void {
    this.start();
    if (this.#state === "ended") return;
    this.#endedAt = this.#clock();
    this.#stopHeartbeat();
    const message = maskSecrets(error instanceof Error ? error.message : String(error));
    try {
      this.#emit("failed", this.#endedAt, undefined, message);
    } catch {
      // The job's own error matters more than a broken progress display.
    }
    this.#state = "ended";
  }

  /** The current counts as a `progress` event, without emitting it. */
  snapshot(): ProgressEvent {
    return this.#buildEvent("progress", this.#state === "ended" ? this.#endedAt : this.#clock());
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #openStream(stream: string): StreamCounter {
    this.start();
    const counter = new StreamCounter(this.#clock());
    this.#streams.set(stream, counter);
    return counter;
  }

  // Called every #stride hot-path calls. Calls arriving far faster than the interval double the
  // stride; calls arriving slowly halve it, and a gap longer than the interval resets it. The cap
  // is small (16) so that when a fast burst turns into a trickle, the display lags by at most 16
  // calls; even record-by-record callers then read the clock only once per 16 records.
  #sampleClock(): void {
    const now = this.#clock();
    const sinceLastSample = now - this.#lastSampleAt;
    this.#lastSampleAt = now;
    if (sinceLastSample > this.#intervalMs) this.#stride = 1;
    else if (sinceLastSample * 16 < this.#intervalMs) this.#stride = Math.min(this.#stride * 2, MAX_STRIDE);
    else if (sinceLastSample * 4 > this.#intervalMs) this.#stride = Math.max(1, this.#stride >> 1);
    this.#countdown = this.#stride;
    if (now >= this.#nextProgressAt) this.#emitProgress();
  }

  #emitProgress(): void {
    const now = this.#clock();
    this.#nextProgressAt = now + this.#intervalMs;
    this.#emit("progress", now);
  }

  #emit(kind: ProgressEventKind, now: number, stream?: string, error?: string): void {
    if (this.#renderer === undefined || this.#state === "ended") return;
    this.#renderer.render(this.#buildEvent(kind, now, stream, error));
  }

  #buildEvent(kind: ProgressEventKind, now: number, stream?: string, error?: string): ProgressEvent {
    const streams: Record<string, StreamProgress> = {};
    for (const [name, c] of this.#streams) streams[name] = this.#streamProgress(c, now);
    const elapsedMs = Math.max(0, now - this.#startedAt);
    const event: ProgressEvent = {
      kind,
      job: this.#job,
      connector: this.#connector,
      streams,
      totalRecords: this.#totalRecords,
      totalBytes: this.#totalBytes,
      recordsPerSecond: perSecond(this.#totalRecords, elapsedMs),
      mbPerSecond: perSecond(this.#totalBytes, elapsedMs) / 1e6,
      elapsedMs,
    };
    if (stream !== undefined) event.stream = stream;
    if (this.#hasConfirmed) event.totalConfirmed = this.#totalConfirmed;
    const remaining = this.#jobRemaining();
    if (remaining !== undefined) {
      const percent = remaining.total > 0
        ? percentOf(remaining.total - remaining.left, remaining.total)
        : 100;
      event.percent = kind === "done" ? percent : Math.min(RUNNING_MAX_PERCENT, percent);
      const eta = etaMs(
        remaining.left,
        remaining.unit === "rows" ? event.recordsPerSecond : event.mbPerSecond * 1e6,
      );
      if (eta !== undefined) event.etaMs = eta;
    }
    if (error !== undefined) event.error = error;
    return event;
  }

  #streamProgress(c: StreamCounter, now: number): StreamProgress {
    const elapsedMs = Math.max(0, (c.done ? c.endedAt : now) - c.startedAt);
    const progress: StreamProgress = {
      records: c.records,
      bytes: c.bytes,
      done: c.done,
      elapsedMs,
      recordsPerSecond: perSecond(c.records, elapsedMs),
      mbPerSecond: perSecond(c.bytes, elapsedMs) / 1e6,
    };
    if (this.#hasConfirmed) progress.confirmed = c.confirmed;
    if (c.incomplete) progress.incomplete = true;
    if (c.waiting && !c.done) progress.waiting = true;
    if (c.rowEstimate !== undefined) progress.rowEstimate = c.rowEstimate;
    if (c.byteEstimate !== undefined) progress.byteEstimate = c.byteEstimate;
    // Rows when the connector estimated them, else bytes.
    const [amount, estimate, rate] = c.rowEstimate !== undefined
      ? [c.records, c.rowEstimate, progress.recordsPerSecond]
      : [c.bytes, c.byteEstimate, progress.mbPerSecond * 1e6];
    if (estimate !== undefined) {
      if (c.done && !c.incomplete) progress.percent = 100;
      else if (estimate > 0) progress.percent = Math.min(RUNNING_MAX_PERCENT, percentOf(amount, estimate));
      if (!c.done) {
        const eta = etaMs(estimate - amount, rate);
        if (eta !== undefined) progress.etaMs = eta;
      }
    }
    return progress;
  }

  // What the whole job still has to do, in rows (or bytes when only bytes were estimated): known
  // only when the connector estimated the sync, or every stream still running has an estimate.
  #jobRemaining(): { total: number; left: number; unit: "rows" | "bytes" } | undefined {
    if (this.#syncRowEstimate !== undefined) {
      return {
        total: this.#syncRowEstimate,
        left: Math.max(0, this.#syncRowEstimate - this.#totalRecords),
        unit: "rows",
      };
    }
    if (this.#syncByteEstimate !== undefined) {
      return {
        total: this.#syncByteEstimate,
        left: Math.max(0, this.#syncByteEstimate - this.#totalBytes),
        unit: "bytes",
      };
    }
    if (this.#streams.size === 0) return undefined;
    let total = 0;
    let left = 0;
    for (const c of this.#streams.values()) {
      if (c.done) {
        total += c.records;
        continue;
      }
      if (c.rowEstimate === undefined) return undefined;
      total += Math.max(c.rowEstimate, c.records);
      left += Math.max(0, c.rowEstimate - c.records);
    }
    return { total, left, unit: "rows" };
  }
}

function perSecond(amount: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (amount * 1000) / elapsedMs : 0;
}

// 0–100, never above 100 (connectors' estimates are estimates).
function percentOf(amount: number, total: number): number {
  return Math.min(100, (amount * 100) / total);
}

// Milliseconds to cover `left` at `ratePerSecond`; unknown without a rate or with nothing left.
function etaMs(left: number, ratePerSecond: number): number | undefined {
  return left > 0 && ratePerSecond > 0 ? (left * 1000) / ratePerSecond : undefined;
}

function validAmount(value: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}
