// Source.read() into a cache reads connector output as bytes (the record line scanner takes RECORD
// lines, everything else is parsed as usual). These connectors misbehave on purpose.
import assert from "node:assert/strict";
import { ConnectorFailedError, DuckDBCache, getSource, memoryLogger } from "../../mod.ts";
import { fixture, tempDir } from "../_support.ts";

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

// Records are read from their bytes (the record line scanner), so a JSON column keeps the source's
// own digits; through JSON.parse an integer past 2^53 would come back rounded.
Deno.test("Source.read keeps an integer past 2^53 whole in a JSON column", async () => {
  await using dir = await tempDir();
  const script = `${dir.path}/source_big.py`;
  await Deno.writeTextFile(
    script,
    `#!/usr/bin/env python3
import sys
verb = sys.argv[1]
if verb == "spec":
    print('{"type":"SPEC","spec":{"connectionSpecification":{"type":"object","properties":{}}}}')
elif verb == "discover":
    print('{"type":"CATALOG","catalog":{"streams":[{"name":"things","supported_sync_modes":["full_refresh"],'
          '"json_schema":{"type":"object","properties":{"id":{"type":"integer"},"payload":{"type":"object"}}}}]}}')
elif verb == "read":
    print('{"type":"RECORD","record":{"stream":"things","data":{"id":1,"payload":{"big":12345678901234567891}},'
          '"emitted_at":1700000000000}}')
`,
  );
  await Deno.chmod(script, 0o755);
  const source = await getSource("source-big", { localExecutable: script, config: {}, streams: ["things"] });
  await using cache = new DuckDBCache({ path: ":memory:" });
  await source.read({ cache, progress: "none" });
  const row = (await cache.sql("SELECT payload FROM things")).get(0)!;
  assert.equal(row.payload, '{"big":12345678901234567891}');
});
