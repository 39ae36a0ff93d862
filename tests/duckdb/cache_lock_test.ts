// One writer per cache file across processes: real processes on one file. The moments are chosen
// from what the processes do (the lock file exists, a line was printed), never from sleeps.
import assert from "node:assert/strict";
import { CacheLockedError, DuckDBCache } from "../../mod.ts";
import { fixture, ROOT, tempDir } from "../_support.ts";

const MOD = `${ROOT}/mod.ts`;

/** A child Deno process running `code`; its stdout lines as they come. */
function child(code: string) {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}/deno.json`, "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = process.stdin.getWriter();
  void writer.write(new TextEncoder().encode(code)).then(() => writer.close());
  const lines = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    process,
    /** The next stdout line (waits for it). */
    async line(): Promise<string> {
      for (;;) {
        const at = buffered.indexOf("\n");
        if (at >= 0) {
          const line = buffered.slice(0, at);
          buffered = buffered.slice(at + 1);
          return line;
        }
        const { value, done } = await lines.read();
        if (done) throw new Error(`the child ended before printing a line: ${buffered}`);
        buffered += value;
      }
    },
    async finish(): Promise<number> {
      await lines.cancel().catch(() => {});
      return (await process.status).code;
    },
  };
}

Deno.test("a second process opening a cache file another holds gets CacheLockedError naming the holder's pid", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/shared.duckdb`;
  // The holder opens the cache, says so, and waits for a line on stdin... which never comes until killed.
  const holder = child(`
    import { DuckDBCache } from "${MOD}";
    const cache = new DuckDBCache({ path: ${JSON.stringify(path)} });
    await cache.sql("CREATE TABLE held AS SELECT 1 AS x");
    console.log("open " + Deno.pid);
    await new Promise(() => {});
  `);
  const [, pid] = (await holder.line()).split(" ");
  try {
    const second = new DuckDBCache({ path });
    const error = await second.open().catch((e) => e);
    assert.ok(error instanceof CacheLockedError, String(error));
    assert.equal(error.holder.pid, Number(pid));
    assert.match(error.message, new RegExp(`process ${pid}`));
    assert.match(error.guidance ?? "", /lockTimeoutMs/);
    await second.close();
  } finally {
    holder.process.kill("SIGKILL");
    await holder.finish();
  }
  // The holder died without letting go: its lock is stale and is taken over; its work is there.
  await using after = new DuckDBCache({ path });
  assert.equal((await after.sql("SELECT count(*)::INTEGER AS n FROM held")).get(0)?.n, 1);
});

Deno.test("a cache waits for another process's lock with lockTimeoutMs and says whom it waits for", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/shared.duckdb`;
  const holder = child(`
    import { DuckDBCache } from "${MOD}";
    const cache = new DuckDBCache({ path: ${JSON.stringify(path)} });
    await cache.open();
    console.log("open");
    // Let go when the parent says so (a line on stdin ends... stdin was closed: wait for a file).
    while (!(await Deno.stat(${JSON.stringify(`${path}.go`)}).then(() => true, () => false))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await cache.close();
    console.log("closed");
  `);
  assert.equal(await holder.line(), "open");
  const waitedFor: number[] = [];
  const waiting = new DuckDBCache({
    path,
    lockTimeoutMs: 600_000,
    onLockWait: (h) => {
      waitedFor.push(h.pid);
      Deno.writeTextFileSync(`${path}.go`, "");
    },
  });
  await waiting.open(); // resolves once the holder has closed
  assert.equal(waitedFor.length, 1);
  assert.equal(waitedFor[0], holder.process.pid);
  assert.equal(await holder.line(), "closed");
  await waiting.close();
  assert.equal(await holder.finish(), 0);
});

Deno.test("two CLI reads into one cache file at once: the second is refused clearly and the file stays sound", async () => {
  await using dir = await tempDir();
  const cache = `${dir.path}/cli.duckdb`;
  const config = `${dir.path}/counter.json`;
  await Deno.writeTextFile(config, JSON.stringify({ count: 20000, state_every: 1000 }));
  const cli = (name: string) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}/src/cli/main.ts`,
        "read",
        name,
        "--executable",
        fixture("source_counter.py"),
        "--config",
        config,
        "--cache",
        cache,
        "--progress",
        "none",
      ],
      stdout: "piped",
      stderr: "piped",
    });
  const first = cli("source-counter").spawn();
  // Wait until the first read holds the file (its lock file exists), then start the second.
  while (!(await Deno.stat(`${cache}.lock`).then(() => true, () => false))) {
    const done = await Promise.race([first.status.then(() => true), new Promise((r) => setTimeout(r, 20))]);
    if (done) break;
  }
  const second = await cli("source-counter-two").output();
  const firstOut = await first.output();
  assert.equal(firstOut.code, 0, new TextDecoder().decode(firstOut.stderr));
  const stderr = new TextDecoder().decode(second.stderr);
  if (second.code !== 0) {
    assert.match(stderr, /process \d+/, stderr);
    assert.equal(stderr.split("\n").filter((l) => l.includes("has held it")).length, 1, "printed once");
  }
  // Whatever the order, the file opens and holds every committed row of the reads that succeeded.
  await using check = new DuckDBCache({ path: cache });
  const tables = await check.listStreamTables();
  const expected = second.code === 0 ? 2 : 1;
  assert.equal(tables.length, expected);
  for (const t of tables) {
    assert.equal((await check.sql(`SELECT count(*)::INTEGER AS n FROM "${t.table}"`)).get(0)?.n, 20000);
  }
});
