// Reads killed with SIGKILL at random moments: every time, a new process finds data and state in
// agreement, and a rerun completes. Real connector (the counter fixture), real DuckDB-WASM file.
import assert from "node:assert/strict";
import { fixture, ROOT, sleep, tempDir } from "../_support.ts";

const TOTAL = 600_000;

function childScript(mod: string, path: string, counter: string, strategy: string): string {
  return `import { DuckDBCache, getSource } from "${mod}";
const source = await getSource("source-counter", { localExecutable: "${counter}", config: { count: ${TOTAL}, state_every: 500 } });
const cache = new DuckDBCache({ path: ${JSON.stringify(path)} });
console.log("reading");
await source.read({ cache, streams: ["numbers"], progress: "none", checkpointRows: 5000, writeStrategy: "${strategy}" });
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

/** Kill `rounds` reads at random moments, check agreement after each, then finish the read. */
async function crashRounds(strategy: string, rounds: number) {
  await using dir = await tempDir();
  const mod = `${ROOT}/mod.ts`;
  const path = `${dir.path}/crash.duckdb`;
  const read = `${dir.path}/read.ts`;
  const check = `${dir.path}/verify.ts`;
  await Deno.writeTextFile(read, childScript(mod, path, fixture("source_counter.py"), strategy));
  await Deno.writeTextFile(check, verifyScript(mod, path));
  let progressed = 0;
  for (let round = 0; round < rounds; round++) {
    const child = await runDeno(read);
    // Random moments across start-up, ingestion and commits.
    await sleep(1000 + Math.floor(Math.random() * 4000));
    let killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      killed = false; // the process had ended already: it must have ended well
    }
    const out = await child.output();
    if (!killed) {
      assert.equal(out.code, 0, `round ${round}: the read failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    const seen = await verify(check);
    assert.equal(
      seen.rows,
      seen.cursor,
      `round ${round}: rows ${seen.rows} vs committed cursor ${seen.cursor}`,
    );
    assert.equal(seen.distinct, seen.rows, `round ${round}: duplicates`);
    assert.equal(seen.max, seen.cursor, `round ${round}: max id vs cursor`);
    if (seen.cursor > 0) progressed++;
  }
  assert.ok(progressed > 0, "at least one killed read committed something");
  const final = await runDeno(read);
  const out = await final.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const seen = await verify(check);
  assert.deepEqual(seen, { cursor: TOTAL, rows: TOTAL, distinct: TOTAL, max: TOTAL });
}

Deno.test("a read killed with SIGKILL at random moments leaves data and state in agreement", async () => {
  await crashRounds("merge", 6);
});

// Once the table exists, appended rows go straight into it (no staging table) and must commit
// only with their state.
Deno.test("an append read killed with SIGKILL at random moments leaves data and state in agreement", async () => {
  await crashRounds("append", 5);
});
