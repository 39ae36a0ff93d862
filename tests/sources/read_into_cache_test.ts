// Source.read() into a cache reads connector output as bytes (the record line scanner takes RECORD
// lines, everything else is parsed as usual). These connectors misbehave on purpose.
import assert from "node:assert/strict";
import { ConnectorFailedError, DuckDBCache, getSource, memoryLogger } from "../../mod.ts";
import { fixture } from "../_support.ts";

Deno.test("Source.read caches every valid record from a connector that prints garbage, and logs each bad line", async () => {
  const logger = memoryLogger();
  const source = await getSource("source-garbage", {
    localExecutable: fixture("source_garbage.py"),
    config: {},
    streams: ["items"],
    logger,
  });
  await using cache = new DuckDBCache({ path: ":memory:" });
  const result = await source.read({ cache, progress: "none", writeStrategy: "append" });
  assert.equal(result.processedRecords, 3);
  const rows = (await cache.sql("SELECT id, note, length(blob) AS blob FROM items ORDER BY _airbyte_raw_id"))
    .toArray().map((r) => ({
      id: Number(r.id),
      note: r.note,
      blob: r.blob === null ? null : Number(r.blob),
    }));
  assert.deepEqual(rows, [
    { id: 1, note: "first", blob: null },
    { id: 2, note: null, blob: 31_457_280 }, // a 30 MiB line takes the general path, whole
    { id: 3, note: "last", blob: null },
  ]);
  const state = (await cache.getStateProvider("source-garbage")).getStreamState("items");
  assert.deepEqual(state?.stream?.stream_state, { cursor: 2 });
  const skipped = logger.lines.filter((l) => l.includes("not a valid Airbyte message"));
  assert.equal(skipped.length, 4, skipped.join("\n"));
  assert.ok(skipped.some((l) => l.includes("trunc")), "the truncated last line is reported");
});

Deno.test("Source.read into a cache raises the connector's TRACE error and keeps no record of the failed read", async () => {
  const source = await getSource("source-trace-error", {
    localExecutable: fixture("source_trace_error.py"),
    config: { api_key: "sk-live-SECRET123" },
    streams: ["accounts"],
  });
  await using cache = new DuckDBCache({ path: ":memory:" });
  const error = await source.read({ cache, progress: "none" }).catch((e) => e);
  assert.ok(error instanceof ConnectorFailedError, String(error));
  assert.equal(error.failureType, "config_error");
  assert.match(error.message, /Invalid API key for account 42/);
  assert.equal(error.context.exitCode, 1);
  assert.doesNotMatch(JSON.stringify(error.context), /SECRET123/);
  // No state was sent, so nothing was committed.
  assert.deepEqual(await cache.streams, []);
});
