/**
 * Counts records per stream for one read or write job and turns the counts into
 * {@linkcode ProgressEvent}s for a renderer.
 *
 * @module
 */
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
  job: ProgressJob;
  /** The connector's name, e.g. `source-faker`. */
  connector: string;
  /** Where events go; without one the tracker only counts. */
  renderer?: ProgressRenderer;
  /** Monotonic milliseconds. @default () => performance.now() */
  clock?: Clock;
}

// Mutable counters for one stream; plain numbers so the hot path allocates nothing.
class StreamCounter {
  records = 0;
  bytes = 0;
  confirmed = 0;
  done = false;
  endedAt = 0;
  constructor(readonly startedAt: number) {}
}

const defaultClock: Clock = () => performance.now();
const MAX_STRIDE = 16;

/**
 * Tracks one job. Call {@linkcode ProgressTracker.addRecords} once per *batch*: it adds to a few
 * counters, reads the clock at most once (less often when calls come fast), and builds an event
 * only when the renderer's interval has passed. Every method may be called before {@linkcode ProgressTracker.start}; the first call
 * starts the job. After `finish()` or `fail()` no further events are emitted.
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
  #state: "idle" | "running" | "ended" = "idle";
  #startedAt = 0;
  #endedAt = 0;
  #nextProgressAt = Infinity;
  // Adaptive clock sampling: read the clock once every #stride calls, so that even a caller that
  // counts record by record pays a decrement, not a clock read. See #sampleClock.
  #stride = 1;
  #countdown = 1;
  #lastSampleAt = 0;

  constructor(options: ProgressTrackerOptions) {
    this.#job = options.job;
    this.#connector = options.connector;
    this.#renderer = options.renderer;
    this.#clock = options.clock ?? defaultClock;
    this.#intervalMs = Math.max(0, options.renderer?.intervalMs ?? 0);
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
  }

  /** Register a stream so that it shows up (with zero records) before its first batch. */
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
    counter.records += count;
    counter.bytes += bytes;
    this.#totalRecords += count;
    this.#totalBytes += bytes;
    if (this.#renderer !== undefined && --this.#countdown <= 0) this.#sampleClock();
  }

  /** Count `count` records of `stream` that the destination confirmed as durable. */
  addConfirmed(stream: string, count: number): void {
    const counter = this.#streams.get(stream) ?? this.#openStream(stream);
    counter.confirmed += count;
    this.#totalConfirmed += count;
    this.#hasConfirmed = true;
    if (this.#renderer !== undefined && --this.#countdown <= 0) this.#sampleClock();
  }

  /** Emit a `progress` event if the interval has passed; for callers that want a heartbeat while no records arrive. */
  tick(): void {
    if (this.#state === "idle") this.start();
    if (this.#renderer !== undefined && this.#clock() >= this.#nextProgressAt) this.#emitProgress();
  }

  /** Mark a stream finished and emit `stream_done` (once per stream). */
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
    for (const [name, c] of this.#streams) {
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
      streams[name] = progress;
    }
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
    if (error !== undefined) event.error = error;
    return event;
  }
}

function perSecond(amount: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (amount * 1000) / elapsedMs : 0;
}
