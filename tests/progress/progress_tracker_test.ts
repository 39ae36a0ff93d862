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
