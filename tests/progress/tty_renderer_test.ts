import assert from "node:assert/strict";
import { TtyRenderer } from "../../src/progress/tty_renderer.ts";
import { ProgressTracker } from "../../src/progress/progress_tracker.ts";

function setup(options: { columns?: number; maxStreamLines?: number } = {}) {
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

/** Replay the writes on a tiny terminal model that understands \r, \n, ESC[nA, ESC[2K and ESC[0J. */
function screenOf(writes: string[]): string[] {
  const screen: string[] = [""];
  let row = 0;
  let col = 0;
  const text = writes.join("");
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\x1b") {
      const match = /^\[(\d*)([A-Za-z])/.exec(text.slice(i + 1))!;
      const n = Number(match[1] || "0");
      if (match[2] === "A") row = Math.max(0, row - n);
      else if (match[2] === "K" && n === 2) screen[row] = "";
      else if (match[2] === "J" && n === 0) {
        screen[row] = screen[row].slice(0, col);
        screen.length = row + 1;
      }
      i += match[0].length;
    } else if (ch === "\r") col = 0;
    else if (ch === "\n") {
      row++;
      col = 0;
      if (screen.length <= row) screen.push("");
    } else {
      const line = screen[row].padEnd(col);
      screen[row] = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  }
  return screen.filter((l, i) => l !== "" || i < screen.length - 1);
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
    /^. read source-faker: 1,010 records \(1,010 rec\/s, 0\.1 MB\/s\) elapsed 1\.0s \[0\/1 streams done\]$/,
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
  for (const name of ["a", "b", "c", "d"]) tracker.startStream(name);
  clock.now = 100;
  tracker.addRecords("a", 1, 1);
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
