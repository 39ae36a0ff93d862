// Progress driven by a real connector: airbyte-source-faker 7.2.1 sends STREAM_STATUS and
// ESTIMATE traces for each of its streams (products, users, purchases, one after another). Its
// messages go into a ProgressTracker exactly as a read loop hands them over (records counted,
// every TRACE body to `tracker.onTrace`), and the tty renderer's output is replayed on a terminal
// model after every write.
import assert from "node:assert/strict";
import { ProgressTracker } from "../../src/progress/progress_tracker.ts";
import { TtyRenderer } from "../../src/progress/tty_renderer.ts";
import type { ProgressEvent } from "../../src/progress/progress_event.ts";
import { faker } from "../_support.ts";
import { TerminalModel } from "./_terminal.ts";

const USERS = 2000;

Deno.test("Progress from source-faker's own traces shows per-stream completion, percent and ETA", async () => {
  const source = await faker({ count: USERS, seed: 1, parallelism: 1 });
  await source.discover();
  const catalog = source.getConfiguredCatalog({ streams: "*" });
  const terminal = new TerminalModel();
  const screens: string[][] = [];
  const events: ProgressEvent[] = [];
  const tty = new TtyRenderer((text) => {
    terminal.write(text);
    screens.push(terminal.lines);
  }, { columns: 160, intervalMs: 0 });
  const tracker = new ProgressTracker({
    job: "read",
    connector: source.name,
    renderer: { intervalMs: 0, render: (event) => (events.push(event), tty.render(event)) },
  });
  for (const configured of catalog.streams) tracker.startStream(configured.stream.name);
  const encoder = new TextEncoder();
  for await (const message of source.readMessages(catalog, undefined)) {
    if (message.type === "RECORD") {
      const record = message.record as { stream: string; data: unknown };
      tracker.addRecords(record.stream, 1, encoder.encode(JSON.stringify(record.data)).length);
    } else if (message.type === "TRACE") {
      tracker.onTrace(message.trace);
    }
  }
  tracker.finish();

  // Each stream is done when the connector says so, long before the job ends.
  const doneOrder = events.filter((e) => e.kind === "stream_done").map((e) => e.stream);
  assert.deepEqual(doneOrder, ["products", "users", "purchases"]);
  const doneAt = (stream: string) => events.findIndex((e) => e.kind === "stream_done" && e.stream === stream);
  assert.ok(
    doneAt("users") < events.findIndex((e) => e.streams.purchases?.records > 0),
    "users done before purchases' records",
  );

  const live = screens.filter((s) => /^. read source-faker: /.test(s[0] ?? ""));
  // While users runs: products counted done, users with a bar, its percent of faker's estimate and an ETA.
  const usersRunning = live.find((s) =>
    s[0].includes(", 1/3 streams done ") &&
    s.some((l) =>
      /^ {2}\[[█░]+\] users: [\d,]+ of ~2,000 records, \d+%, ETA \d+s \(.*\) elapsed [\d.]+s$/.test(l)
    )
  );
  assert.ok(
    usersRunning,
    "a frame with users' percent and ETA:\n" + live.slice(-5).map((s) => s.join("\n")).join("\n--\n"),
  );
  assert.ok(usersRunning.includes("  waiting: purchases"), usersRunning.join("\n"));
  // While purchases runs, every unfinished stream has an estimate: the header shows the job's percent and ETA.
  const purchasesRunning = live.find((s) =>
    /^. read source-faker: \d+%, ETA \d+s, [\d,]+ records, 2\/3 streams done /.test(s[0]) &&
    s.some((l) => /^ {2}\[[█░]+\] purchases: [\d,]+ of ~[\d,]+ records, \d+% /.test(l))
  );
  assert.ok(purchasesRunning, "a frame with the job's percent while purchases runs");

  // The summary that stays: one line per stream, each done, then the total.
  const summary = terminal.lines;
  assert.equal(summary.length, 4, summary.join("\n"));
  assert.match(summary[0], /^\[read source-faker\] products done: 100 records /);
  assert.match(
    summary[1],
    new RegExp(`^\\[read source-faker\\] users done: ${USERS.toLocaleString("en-US")} records `),
  );
  assert.match(summary[2], /^\[read source-faker\] purchases done: [\d,]+ records /);
  assert.match(summary[3], /^\[read source-faker\] finished: 3 streams, [\d,]+ records /);
});
