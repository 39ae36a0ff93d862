import assert from "node:assert/strict";
import { resolveProgress } from "../../src/progress/resolve_progress.ts";
import { PlainRenderer } from "../../src/progress/plain_renderer.ts";
import { TtyRenderer } from "../../src/progress/tty_renderer.ts";
import { ProgressTracker } from "../../src/progress/progress_tracker.ts";
import type { ProgressEvent } from "../../src/progress/progress_event.ts";
import { InvalidArgumentError } from "../../src/errors.ts";

const noEnv = () => undefined;
const envWith = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("resolveProgress auto picks tty on a terminal outside CI", () => {
  const renderer = resolveProgress("auto", { sink: () => {}, isTerminal: true, env: noEnv });
  assert.ok(renderer instanceof TtyRenderer);
  assert.ok(
    resolveProgress(undefined, { sink: () => {}, isTerminal: true, env: noEnv }) instanceof TtyRenderer,
  );
  assert.ok(
    resolveProgress("auto", { sink: () => {}, isTerminal: true, env: envWith({ CI: "false" }) }) instanceof
      TtyRenderer,
  );
});

Deno.test("resolveProgress auto picks plain lines when not a terminal, under CI or on a dumb terminal", () => {
  for (
    const context of [
      { isTerminal: false, env: noEnv },
      { isTerminal: true, env: envWith({ CI: "true" }) },
      { isTerminal: true, env: envWith({ CI: "1" }) },
      { isTerminal: true, env: envWith({ TERM: "dumb" }) },
    ]
  ) {
    assert.ok(resolveProgress("auto", { sink: () => {}, ...context }) instanceof PlainRenderer);
  }
});

Deno.test("resolveProgress none prints nothing", () => {
  const output: string[] = [];
  const renderer = resolveProgress("none", { sink: (t) => output.push(t), isTerminal: true, env: noEnv });
  assert.equal(renderer, undefined);
  const tracker = new ProgressTracker({ job: "read", connector: "source-x", renderer });
  tracker.addRecords("s", 10, 10);
  tracker.finish();
  assert.deepEqual(output, []);
  assert.equal(tracker.totalRecords, 10);
});

Deno.test("resolveProgress forced tty and plain ignore the terminal flag", () => {
  assert.ok(resolveProgress("tty", { sink: () => {}, isTerminal: false, env: noEnv }) instanceof TtyRenderer);
  assert.ok(
    resolveProgress("plain", { sink: () => {}, isTerminal: true, env: noEnv }) instanceof PlainRenderer,
  );
});

Deno.test("resolveProgress callback gets throttled progress plus every start and done event", () => {
  const events: ProgressEvent[] = [];
  const clock = { now: 0 };
  const renderer = resolveProgress((e) => events.push(e), { sink: () => {}, isTerminal: false, env: noEnv });
  const tracker = new ProgressTracker({
    job: "read",
    connector: "source-x",
    renderer,
    clock: () => clock.now,
  });
  for (let t = 0; t < 1000; t += 1) {
    clock.now = t;
    tracker.addRecords("s", 1, 100);
  }
  tracker.finish();
  const kinds = events.map((e) => e.kind);
  assert.equal(kinds[0], "start");
  assert.deepEqual(kinds.slice(-2), ["stream_done", "done"]);
  assert.equal(kinds.filter((k) => k === "progress").length, 9);
  assert.equal(events.at(-1)!.totalRecords, 1000);
});

Deno.test("resolveProgress rejects an unknown option with InvalidArgumentError", () => {
  assert.throws(
    () => resolveProgress("fancy" as never, { sink: () => {}, isTerminal: false, env: noEnv }),
    (e) => e instanceof InvalidArgumentError && /'fancy'/.test(e.message),
  );
});
