import assert from "node:assert/strict";
import { TtyRenderer } from "../../src/progress/tty_renderer.ts";
import { ProgressTracker } from "../../src/progress/progress_tracker.ts";
import { printAboveProgress } from "../../src/progress/print_above_progress.ts";
import { screenOf } from "./_terminal.ts";

function setup(options: { columns?: number | (() => number | undefined); maxStreamLines?: number } = {}) {
  const clock = { now: 0 };
  const writes: string[] = [];
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-faker",
    renderer: new TtyRenderer((text) => writes.push(text), options),
    clock: () => clock.now,
  });
  return { clock, tracker, writes };
}

Deno.test("TtyRenderer redraws in place with carriage returns at most every 100 ms", () => {
  const { clock, tracker, writes } = setup();
  tracker.startStream("users");
  for (let t = 0; t <= 1000; t += 10) {
    clock.now = t;
    tracker.addRecords("users", 10, 1000);
  }
  // One draw at start, then one per 100 ms of the 1000 ms.
  assert.equal(writes.length, 11);
  // The start draw has only the header line; every later draw moves up over the previous one.
  assert.ok(writes[1].startsWith("\x1b[1A\r\x1b[2K"), JSON.stringify(writes[1]));
  for (const write of writes.slice(2)) {
    assert.ok(write.startsWith("\x1b[2A\r\x1b[2K"), JSON.stringify(write));
  }
  const screen = screenOf(writes);
  assert.equal(screen.length, 2);
  assert.match(
    screen[0],
    /^. read source-faker: 1,010 records, 0\/1 streams done \(1,010 rec\/s, 0\.1 MB\/s\) elapsed 1\.0s$/,
  );
  assert.equal(screen[1], "  users: 1,010 records (1,010 rec/s, 0.1 MB/s) elapsed 1.0s");
});

Deno.test("TtyRenderer clears the live display and leaves a summary at the end", () => {
  const { clock, tracker, writes } = setup();
  tracker.startStream("users");
  tracker.startStream("orders");
  clock.now = 500;
  tracker.addRecords("users", 1000, 2_000_000);
  tracker.addRecords("orders", 10, 100);
  clock.now = 1000;
  tracker.finish();
  assert.deepEqual(screenOf(writes), [
    "[read source-faker] users done: 1,000 records (1,000 rec/s, 2.0 MB/s) elapsed 1.0s",
    "[read source-faker] orders done: 10 records (10 rec/s, 0.0 MB/s) elapsed 1.0s",
    "[read source-faker] finished: 2 streams, 1,010 records (1,010 rec/s, 2.0 MB/s) elapsed 1.0s",
  ]);
});

Deno.test("TtyRenderer cuts long lines to the terminal width and folds extra streams", () => {
  const { clock, tracker, writes } = setup({ columns: 40, maxStreamLines: 2 });
  for (const name of ["a", "b", "c", "d"]) tracker.addRecords(name, 1, 1);
  clock.now = 100;
  tracker.tick();
  const screen = screenOf(writes);
  assert.equal(screen.length, 4);
  assert.ok(screen.every((line) => line.length <= 39), JSON.stringify(screen));
  assert.equal(screen[3], "  … and 2 more streams running");
});

Deno.test("TtyRenderer ends a failed job with the failure line only", () => {
  const { clock, tracker, writes } = setup();
  tracker.addRecords("users", 3, 30);
  clock.now = 200;
  tracker.fail(new Error("boom"));
  assert.deepEqual(screenOf(writes), ["[read source-faker] failed after 0.2s (1 stream, 3 records)"]);
});

Deno.test("TtyRenderer throttles redraws for a burst of finished streams", () => {
  const { clock, tracker, writes } = setup();
  tracker.start();
  clock.now = 1000;
  for (let i = 0; i < 50; i++) {
    tracker.startStream(`s${i}`);
    tracker.finishStream(`s${i}`);
  }
  // start draw, one progress draw at 1000 ms, and at most one stream_done draw in the same instant.
  assert.ok(writes.length <= 3, `${writes.length} writes`);
});

// What connectors say about their streams (STREAM_STATUS, ESTIMATE) on the live display.

const status = (name: string, s: "STARTED" | "RUNNING" | "COMPLETE" | "INCOMPLETE") => ({
  type: "STREAM_STATUS" as const,
  emitted_at: 0,
  stream_status: { stream_descriptor: { name }, status: s },
});
const estimate = (name: string, rows: number) => ({
  type: "ESTIMATE" as const,
  emitted_at: 0,
  estimate: { name, type: "STREAM" as const, row_estimate: rows },
});

Deno.test("TtyRenderer shows a stream's percent, ETA and a bar that fills the terminal width", () => {
  for (const columns of [120, 200]) {
    const { clock, tracker, writes } = setup({ columns });
    tracker.onTrace(status("users", "STARTED"));
    tracker.onTrace(estimate("users", 3000));
    clock.now = 1000;
    tracker.addRecords("users", 1200, 120_000);
    const [header, line] = screenOf(writes);
    assert.equal(
      header.slice(2),
      "read source-faker: 40%, ETA 2s, 1,200 records, 0/1 streams done (1,200 rec/s, 0.1 MB/s) elapsed 1.0s",
    );
    const text = "users: 1,200 of ~3,000 records, 40%, ETA 2s (1,200 rec/s, 0.1 MB/s) elapsed 1.0s";
    const match = /^ {2}\[(█*)(░*)\] (.*)$/.exec(line);
    assert.ok(match, line);
    assert.equal(match[3], text);
    const width = match[1].length + match[2].length;
    assert.equal(width, Math.min(40, columns - 6 - text.length), `bar width at ${columns} columns`);
    assert.equal(match[1].length, Math.round(width * 0.4));
    assert.ok(line.length < columns);
  }
});

Deno.test("TtyRenderer follows a resized terminal at the next redraw", () => {
  let columns: number | undefined = 60;
  const { clock, tracker, writes } = setup({ columns: () => columns });
  tracker.startStream("a_stream_with_a_long_name");
  clock.now = 100;
  tracker.addRecords("a_stream_with_a_long_name", 5, 5);
  assert.ok(screenOf(writes).every((l) => l.length <= 59));
  columns = undefined; // unknown: the default width, 100
  clock.now = 200;
  tracker.addRecords("a_stream_with_a_long_name", 5, 5);
  const screen = screenOf(writes);
  assert.ok(screen.some((l) => l.length > 60 && l.length < 100), JSON.stringify(screen));
});

Deno.test("TtyRenderer marks a stream done when the connector says COMPLETE, and lists waiting streams", () => {
  const { clock, tracker, writes } = setup();
  for (const name of ["products", "users", "purchases"]) tracker.startStream(name);
  tracker.onTrace(status("products", "STARTED"));
  tracker.addRecords("products", 100, 1000);
  clock.now = 100;
  tracker.onTrace(status("products", "COMPLETE"));
  tracker.onTrace(status("users", "STARTED"));
  clock.now = 200;
  tracker.addRecords("users", 10, 100);
  tracker.tick();
  const screen = screenOf(writes);
  assert.match(screen[0], /, 1\/3 streams done /);
  assert.equal(screen[1], "  users: 10 records (100 rec/s, 0.0 MB/s) elapsed 0.1s");
  assert.equal(screen[2], "  waiting: purchases");
  assert.equal(screen.length, 3);
  clock.now = 60_000;
  tracker.finish();
  // products' rate stopped when it completed, not when the job ended a minute later.
  assert.equal(
    screenOf(writes)[0],
    "[read source-faker] products done: 100 records (1,000 rec/s, 0.0 MB/s) elapsed 0.1s",
  );
});

Deno.test("printAboveProgress keeps a notice above the live display through redraws and the end", () => {
  const { clock, tracker, writes } = setup();
  tracker.startStream("users");
  clock.now = 100;
  tracker.addRecords("users", 10, 100);
  printAboveProgress("\nInterrupted: stopping the connector (Ctrl-C again to quit at once)...\n", () => {
    throw new Error("the live display should take the notice");
  });
  for (let t = 200; t <= 1000; t += 100) {
    clock.now = t;
    tracker.addRecords("users", 10, 100);
  }
  const live = screenOf(writes);
  assert.deepEqual(live.slice(0, 2), [
    "",
    "Interrupted: stopping the connector (Ctrl-C again to quit at once)...",
  ]);
  assert.match(live[2], /^. read source-faker: 100 records/);
  tracker.fail(new Error("Interrupted by Ctrl-C."));
  assert.deepEqual(screenOf(writes), [
    "",
    "Interrupted: stopping the connector (Ctrl-C again to quit at once)...",
    "[read source-faker] failed after 1.0s (1 stream, 100 records)",
  ]);
  // With the display gone, messages go to the fallback writer.
  let fallback = "";
  printAboveProgress("later\n", (text) => (fallback += text));
  assert.equal(fallback, "later\n");
});
