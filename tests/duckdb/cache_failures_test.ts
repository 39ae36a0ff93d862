// Reads into one cache side by side, and what a cache does after errors the caller already caught:
// no unhandled rejection, no second error from close().
import assert from "node:assert/strict";
import { CacheError, DuckDBCache } from "../../mod.ts";
import { counter, ROOT, tempDir } from "../_support.ts";

Deno.test("two reads into one cache in one process (Promise.all) both succeed in their own transactions", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: `${dir.path}/both.duckdb` });
  const [a, b] = await Promise.all([
    (await counter({ count: 3000, state_every: 100 }, "source-a")).read({
      cache,
      streams: "*",
      progress: "none",
    }),
    (await counter({ count: 2000, state_every: 100 }, "source-b")).read({
      cache,
      streams: "*",
      progress: "none",
    }),
  ]);
  assert.equal(a.processedRecords, 3000);
  assert.equal(b.processedRecords, 2000);
  assert.equal(await a.get("numbers").count(), 3000);
  assert.equal(await b.get("numbers").count(), 2000);
  const stateA = await cache.getStateProvider("source-a");
  assert.deepEqual((stateA.getStreamState("numbers")!.stream as any).stream_state, { updated_at: 3000 });
});

Deno.test("two reads of the same source's stream in one process take turns and both land", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const results = await Promise.all(
    [1, 2].map(async () =>
      (await counter({ count: 500 })).read({ cache, streams: "*", writeStrategy: "merge", progress: "none" })
    ),
  );
  assert.deepEqual(results.map((r) => r.processedRecords), [500, 500]);
  const ids = await cache.sql("SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d FROM numbers");
  assert.deepEqual([ids.get(0)?.n, ids.get(0)?.d], [500, 500]);
});

/** Run a script in a fresh Deno process; its exit code and output. */
async function runScript(code: string, shell?: string): Promise<{ code: number; out: string }> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  const deno = `${JSON.stringify(Deno.execPath())} run -A --config ${
    JSON.stringify(`${ROOT}/deno.json`)
  } ${file}`;
  const out = await new Deno.Command("bash", {
    args: ["-c", shell ? `${shell}; exec ${deno}` : `exec ${deno}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, out: text };
}

Deno.test("a cache whose open fails rejects once: a caught error leaves no unhandled rejection behind", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/a-file`, "not a directory");
  const { code, out } = await runScript(`
    import { DuckDBCache, getSource } from "${ROOT}/mod.ts";
    const cache = new DuckDBCache({ path: "${dir.path}/a-file/cache.duckdb" });
    try {
      const source = await getSource("source-counter", {
        localExecutable: "${ROOT}/tests/fixtures/connectors/source_counter.py",
        config: { count: 10 },
      });
      await source.read({ cache, streams: "*", progress: "none" });
      console.log("read succeeded?!");
    } catch (error) {
      console.log("caught " + error.constructor.name);
    }
    await cache.close();
    // Give any stray rejection a chance to surface before exiting.
    await new Promise((r) => setTimeout(r, 200));
    console.log("still alive");
  `);
  assert.equal(code, 0, out);
  assert.match(out, /caught CacheError/);
  assert.match(out, /still alive/);
  assert.doesNotMatch(out, /Uncaught/);
});

Deno.test("after a failed write (a real file size limit), close() does not throw again and committed data survives", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/full.duckdb`;
  // prlimit caps this process's file size once a first table is committed: the next big write
  // fails in the kernel (EFBIG; SIGXFSZ ignored so the write fails instead of killing the process).
  const { code, out } = await runScript(
    `
    import { DuckDBCache } from "${ROOT}/mod.ts";
    const cache = new DuckDBCache({ path: "${path}" });
    await cache.sql("CREATE TABLE kept AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(20000)");
    const limit = new Deno.Command("prlimit", { args: ["--pid", String(Deno.pid), "--fsize=20000"] }).outputSync();
    if (limit.code !== 0) throw new Error("prlimit failed");
    try {
      await cache.sql("CREATE TABLE big AS SELECT range AS i, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS s FROM range(200000)");
      console.log("wrote it all?!");
    } catch (error) {
      console.log("caught " + error.constructor.name + ": " + String(error.message).slice(0, 160));
    }
    try {
      await cache.close();
      console.log("closed quietly");
    } catch (error) {
      console.log("close threw " + error.message);
    }
  `,
    "trap '' XFSZ",
  );
  assert.equal(code, 0, out);
  assert.match(out, /caught CacheError: .*File too large/, out);
  assert.match(out, /closed quietly/, out);
  await using reopened = new DuckDBCache({ path });
  assert.equal((await reopened.sql("SELECT count(*)::INTEGER AS n FROM kept")).get(0)?.n, 20000);
});

Deno.test("CacheError from a cache on a path inside a file says what to check", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/f`, "");
  const cache = new DuckDBCache({ path: `${dir.path}/f/c.duckdb` });
  const error = await cache.open().catch((e) => e);
  assert.ok(error instanceof CacheError, String(error));
  await cache.close();
});
