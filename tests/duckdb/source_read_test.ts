// Source.read() into a real DuckDB-WASM cache with the real faker connector and the counter fixture.
import assert from "node:assert/strict";
import { AirbyteMessageIterator, DuckDBCache, getSource } from "../../mod.ts";
import { counter, faker, fixture, ROOT, tempDir } from "../_support.ts";

Deno.test("Source.read caches faker's 1000 users, and merge, append and replace keep their promises", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: `${dir.path}/faker.duckdb` });
  const source = await faker({ count: 1000, seed: 1 });
  const first = await source.read({ cache, streams: ["users"], progress: "none" });
  assert.equal(first.processedRecords, 1000);
  assert.equal(await first.get("users").count(), 1000);

  await source.read({
    cache,
    streams: ["users"],
    writeStrategy: "merge",
    forceFullRefresh: true,
    progress: "none",
  });
  const distinct = await cache.sql(
    "SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d FROM users",
  );
  assert.deepEqual([distinct.get(0)!.n, distinct.get(0)!.d], [1000, 1000], "merge adds no duplicates");

  await source.read({
    cache,
    streams: ["users"],
    writeStrategy: "append",
    forceFullRefresh: true,
    progress: "none",
  });
  assert.equal(await cache.get("users").count(), 2000, "append doubles the rows");

  await source.read({ cache, streams: ["users"], writeStrategy: "replace", progress: "none" });
  assert.equal(await cache.get("users").count(), 1000, "replace leaves exactly one read's rows");
});

Deno.test("Source.read types faker's columns from the JSON Schema and adds the Airbyte columns", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const source = await faker({ count: 50, seed: 1 });
  await source.read({ cache, streams: ["users"], progress: "none" });
  const t = await cache.sql(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'users'",
  );
  const types = Object.fromEntries(t.toArray().map((r) => [r.column_name, r.data_type]));
  assert.equal(types.id, "BIGINT");
  assert.equal(types.updated_at, "TIMESTAMP WITH TIME ZONE");
  assert.equal(types._airbyte_raw_id, "UUID");
  assert.equal(types._airbyte_extracted_at, "TIMESTAMP WITH TIME ZONE");
  assert.equal(types._airbyte_meta, "VARCHAR");
  const rows = await cache.get("users").toArray();
  assert.equal(rows.length, 50);
  assert.ok(rows.every((r) => typeof r._airbyte_raw_id === "string"));
});

Deno.test("an incremental second read passes the stored state to the connector through --state", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: `${dir.path}/counter.duckdb` });
  const first = await counter({ count: 12 });
  await first.read({ cache, streams: ["numbers"], progress: "none" });
  assert.equal(await cache.get("numbers").count(), 12);
  const stored = (await cache.getStateProvider("source-counter")).getStreamState("numbers");
  assert.deepEqual((stored?.stream as any).stream_state, { updated_at: 12 });

  const second = await counter({ count: 15 });
  const result = await second.read({ cache, streams: ["numbers"], progress: "none" });
  const received = second.lastLogLines().find((l) => l.startsWith("RECEIVED_STATE="));
  assert.ok(received, second.lastLogLines().join("\n"));
  const passed = JSON.parse(received.slice("RECEIVED_STATE=".length));
  assert.deepEqual(passed.map((s: any) => s.stream.stream_state), [{ updated_at: 12 }]);
  assert.equal(result.processedRecords, 3, "only ids 13-15 are new");
  assert.equal(await cache.get("numbers").count(), 15);
});

Deno.test("merge settles duplicates on the primary key, the greatest cursor winning", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  await (await counter({ count: 5 })).read({ cache, streams: ["numbers"], progress: "none" });
  await (await counter({ count: 5, start: 3, cursor_offset: 10 })).read({
    cache,
    streams: ["numbers"],
    writeStrategy: "merge",
    forceFullRefresh: true,
    progress: "none",
  });
  const t = await cache.sql("SELECT id::INTEGER AS id, updated_at::INTEGER AS u FROM numbers ORDER BY id");
  assert.deepEqual(t.toArray().map((r) => [r.id, r.u]), [[1, 1], [2, 2], [3, 13], [4, 14], [5, 15], [6, 16], [
    7,
    17,
  ]]);
});

Deno.test("GLOBAL and LEGACY states are stored and replayed", async () => {
  for (const stateType of ["GLOBAL", "LEGACY"]) {
    await using cache = new DuckDBCache({ path: ":memory:" });
    await (await counter({ count: 6, state_type: stateType })).read({
      cache,
      streams: "*",
      progress: "none",
    });
    const provider = await cache.getStateProvider("source-counter");
    assert.equal(provider.stateMessages.length, 1);
    assert.equal(provider.stateMessages[0].type, stateType);
    const again = await counter({ count: 8, state_type: stateType });
    await again.read({ cache, streams: "*", progress: "none" });
    const received = JSON.parse(again.lastLogLines().find((l) => l.startsWith("RECEIVED_STATE="))!.slice(15));
    assert.equal(received[0].type, stateType, `${stateType} state replayed`);
  }
});

Deno.test("two sources with the same stream name land in different tables of one cache", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const a = await getSource("source-counter", {
    localExecutable: fixture("source_counter.py"),
    config: { count: 3 },
  });
  const b = await getSource("source-counter-b", {
    localExecutable: fixture("source_counter.py"),
    config: { count: 5 },
  });
  const ra = await a.read({ cache, streams: ["numbers"], progress: "none" });
  const rb = await b.read({ cache, streams: ["numbers"], progress: "none" });
  assert.equal(await ra.get("numbers").count(), 3);
  assert.equal(await rb.get("numbers").count(), 5);
  const tables = await cache.listStreamTables();
  assert.equal(new Set(tables.map((t) => t.table)).size, 2);
});

Deno.test("a cache file reopened in a new Deno process holds the tables, rows and state", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/reopen.duckdb`;
  {
    await using cache = new DuckDBCache({ path });
    await (await counter({ count: 20 })).read({ cache, streams: ["numbers"], progress: "none" });
  }
  const child = `${dir.path}/child.ts`;
  await Deno.writeTextFile(
    child,
    `import { DuckDBCache } from "${new URL("../../mod.ts", import.meta.url).pathname}";
const cache = new DuckDBCache({ path: ${JSON.stringify(path)} });
const state = (await cache.getStateProvider("source-counter")).getStreamState("numbers");
console.log(JSON.stringify({ streams: await cache.streams, rows: await cache.get("numbers").count(), state }));
await cache.close();`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}/deno.json`, child],
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const seen = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  assert.deepEqual(seen.streams, ["numbers"]);
  assert.equal(seen.rows, 20);
  assert.deepEqual(seen.state.stream.stream_state, { updated_at: 20 });
});

Deno.test("cache.sql fails at once, not hangs, on a function that needs an offline extension", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const error = await cache.sql("SELECT year(TIMESTAMPTZ '2024-01-02 03:04:05+00') AS y").catch((e) => e);
  assert.ok(error instanceof Error);
  assert.match(error.message, /extension/i);
});

Deno.test("AirbyteMessageIterator.fromReadResult replays cached records and the stored state", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const result = await (await counter({ count: 7 })).read({ cache, streams: ["numbers"], progress: "none" });
  const messages = await AirbyteMessageIterator.fromReadResult(result).toArray();
  const records = messages.filter((m) => m.type === "RECORD");
  assert.equal(records.length, 7);
  assert.deepEqual((records[6] as any).record.data, { id: 7, updated_at: 7, name: "number-7" });
  const states = messages.filter((m) => m.type === "STATE");
  assert.deepEqual((states[0] as any).state.stream.stream_state, { updated_at: 7 });
});

Deno.test("CachedDataset iterates every row once, in cache order, across pages", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  await (await counter({ count: 25_000 })).read({ cache, streams: ["numbers"], progress: "none" });
  const ids: number[] = [];
  for await (const row of cache.get("numbers")) ids.push(row.id as number);
  assert.equal(ids.length, 25_000);
  assert.deepEqual(ids.slice(0, 3), [1, 2, 3]);
  assert.equal(new Set(ids).size, 25_000);
  assert.equal(ids[24_999], 25_000);
});
