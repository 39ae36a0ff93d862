// Reads killed with SIGKILL at moments chosen from their own progress: during start-up, and once
// the read has reported a given number of records (every record past 5,500 means a checkpoint has
// committed: a STATE comes every 500 records and commits once 5,000 rows are staged, before the
// next record is taken). Every time, a new process finds data and state in agreement, and a rerun
// completes. No wall-clock luck: on a slow machine the kills land at the same points of the read.
// Real connector (the counter fixture), real DuckDB-WASM file.
import assert from "node:assert/strict";
import { fixture, ROOT, tempDir } from "../_support.ts";

const TOTAL = 600_000;

function childScript(mod: string, path: string, counter: string, strategy: string): string {
  return `import { DuckDBCache, getSource } from "${mod}";
const source = await getSource("source-counter", { localExecutable: "${counter}", config: { count: ${TOTAL}, state_every: 500 } });
const cache = new DuckDBCache({ path: ${JSON.stringify(path)} });
console.log(JSON.stringify({ records: -1 }));
// Progress events (every 100 ms at most) tell the test how far the read got.
const progress = (e) => { if (e.kind === "progress") console.log(JSON.stringify({ records: e.totalRecords })); };
await source.read({ cache, streams: ["numbers"], progress, checkpointRows: 5000, writeStrategy: "${strategy}" });
await cache.close();
console.log("done");`;
}

function verifyScript(mod: string, path: string): string {
  return `import { DuckDBCache } from "${mod}";
const cache = new DuckDBCache({ path: ${JSON.stringify(path)} });
const state = (await cache.getStateProvider("source-counter")).getStreamState("numbers");
const tables = await cache.streams;
let rows = 0, distinct = 0, max = 0;
if (tables.includes("numbers")) {
  const t = await cache.sql("SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, coalesce(max(id), 0)::INTEGER AS m FROM numbers");
  rows = t.get(0).n; distinct = t.get(0).d; max = t.get(0).m;
}
console.log(JSON.stringify({ cursor: state ? state.stream.stream_state.updated_at : 0, rows, distinct, max }));
await cache.close();`;
}

function runDeno(script: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}/deno.json`, script],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function verify(script: string) {
  const child = await runDeno(script);
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

/** Resolves with the first progress line whose record count reaches `records` (-1: start-up), or at the end. */
async function progressReaches(stdout: ReadableStream<Uint8Array>, records: number): Promise<boolean> {
  const reader = stdout.pipeThrough(new TextDecoderStream() as TransformStream<Uint8Array, string>)
    .getReader();
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      pending += value;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("{") && JSON.parse(line).records >= records) return true;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Kill one read per kill point (records reported by the read; -1 is during start-up, before any
 * record), check agreement after each, then finish the read.
 */
async function crashRounds(strategy: string, killPoints: number[]) {
  await using dir = await tempDir();
  const mod = `${ROOT}/mod.ts`;
  const path = `${dir.path}/crash.duckdb`;
  const read = `${dir.path}/read.ts`;
  const check = `${dir.path}/verify.ts`;
  await Deno.writeTextFile(read, childScript(mod, path, fixture("source_counter.py"), strategy));
  await Deno.writeTextFile(check, verifyScript(mod, path));
  let progressed = 0;
  let cursor = 0;
  for (const [round, killAt] of killPoints.entries()) {
    const child = runDeno(read);
    const reached = await progressReaches(child.stdout, killAt);
    let killed = reached;
    if (reached) {
      try {
        child.kill("SIGKILL");
      } catch {
        killed = false; // the process had ended already: it must have ended well
      }
    }
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    if (!killed) assert.equal(status.code, 0, `round ${round}: the read failed:\n${stderr}`);
    const seen = await verify(check);
    assert.equal(
      seen.rows,
      seen.cursor,
      `round ${round}: rows ${seen.rows} vs committed cursor ${seen.cursor}`,
    );
    assert.equal(seen.distinct, seen.rows, `round ${round}: duplicates`);
    assert.equal(seen.max, seen.cursor, `round ${round}: max id vs cursor`);
    // Past 5,500 records a checkpoint has committed before the kill.
    if (killAt > 5_500) {
      assert.ok(
        seen.cursor > cursor,
        `round ${round}: killed after ${killAt} records, yet nothing new committed`,
      );
    }
    if (seen.cursor > cursor) progressed++;
    cursor = seen.cursor;
  }
  assert.ok(progressed > 0, "at least one killed read committed something");
  const out = await runDeno(read).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const seen = await verify(check);
  assert.deepEqual(seen, { cursor: TOTAL, rows: TOTAL, distinct: TOTAL, max: TOTAL });
}

Deno.test("a read killed with SIGKILL during start-up and after 6k-120k records leaves data and state in agreement", async () => {
  await crashRounds("merge", [-1, 6_000, 30_000, 0, 120_000, 12_000]);
});

// Once the table exists, appended rows go straight into it (no staging table) and must commit
// only with their state.
Deno.test("an append read killed with SIGKILL during start-up and after 6k-120k records leaves data and state in agreement", async () => {
  await crashRounds("append", [-1, 6_000, 60_000, 0, 120_000]);
});
