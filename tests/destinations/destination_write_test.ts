// Destination.write() with a real airbyte-cdk destination (tests/fixtures/destination_jsonl,
// pip-installed into its own venv) and real sources.
import assert from "node:assert/strict";
import {
  ConnectorFailedError,
  DuckDBCache,
  getDestination,
  getSource,
  InvalidArgumentError,
  memoryLogger,
  StateWriterBase,
  StaticInputState,
} from "../../mod.ts";
import { counter, DESTINATION_JSONL_PIP, faker, jsonlLines, ROOT, tempDir } from "../_support.ts";

function jsonl(config: Record<string, unknown>, logger = memoryLogger()) {
  return getDestination("destination-jsonl", { pipUrl: DESTINATION_JSONL_PIP, config, logger });
}

Deno.test("Destination.write delivers every faker record through the cache and stores the destination state", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: `${dir.path}/cache.duckdb` });
  const source = await faker({ count: 500, seed: 1 });
  const destination = await jsonl({ path: `${dir.path}/out` });
  const result = await destination.write(source, { cache, streams: ["users", "products"], progress: "none" });
  assert.equal((await jsonlLines(`${dir.path}/out/users.jsonl`)).length, 500);
  const products = await cache.get("products").count();
  assert.equal((await jsonlLines(`${dir.path}/out/products.jsonl`)).length, products);
  assert.equal(result.processedRecords, 500 + products);
  assert.equal(result.confirmedRecords, 500 + products);
  const destState = await cache.getDestinationStateProvider("source-faker", "destination-jsonl");
  assert.ok(destState.getStreamState("users"), "the users state the destination echoed is stored");
  assert.deepEqual(result.getStateProvider().stateMessages.length, destState.stateMessages.length);
});

Deno.test("a second write sends only records the destination has not confirmed yet", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: `${dir.path}/cache.duckdb` });
  const destination = await jsonl({ path: `${dir.path}/out` });
  const first = await destination.write(await counter({ count: 40 }), { cache, progress: "none" });
  assert.equal(first.processedRecords, 40);
  const second = await destination.write(await counter({ count: 55 }), { cache, progress: "none" });
  assert.equal(second.processedRecords, 15, "only ids 41-55 are sent");
  const ids = (await jsonlLines(`${dir.path}/out/numbers.jsonl`)).map((r) => r.id);
  assert.equal(ids.length, 55);
  assert.equal(new Set(ids).size, 55, "no record delivered twice");
});

Deno.test("Destination.write with cache false streams straight through and creates no cache file", async () => {
  await using dir = await tempDir();
  const cacheDir = `${dir.path}/cache-dir`;
  Deno.env.set("AIRBYTE_TS_CACHE_DIR", cacheDir);
  try {
    const destination = await jsonl({ path: `${dir.path}/out` });
    const result = await destination.write(await counter({ count: 25 }), { cache: false, progress: "none" });
    assert.equal(result.processedRecords, 25);
    assert.equal(result.confirmedRecords, 25);
    assert.equal((await jsonlLines(`${dir.path}/out/numbers.jsonl`)).length, 25);
    assert.ok(result.getStateProvider().getStreamState("numbers"), "confirmed states are reported");
    const exists = await Deno.stat(cacheDir).then(() => true, () => false);
    assert.equal(exists, false, "no cache directory or file was created");
  } finally {
    Deno.env.delete("AIRBYTE_TS_CACHE_DIR");
  }
});

Deno.test("Destination.write accepts a ReadResult and rejects a cache passed with it", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: ":memory:" });
  const readResult = await (await counter({ count: 9 })).read({
    cache,
    streams: ["numbers"],
    progress: "none",
  });
  const destination = await jsonl({ path: `${dir.path}/out` });
  await assert.rejects(() => destination.write(readResult, { cache }), InvalidArgumentError);
  const result = await destination.write(readResult, { progress: "none" });
  assert.equal(result.processedRecords, 9);
  assert.equal((await jsonlLines(`${dir.path}/out/numbers.jsonl`)).length, 9);
});

Deno.test("a destination that crashes keeps only confirmed state, and a rerun delivers the rest", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: `${dir.path}/cache.duckdb` });
  const readResult = await (await counter({ count: 30, state_every: 5 })).read({
    cache,
    streams: "*",
    progress: "none",
  });
  // A checkpoint every 5 rows: the crash after 12 records leaves 10 confirmed.
  const crashing = await jsonl({ path: `${dir.path}/out`, fail_after_records: 12 });
  const error = await crashing.write(readResult, { progress: "none", checkpointRows: 5 }).catch((e) => e);
  assert.ok(error instanceof ConnectorFailedError, String(error));
  assert.match(`${error.message} ${error.internalMessage}`, /failed on purpose after 12 records/);
  const marks = await cache.getDeliveryMarks("source-counter", "destination-jsonl");
  assert.equal(marks.size, 1, "the confirmed checkpoint moved the delivery mark");
  const state = await cache.getDestinationStateProvider("source-counter", "destination-jsonl");
  assert.equal(state.stateMessages.length, 0, "the source state was never confirmed, so it is not stored");

  const healthy = await jsonl({ path: `${dir.path}/out` });
  const rerun = await healthy.write(readResult, { progress: "none", checkpointRows: 5 });
  assert.equal(rerun.processedRecords, 20, "the rerun sends only the 20 unconfirmed records");
  const ids = (await jsonlLines(`${dir.path}/out/numbers.jsonl`)).map((r) => r.id);
  assert.equal(new Set(ids).size, 30, "every record arrived");
  const stored = await cache.getDestinationStateProvider("source-counter", "destination-jsonl");
  assert.deepEqual((stored.getStreamState("numbers")!.stream as any).stream_state, { updated_at: 30 });
});

Deno.test("streaming straight through, a crash keeps only the states echoed before it", async () => {
  await using dir = await tempDir();
  await using stateCache = new DuckDBCache({ path: `${dir.path}/state.duckdb` });
  const crashing = await jsonl({ path: `${dir.path}/out`, fail_after_records: 12 });
  const error = await crashing.write(await counter({ count: 30, state_every: 5 }), {
    cache: false,
    stateCache,
    progress: "none",
  }).catch((e) => e);
  assert.ok(error instanceof ConnectorFailedError, String(error));
  const state = await stateCache.getDestinationStateProvider("source-counter", "destination-jsonl");
  assert.deepEqual((state.getStreamState("numbers")!.stream as any).stream_state, { updated_at: 10 });

  const healthy = await jsonl({ path: `${dir.path}/out` });
  const rerun = await healthy.write(await counter({ count: 30, state_every: 5 }), {
    cache: false,
    stateCache,
    progress: "none",
  });
  assert.equal(rerun.processedRecords, 20, "the rerun starts from the confirmed state");
  const ids = (await jsonlLines(`${dir.path}/out/numbers.jsonl`)).map((r) => r.id);
  assert.equal(new Set(ids).size, 30);
});

Deno.test("a destination that never echoes state completes and warns that nothing was confirmed", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: ":memory:" });
  const logger = memoryLogger();
  const destination = await jsonl({ path: `${dir.path}/out`, never_echo_state: true }, logger);
  const result = await destination.write(await counter({ count: 7 }), { cache, progress: "none" });
  assert.equal(result.processedRecords, 7);
  assert.equal(result.confirmedRecords, 0);
  assert.ok(
    logger.lines.some((l) => l.startsWith("WARN") && l.includes("confirmed nothing")),
    logger.lines.join("\n"),
  );
  assert.equal(
    (await cache.getDestinationStateProvider("source-counter", "destination-jsonl")).stateMessages.length,
    0,
  );
});

Deno.test("Destination.write of a Source with no streams option writes the source's selection, through a cache", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: `${dir.path}/cache.duckdb` });
  const source = await counter({ count: 10, second_stream: true });
  source.selectStreams(["letters"]);
  const result = await (await jsonl({ path: `${dir.path}/out` })).write(source, { cache, progress: "none" });
  assert.deepEqual([...result.recordsPerStream.keys()], ["letters"]);
  assert.deepEqual(await cache.streams, ["letters"], "only the selected stream was read");
  const written = [...Deno.readDirSync(`${dir.path}/out`)].map((e) => e.name).filter((n) =>
    n.endsWith(".jsonl")
  );
  assert.deepEqual(written, ["letters.jsonl"]);
});

Deno.test("Destination.write of a Source with no streams option writes the source's selection, straight through", async () => {
  await using dir = await tempDir();
  const source = await counter({ count: 10, second_stream: true });
  source.selectStreams(["letters"]);
  const result = await (await jsonl({ path: `${dir.path}/out` })).write(source, {
    cache: false,
    progress: "none",
  });
  assert.deepEqual([...result.recordsPerStream.keys()], ["letters"]);
  const written = [...Deno.readDirSync(`${dir.path}/out`)].map((e) => e.name).filter((n) =>
    n.endsWith(".jsonl")
  );
  assert.deepEqual(written, ["letters.jsonl"]);
});

Deno.test("Destination.write streams override the source's selection, and nothing selected means all", async () => {
  await using dir = await tempDir();
  await using cache = new DuckDBCache({ path: `${dir.path}/cache.duckdb` });
  const selected = await counter({ count: 5, second_stream: true });
  selected.selectStreams(["letters"]);
  const destination = await jsonl({ path: `${dir.path}/out` });
  const overridden = await destination.write(selected, { cache, streams: ["numbers"], progress: "none" });
  assert.deepEqual([...overridden.recordsPerStream.keys()], ["numbers"]);
  const all = await destination.write(await counter({ count: 5, second_stream: true }), {
    cache: false,
    progress: "none",
  });
  assert.deepEqual([...all.recordsPerStream.keys()].sort(), ["letters", "numbers"]);
});

Deno.test("Destination.write keeps confirmed state in a custom provider/writer pair that is not a cache", async () => {
  await using dir = await tempDir();
  // A state store of the user's own: a JSON file, loaded as the provider and appended by the writer.
  const file = `${dir.path}/destination-state.json`;
  class FileStateWriter extends StateWriterBase {
    protected async _writeState(): Promise<void> {
      await Deno.writeTextFile(file, JSON.stringify(this.stateMessages));
    }
  }
  const pair = async () => {
    const saved = await Deno.readTextFile(file).then(JSON.parse, () => []);
    return { provider: new StaticInputState(saved), writer: new FileStateWriter() };
  };
  const destination = await jsonl({ path: `${dir.path}/out` });
  const first = await destination.write(await counter({ count: 20, state_every: 5 }), {
    cache: false,
    stateCache: await pair(),
    progress: "none",
  });
  assert.equal(first.processedRecords, 20);
  const saved = JSON.parse(await Deno.readTextFile(file));
  assert.deepEqual(saved.map((m: any) => m.stream.stream_state), [{ updated_at: 20 }]);
  assert.deepEqual((first.getStateProvider().getStreamState("numbers")!.stream as any).stream_state, {
    updated_at: 20,
  });

  const second = await destination.write(await counter({ count: 30, state_every: 5 }), {
    cache: false,
    stateCache: await pair(),
    progress: "none",
  });
  assert.equal(second.processedRecords, 10, "the second write starts from the pair's confirmed state");
  const ids = (await jsonlLines(`${dir.path}/out/numbers.jsonl`)).map((r) => r.id);
  assert.equal(new Set(ids).size, 30);
});

Deno.test("Destination.write delivers integers past 2^53 with every digit, through a cache and straight through", async () => {
  await using dir = await tempDir();
  const lines = `${dir.path}/lines.jsonl`;
  const ids = ["1101234567890123456", "1101234567890123457", "9223372036854775807"];
  await Deno.writeTextFile(
    lines,
    ids.map((id, i) =>
      `{"type":"RECORD","record":{"stream":"items","data":{"id":${id},"payload":{"n":${id}},"k":${i}},"emitted_at":1}}\n`
    ).join(""),
  );
  const source = () =>
    getSource("source-lines", {
      localExecutable: `${ROOT}/tests/fixtures/connectors/source_lines.py`,
      config: {
        path: lines,
        schema: {
          type: "object",
          properties: { id: { type: "integer" }, payload: { type: "object" }, k: { type: "integer" } },
        },
        primary_key: [["k"]],
      },
      streams: ["items"],
    });
  const raw = (file: string) => Deno.readTextFile(file);
  // Through a cache: BIGINT ids come back from DuckDB as bigints and go out as their digits.
  await using cache = new DuckDBCache({ path: `${dir.path}/cache.duckdb` });
  await (await jsonl({ path: `${dir.path}/cached` })).write(await source(), { cache, progress: "none" });
  const cached = await raw(`${dir.path}/cached/items.jsonl`);
  for (const id of ids) assert.ok(cached.includes(`"n":${id}`), `payload ${id} in ${cached}`);
  assert.ok(cached.includes(`"id":${ids[0]}`) && cached.includes(`"id":${ids[1]}`), cached);
  // Straight through: the exact digits JSON.parse rounded are what the destination gets.
  await (await jsonl({ path: `${dir.path}/straight` })).write(await source(), {
    cache: false,
    progress: "none",
  });
  const straight = await raw(`${dir.path}/straight/items.jsonl`);
  for (const id of ids) assert.ok(straight.includes(`"id":${id}`), `id ${id} in ${straight}`);
});
