import assert from "node:assert/strict";
import { PlainRenderer } from "../../src/progress/plain_renderer.ts";
import { ProgressTracker } from "../../src/progress/progress_tracker.ts";
import { registerSecret } from "../../src/secrets.ts";

function setup(intervalMs?: number) {
  const clock = { now: 0 };
  const output: string[] = [];
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-faker",
    renderer: new PlainRenderer((text) => output.push(text), { intervalMs }),
    clock: () => clock.now,
  });
  const lines = () => output.join("").split("\n").filter((l) => l !== "");
  return { clock, tracker, lines };
}

Deno.test("PlainRenderer prints a start line, stream lines and a summary", () => {
  const { clock, tracker, lines } = setup();
  tracker.startStream("users");
  clock.now = 81;
  tracker.addRecords("users", 1000, 259_200);
  tracker.finishStream("users");
  tracker.finish();
  assert.deepEqual(lines(), [
    "[read source-faker] started",
    "[read source-faker] users done: 1,000 records (12,346 rec/s, 3.2 MB/s) elapsed 0.1s",
    "[read source-faker] finished: 1 stream, 1,000 records (12,346 rec/s, 3.2 MB/s) elapsed 0.1s",
  ]);
});

Deno.test("PlainRenderer prints running streams every interval (5 s by default)", () => {
  const { clock, tracker, lines } = setup();
  tracker.startStream("users");
  tracker.startStream("orders");
  for (let second = 1; second <= 12; second++) {
    clock.now = second * 1000;
    tracker.addRecords("users", 100, 10_000);
    if (second === 3) tracker.finishStream("orders");
  }
  const progress = lines().filter((l) => l.includes("users:"));
  assert.deepEqual(progress, [
    "[read source-faker] users: 500 records (100 rec/s, 0.0 MB/s) elapsed 5.0s",
    "[read source-faker] users: 1,000 records (100 rec/s, 0.0 MB/s) elapsed 10.0s",
  ]);
  assert.ok(lines().includes("[read source-faker] orders done: 0 records (0 rec/s, 0.0 MB/s) elapsed 3.0s"));
});

Deno.test("PlainRenderer honours a custom interval and reports waiting before any record", () => {
  const { clock, tracker, lines } = setup(1000);
  tracker.start();
  clock.now = 1000;
  tracker.tick();
  assert.deepEqual(lines(), [
    "[read source-faker] started",
    "[read source-faker] waiting for records, elapsed 1.0s",
  ]);
});

Deno.test("PlainRenderer reports a failure without repeating the error, which the caller reports", () => {
  registerSecret("hunter2-password");
  const { clock, tracker, lines } = setup();
  tracker.addRecords("users", 5, 50);
  clock.now = 65_000;
  tracker.fail(new Error("login failed for hunter2-password"));
  assert.equal(lines().at(-1), "[read source-faker] failed after 1m05s (1 stream, 5 records)");
  assert.ok(!lines().join("\n").includes("hunter2"));
});

Deno.test("PlainRenderer masks secrets in stream names too", () => {
  registerSecret("tok-abcdef");
  const { tracker, lines } = setup();
  tracker.addRecords("stream_tok-abcdef", 1, 1);
  tracker.finish();
  assert.ok(lines().every((l) => !l.includes("tok-abcdef")));
  assert.ok(lines().some((l) => l.includes("stream_****")));
});

Deno.test("PlainRenderer shows confirmed counts on write jobs", () => {
  const output: string[] = [];
  const tracker = new ProgressTracker({
    job: "write",
    connector: "destination-duckdb",
    renderer: new PlainRenderer((text) => output.push(text)),
    clock: () => 2000,
  });
  tracker.addRecords("users", 10, 100);
  tracker.addConfirmed("users", 10);
  tracker.finish();
  assert.match(output.join(""), /\[write destination-duckdb\] users done: 10 records, 10 confirmed/);
  assert.match(output.join(""), /finished: 1 stream, 10 records, 10 confirmed/);
});

Deno.test("PlainRenderer shows percent and ETA while a stream runs, and its end when the connector says COMPLETE", () => {
  const { clock, tracker, lines } = setup(1000);
  tracker.startStream("users");
  tracker.onTrace({
    type: "ESTIMATE",
    emitted_at: 0,
    estimate: { name: "users", type: "STREAM", row_estimate: 3000 },
  });
  clock.now = 1000;
  tracker.addRecords("users", 1500, 150_000);
  clock.now = 2000;
  tracker.addRecords("users", 1500, 150_000);
  tracker.onTrace({
    type: "STREAM_STATUS",
    emitted_at: 0,
    stream_status: { stream_descriptor: { name: "users" }, status: "COMPLETE" },
  });
  assert.deepEqual(lines().slice(1), [
    "[read source-faker] users: 1,500 of ~3,000 records, 50%, ETA 1s (1,500 rec/s, 0.1 MB/s) elapsed 1.0s",
    // At the estimate but not yet complete: not 100%.
    "[read source-faker] users: 3,000 of ~3,000 records, 99% (1,500 rec/s, 0.1 MB/s) elapsed 2.0s",
    "[read source-faker] users done: 3,000 records (1,500 rec/s, 0.1 MB/s) elapsed 2.0s",
  ]);
});
