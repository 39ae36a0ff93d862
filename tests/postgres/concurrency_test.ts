// Several processes reading into one PostgreSQL database at once: four sources side by side, and
// two reads of one stream taking turns (the second told who it waits for). Real server, real
// connector processes, real Deno processes.
import assert from "node:assert/strict";
import { PostgresCache } from "../../mod.ts";
import { ROOT } from "../_support.ts";
import { testDatabase } from "../_services/postgres.ts";

const CHILD = `${ROOT}/tests/postgres/_read_child.ts`;

function spawnRead(options: Record<string, unknown>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}/deno.json`, CHILD, JSON.stringify(options)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Lines of a child's stdout, as they come. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let at;
    while ((at = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
    }
  }
  if (buffer) yield buffer;
}

async function finished(child: Deno.ChildProcess, out: AsyncGenerator<string>): Promise<string> {
  const rest: string[] = [];
  for await (const line of out) rest.push(line);
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  assert.equal(status.code, 0, stderr);
  assert.ok(rest.some((l) => l.startsWith("done ")), rest.join("\n"));
  return stderr;
}

Deno.test("four processes read four sources into one database and schema at once: every count right, nothing lost", async () => {
  await using db = await testDatabase("four");
  const counts = { "source-a": 60_000, "source-b": 45_000, "source-c": 30_000, "source-d": 15_000 };
  const children = Object.entries(counts).map(([source, count]) => {
    const child = spawnRead({
      url: db.url,
      schema: "shared",
      source,
      count,
      stateEvery: 1000,
      checkpointRows: 5000,
      barrier: true,
    });
    return { source, count, child, out: lines(child.stdout) };
  });
  // Every process has opened the cache before any reads: then all four start at once.
  for (const c of children) assert.equal((await c.out.next()).value, "ready");
  const writers = children.map((c) => c.child.stdin.getWriter());
  await Promise.all(writers.map(async (w) => {
    await w.write(new TextEncoder().encode("go\n"));
    await w.close();
  }));
  await Promise.all(children.map((c) => finished(c.child, c.out)));

  await using cache = new PostgresCache({ url: db.url, schemaName: "shared" });
  const tables = await cache.listStreamTables();
  assert.equal(tables.length, 4);
  assert.equal(new Set(tables.map((t) => t.table)).size, 4, "four sources' 'numbers' in four tables");
  let total = 0;
  for (const [source, count] of Object.entries(counts)) {
    const table = await cache.tableFor("numbers", source);
    const t = await cache.sql(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, max(id)::INTEGER AS m FROM "${table}"`,
    );
    assert.deepEqual([t.get(0)?.n, t.get(0)?.d, t.get(0)?.m], [count, count, count], source);
    const state = (await cache.getStateProvider(source)).getStreamState("numbers");
    assert.deepEqual((state?.stream as any).stream_state, { updated_at: count }, `${source}: state`);
    total += t.get(0)?.n as number;
  }
  assert.equal(total, 150_000);
});

Deno.test("two processes reading the same stream take turns: the second says whom it waits for, keys stay unique", async () => {
  await using db = await testDatabase("turns");
  const options = { url: db.url, schema: "raw", count: 200_000, stateEvery: 1000, checkpointRows: 5000 };
  const first = spawnRead({ ...options, source: "source-counter", strategy: "merge" });
  const firstOut = lines(first.stdout);
  // The first read holds the table's lock once it has committed a checkpoint.
  for (;;) {
    const { rows } = await db.sql.query(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = '_airbyte_internal' AND tablename = 'state'",
    );
    if (rows[0].n === 1) {
      const committed = await db.sql.query("SELECT count(*)::int AS n FROM _airbyte_internal.state");
      if (committed.rows[0].n > 0) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const holder = await db.sql.query(
    "SELECT pid FROM pg_stat_activity WHERE application_name = 'source-counter' AND datname = current_database()",
  );
  const second = spawnRead({ ...options, source: "source-counter", strategy: "merge" });
  const secondOut = lines(second.stdout);
  const [, stderr] = await Promise.all([finished(first, firstOut), finished(second, secondOut)]);
  assert.match(
    stderr,
    /Waiting for table "raw"\."numbers": PostgreSQL backend pid \d+ \('source-counter' from 127\.0\.0\.1, connected since .*\) is writing it\. This write starts when that one ends\./,
  );
  const pid = Number(/backend pid (\d+)/.exec(stderr)![1]);
  assert.ok(holder.rows.some((r) => r.pid === pid), `the named pid ${pid} is the first read's connection`);
  const { rows } = await db.sql.query(
    "SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM raw.numbers",
  );
  assert.deepEqual(rows[0], { n: 200_000, d: 200_000 });
});
