import assert from "node:assert/strict";
import { ProgressTracker } from "../../src/progress/progress_tracker.ts";
import type { ProgressEvent } from "../../src/progress/progress_event.ts";
import { registerSecret } from "../../src/secrets.ts";

function recorder(intervalMs: number) {
  const events: ProgressEvent[] = [];
  return { events, renderer: { intervalMs, render: (e: ProgressEvent) => void events.push(e) } };
}

function manualClock(start = 0) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

Deno.test("ProgressTracker emits start, stream_done and done with the right counts", () => {
  const clock = manualClock(1000);
  const { events, renderer } = recorder(100);
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-faker",
    renderer,
    clock: clock.read,
  });
  tracker.startStream("users");
  tracker.addRecords("users", 600, 60_000);
  tracker.addRecords("users", 400, 40_000);
  tracker.addRecords("products", 50, 5_000);
  clock.now = 3000;
  tracker.finishStream("users");
  tracker.finish();

  assert.deepEqual(events.map((e) => e.kind), ["start", "stream_done", "stream_done", "done"]);
  assert.deepEqual(events.map((e) => e.stream), [undefined, "users", "products", undefined]);
  const done = events.at(-1)!;
  assert.equal(done.job, "read");
  assert.equal(done.connector, "source-faker");
  assert.equal(done.totalRecords, 1050);
  assert.equal(done.totalBytes, 105_000);
  assert.equal(done.elapsedMs, 2000);
  assert.equal(done.recordsPerSecond, 525);
  assert.equal(done.mbPerSecond, 0.0525);
  assert.deepEqual(Object.keys(done.streams), ["users", "products"]);
  assert.deepEqual(done.streams.users, {
    records: 1000,
    bytes: 100_000,
    done: true,
    elapsedMs: 2000,
    recordsPerSecond: 500,
    mbPerSecond: 0.05,
  });
  assert.equal(done.totalConfirmed, undefined);
});

Deno.test("ProgressTracker throttles progress events to the renderer's interval", () => {
  const clock = manualClock();
  const { events, renderer } = recorder(100);
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", renderer, clock: clock.read });
  for (let t = 0; t <= 1000; t += 10) {
    clock.now = t;
    tracker.addRecords("s", 10, 100);
  }
  const progress = events.filter((e) => e.kind === "progress");
  assert.deepEqual(progress.map((e) => e.elapsedMs), [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  assert.equal(progress.at(-1)!.totalRecords, 1010);
  assert.equal(progress.at(-1)!.recordsPerSecond, 1010);
});

Deno.test("ProgressTracker counts destination-confirmed records on write jobs", () => {
  const clock = manualClock();
  const { events, renderer } = recorder(100);
  const tracker = new ProgressTracker({
    job: "write",
    connector: "destination-duckdb",
    renderer,
    clock: clock.read,
  });
  tracker.addRecords("users", 100, 1000);
  tracker.addConfirmed("users", 60);
  tracker.addRecords("orders", 10, 100);
  clock.now = 10;
  tracker.finish();
  const done = events.at(-1)!;
  assert.equal(done.job, "write");
  assert.equal(done.totalConfirmed, 60);
  assert.equal(done.streams.users.confirmed, 60);
  assert.equal(done.streams.orders.confirmed, 0);
  assert.equal(tracker.totalConfirmed, 60);
});

Deno.test("ProgressTracker reports a failure with its message masked and then stays silent", () => {
  registerSecret("s3cr3t-token");
  const { events, renderer } = recorder(0);
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", renderer, clock: () => 0 });
  tracker.addRecords("s", 1, 1);
  tracker.fail(new Error("401 for token s3cr3t-token"));
  tracker.addRecords("s", 1, 1);
  tracker.finish();
  tracker.fail(new Error("again"));
  assert.deepEqual(events.map((e) => e.kind), ["start", "progress", "failed"]);
  assert.equal(events.at(-1)!.error, "401 for token ****");
  assert.equal(tracker.totalRecords, 2);
});

Deno.test("ProgressTracker keeps the job's error when the renderer throws on failure", () => {
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-x",
    renderer: {
      intervalMs: 0,
      render: (e) => {
        if (e.kind === "failed") throw new Error("broken display");
      },
    },
  });
  tracker.start();
  tracker.fail(new Error("connector died"));
});

Deno.test("ProgressTracker without a renderer only counts", () => {
  let clockReads = 0;
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", clock: () => ++clockReads });
  tracker.start();
  const readsAfterStart = clockReads;
  for (let i = 0; i < 1000; i++) tracker.addRecords("s", 100, 1000);
  assert.equal(clockReads, readsAfterStart + 1, "only opening the stream reads the clock");
  assert.equal(tracker.totalRecords, 100_000);
  assert.equal(tracker.totalBytes, 1_000_000);
  assert.equal(tracker.recordsOf("s"), 100_000);
  assert.equal(tracker.recordsOf("unknown"), 0);
  tracker.finish();
  assert.equal(tracker.snapshot().streams.s.done, true);
});

Deno.test("ProgressTracker finish is idempotent and finishes each stream once", () => {
  const { events, renderer } = recorder(100);
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", renderer, clock: () => 0 });
  tracker.startStream("a");
  tracker.finishStream("a");
  tracker.finishStream("a");
  tracker.finish();
  tracker.finish();
  assert.deepEqual(events.map((e) => e.kind), ["start", "stream_done", "done"]);
  assert.equal(events[1].streams.a.records, 0);
});

Deno.test("ProgressTracker tick emits a heartbeat while no records arrive", () => {
  const clock = manualClock();
  const { events, renderer } = recorder(1000);
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", renderer, clock: clock.read });
  tracker.tick();
  clock.now = 999;
  tracker.tick();
  clock.now = 1000;
  tracker.tick();
  assert.deepEqual(events.map((e) => e.kind), ["start", "progress"]);
  assert.equal(events[1].elapsedMs, 1000);
});

Deno.test("ProgressTracker events are independent snapshots", () => {
  const { events, renderer } = recorder(0);
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", renderer, clock: () => 5 });
  tracker.addRecords("s", 1, 10);
  tracker.addRecords("s", 1, 10);
  const [first, second] = events.filter((e) => e.kind === "progress");
  assert.equal(first.streams.s.records, 1);
  assert.equal(second.streams.s.records, 2);
});

Deno.test("ProgressTracker reads the clock rarely when batches come fast and still emits on time", () => {
  let calls = 0;
  let clockReads = 0;
  const { events, renderer } = recorder(100);
  // Simulated time: each addRecords call takes 1 µs, so 1,000,000 calls span one second.
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-x",
    renderer,
    clock: () => (clockReads++, calls / 1000),
  });
  for (; calls < 1_000_000; calls++) tracker.addRecords("s", 1, 100);
  const progress = events.filter((e) => e.kind === "progress");
  assert.ok(clockReads <= 1_000_000 / 16 + 100, `${clockReads} clock reads for 1,000,000 calls`);
  assert.equal(progress.length, 9, progress.map((e) => e.elapsedMs).join(","));
  for (const [i, e] of progress.entries()) {
    const due = (i + 1) * 100;
    assert.ok(e.elapsedMs >= due && e.elapsedMs < due + 100 / 4, `event ${i} at ${e.elapsedMs} ms`);
  }
});

Deno.test("ProgressTracker catches up within a few calls when a fast burst turns into a trickle", () => {
  const clock = { now: 0 };
  const { events, renderer } = recorder(100);
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-x",
    renderer,
    clock: () => clock.now,
  });
  // A burst: 10,000 calls within 10 ms lets the tracker sample the clock less often.
  for (let i = 0; i < 10_000; i++) {
    clock.now = i / 1000;
    tracker.addRecords("s", 1, 10);
  }
  // Then one call per second: a progress event must follow within 16 calls.
  let calls = 0;
  const before = events.length;
  while (events.length === before) {
    clock.now += 1000;
    tracker.addRecords("s", 1, 10);
    calls++;
  }
  assert.ok(calls <= 16, `${calls} slow calls before the next event`);
});

// What the connector says: STREAM_STATUS and ESTIMATE traces.

const statusTrace = (name: string, status: "STARTED" | "RUNNING" | "COMPLETE" | "INCOMPLETE") => ({
  type: "STREAM_STATUS" as const,
  emitted_at: 0,
  stream_status: { stream_descriptor: { name }, status },
});
const estimateTrace = (
  name: string,
  estimate: { row_estimate?: number; byte_estimate?: number },
  type = "STREAM",
) => ({
  type: "ESTIMATE" as const,
  emitted_at: 0,
  estimate: { name, type: type as "STREAM" | "SYNC", ...estimate },
});

Deno.test("ProgressTracker marks a stream done on STREAM_STATUS COMPLETE and stops its rate there", () => {
  const clock = manualClock();
  const { events, renderer } = recorder(100);
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-faker",
    renderer,
    clock: clock.read,
  });
  tracker.startStream("products");
  tracker.startStream("users");
  tracker.addRecords("products", 100, 18_000);
  clock.now = 1000;
  tracker.onTrace(statusTrace("products", "COMPLETE"));
  const done = events.at(-1)!;
  assert.equal(done.kind, "stream_done");
  assert.equal(done.stream, "products");
  assert.equal(done.streams.products.done, true);
  assert.equal(done.streams.users.done, false);
  clock.now = 68_000;
  tracker.addRecords("users", 1000, 1000);
  const later = tracker.snapshot();
  assert.equal(later.streams.products.elapsedMs, 1000);
  assert.equal(later.streams.products.recordsPerSecond, 100);
  tracker.finish();
  assert.deepEqual(events.filter((e) => e.kind === "stream_done").map((e) => e.stream), [
    "products",
    "users",
  ]);
});

Deno.test("ProgressTracker starts a waiting stream's clock when the connector says STARTED", () => {
  const clock = manualClock();
  const tracker = new ProgressTracker({ job: "read", connector: "source-faker", clock: clock.read });
  tracker.startStream("users");
  tracker.startStream("purchases");
  assert.equal(tracker.snapshot().streams.purchases.waiting, true);
  clock.now = 70_000;
  tracker.onTrace(statusTrace("purchases", "STARTED"));
  clock.now = 72_000;
  tracker.addRecords("purchases", 2000, 0);
  const purchases = tracker.snapshot().streams.purchases;
  assert.equal(purchases.waiting, undefined);
  assert.equal(purchases.elapsedMs, 2000);
  assert.equal(purchases.recordsPerSecond, 1000);
});

Deno.test("ProgressTracker gives a stream's percent and ETA from its row estimate, else its byte estimate", () => {
  const clock = manualClock();
  const tracker = new ProgressTracker({ job: "read", connector: "source-faker", clock: clock.read });
  tracker.onTrace(statusTrace("users", "STARTED"));
  tracker.onTrace(estimateTrace("users", { row_estimate: 3000, byte_estimate: 1_350_000 }));
  tracker.onTrace(statusTrace("files", "STARTED"));
  tracker.onTrace(estimateTrace("files", { byte_estimate: 4_000_000 }));
  clock.now = 2000;
  tracker.addRecords("users", 1000, 999_999);
  tracker.addRecords("files", 10, 1_000_000);
  const { users, files } = tracker.snapshot().streams;
  assert.equal(users.rowEstimate, 3000);
  assert.equal(users.byteEstimate, 1_350_000);
  assert.ok(Math.abs(users.percent! - 100 / 3) < 1e-9, String(users.percent));
  assert.equal(users.etaMs, 4000); // 2,000 records left at 500 records/s
  assert.equal(files.percent, 25);
  assert.equal(files.etaMs, 6000); // 3 MB left at 0.5 MB/s
  tracker.onTrace(statusTrace("users", "COMPLETE"));
  const completed = tracker.snapshot().streams.users;
  assert.equal(completed.percent, 100);
  assert.equal(completed.etaMs, undefined);
});

Deno.test("ProgressTracker knows the job's percent once every unfinished stream has an estimate", () => {
  const clock = manualClock();
  const tracker = new ProgressTracker({ job: "read", connector: "source-faker", clock: clock.read });
  for (const name of ["products", "users", "purchases"]) tracker.startStream(name);
  tracker.onTrace(estimateTrace("products", { row_estimate: 100 }));
  tracker.addRecords("products", 100);
  tracker.onTrace(statusTrace("products", "COMPLETE"));
  tracker.onTrace(estimateTrace("users", { row_estimate: 1000 }));
  clock.now = 1000;
  tracker.addRecords("users", 400);
  assert.equal(tracker.snapshot().percent, undefined, "purchases has no estimate yet");
  tracker.onTrace(estimateTrace("purchases", { row_estimate: 500 }));
  const event = tracker.snapshot();
  // 100 done + 400 of 1,000 + 0 of 500: 500 of 1,600 records.
  assert.equal(event.percent, 31.25);
  assert.equal(event.etaMs, 2200); // 1,100 records left at 500 records/s
});

Deno.test("ProgressTracker takes the job's percent from a SYNC estimate", () => {
  const clock = manualClock();
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", clock: clock.read });
  tracker.onTrace(estimateTrace("sync", { row_estimate: 10_000 }, "SYNC"));
  clock.now = 1000;
  tracker.addRecords("a", 2500);
  const event = tracker.snapshot();
  assert.equal(event.percent, 25);
  assert.equal(event.etaMs, 3000);
  assert.equal(event.streams.a.percent, undefined);
});

Deno.test("ProgressTracker marks an INCOMPLETE stream done and incomplete, without claiming 100%", () => {
  const { events, renderer } = recorder(0);
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", renderer, clock: () => 0 });
  tracker.onTrace(estimateTrace("a", { row_estimate: 10 }));
  tracker.addRecords("a", 4);
  tracker.onTrace(statusTrace("a", "INCOMPLETE"));
  const a = events.at(-1)!.streams.a;
  assert.equal(a.done, true);
  assert.equal(a.incomplete, true);
  assert.equal(a.percent, 40);
});

Deno.test("ProgressTracker ignores traces it does not use, and malformed ones", () => {
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", clock: () => 0 });
  tracker.onTrace({ type: "ERROR", emitted_at: 0, error: { message: "boom" } });
  tracker.onTrace({ type: "ANALYTICS", emitted_at: 0, analytics: { type: "x", value: "1" } });
  tracker.onTrace(undefined);
  tracker.onTrace({ type: "STREAM_STATUS", emitted_at: 0 } as never);
  tracker.onTrace({
    type: "ESTIMATE",
    emitted_at: 0,
    estimate: { name: "a", type: "STREAM", row_estimate: -5 },
  });
  const event = tracker.snapshot();
  assert.equal(event.streams.a?.rowEstimate, undefined);
  assert.equal(event.percent, undefined);
});

Deno.test("ProgressTracker with a heartbeat keeps emitting while no records arrive, and stops when the job ends", async () => {
  let beats = 0;
  let twoBeats!: () => void;
  const beating = new Promise<void>((resolve) => (twoBeats = resolve));
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-x",
    renderer: {
      intervalMs: 10,
      render: (event) => {
        if (event.kind === "progress" && ++beats === 2) twoBeats();
      },
    },
    heartbeatMs: 10,
  });
  tracker.start();
  await beating; // no record was counted: the heartbeat alone moved the display
  tracker.finish();
  // Deno's test sanitizer fails this test if the heartbeat's timer were still running.
});
