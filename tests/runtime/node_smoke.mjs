// Node smoke test: the npm build (dist/mod.js, from `npm run build`) loads under plain Node and
// works without any connector. Run: node tests/runtime/node_smoke.mjs
// Prints "node smoke: ok (N checks)", or each failed check and then "node smoke: FAILED (...)".
import assert from "node:assert/strict";

const checks = [];

async function check(name, body) {
  try {
    await body();
    checks.push({ name, ok: true });
  } catch (error) {
    checks.push({ name, ok: false });
    console.log(`  FAIL ${name}\n${String(error?.stack ?? error).replace(/^/gm, "      ")}`);
  }
}

let mod;
await check("dist/mod.js imports under Node", async () => {
  mod = await import("../../dist/mod.js");
});

if (mod) {
  await check("dist/mod.js has the public API's main exports", () => {
    // The names API.md promises from the single entry point.
    const expected = [
      "getSource",
      "getDestination",
      "DuckDBCache",
      "getDefaultCache",
      "AirbyteMessageIterator",
      "AirbyteError",
      "ConnectorInstallError",
      "ConnectorCheckFailedError",
      "ConnectorFailedError",
      "SubprocessFailedError",
      "ConfigValidationError",
      "StreamNotFoundError",
      "NoStreamsSelectedError",
      "ExecutorUnavailableError",
      "ProtocolError",
      "SubprocessExecutor",
      "VenvExecutor",
      "InProcessExecutor",
      "StaticInputState",
      "JoinedStateProvider",
      "NoOpStateWriter",
      "StdOutStateWriter",
    ];
    const missing = expected.filter((name) => mod[name] === undefined);
    assert.deepEqual(missing, [], `missing exports: ${missing.join(", ")}`);
  });

  await check("AirbyteMessageIterator parses message lines and reports a non-message line", async () => {
    const invalid = [];
    const messages = await mod.AirbyteMessageIterator.fromLines(
      [
        '{"type":"LOG","log":{"level":"INFO","message":"starting"}}',
        "Traceback (most recent call last):",
        '{"type":"RECORD","record":{"stream":"users","data":{"id":1,"tags":["a"]},"emitted_at":1700000000000}}',
        '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"id":1}}}}',
      ],
      { onInvalidLine: (failure) => invalid.push(failure.reason) },
    ).toArray();
    assert.deepEqual(messages.map((m) => m.type), ["LOG", "RECORD", "STATE"]);
    assert.deepEqual(messages[1].record.data, { id: 1, tags: ["a"] });
    assert.deepEqual(invalid, ["not_json"]);
  });

  await check("errors carry a code and are AirbyteErrors", () => {
    const error = new mod.StreamNotFoundError("nope", ["users"]);
    assert.ok(error instanceof mod.AirbyteError);
    assert.equal(error.code, "STREAM_NOT_FOUND");
    assert.match(error.message, /nope/);
  });

  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { execFileSync } = await import("node:child_process");
  const dir = mkdtempSync(`${tmpdir()}/airbyte-ts-node-smoke-`);
  const counter = new URL("../fixtures/connectors/source_counter.py", import.meta.url).pathname;
  const cachePath = `${dir}/node.duckdb`;

  await check("Node reads a real connector into a DuckDB file cache", async () => {
    const source = await mod.getSource("source-counter", { localExecutable: counter, config: { count: 25 } });
    const cache = new mod.DuckDBCache({ path: cachePath });
    const result = await source.read({ cache, streams: ["numbers"], progress: "none" });
    assert.equal(result.processedRecords, 25);
    assert.equal(await result.get("numbers").count(), 25);
    await cache.close();
  });

  await check("a new Node process reopens the file cache and finds the table, rows and state", () => {
    const dist = new URL("../../dist/mod.js", import.meta.url).href;
    const script = `
      const { DuckDBCache } = await import(${JSON.stringify(dist)});
      const cache = new DuckDBCache({ path: ${JSON.stringify(cachePath)} });
      const state = (await cache.getStateProvider("source-counter")).getStreamState("numbers");
      console.log(JSON.stringify({ streams: await cache.streams, rows: await cache.get("numbers").count(), state }));
      await cache.close();`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    const seen = JSON.parse(out.trim().split("\n").pop());
    assert.deepEqual(seen.streams, ["numbers"]);
    assert.equal(seen.rows, 25);
    assert.deepEqual(seen.state.stream.stream_state, { updated_at: 25 });
  });

  await check("an in-process connector streams records under Node", async () => {
    const connector = {
      name: "source-inline",
      spec: () => Promise.resolve({ connectionSpecification: { type: "object", properties: {} } }),
      check: () => Promise.resolve({ status: "SUCCEEDED" }),
      discover: () =>
        Promise.resolve({
          streams: [{
            name: "n",
            json_schema: { properties: { i: { type: "integer" } } },
            supported_sync_modes: ["full_refresh"],
          }],
        }),
      read: async function* () {
        for (let i = 0; i < 3; i++) {
          yield { type: "RECORD", record: { stream: "n", data: { i }, emitted_at: Date.now() } };
        }
      },
    };
    const source = await mod.getSource("source-inline", { connector, config: {} });
    const seen = [];
    for await (const r of source.getRecords("n")) seen.push(r.i);
    assert.deepEqual(seen, [0, 1, 2]);
  });
  rmSync(dir, { recursive: true, force: true });
}

const failed = checks.filter((c) => !c.ok).length;
console.log(
  failed === 0
    ? `node smoke: ok (${checks.length} checks)`
    : `node smoke: FAILED (${failed} of ${checks.length} checks failed)`,
);
process.exitCode = failed === 0 ? 0 : 1;
