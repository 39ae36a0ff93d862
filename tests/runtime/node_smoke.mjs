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

  // Further Node checks (in-process source read into a DuckDBCache file, reopened in a second
  // process) are to be added here by the lead.
}

const failed = checks.filter((c) => !c.ok).length;
console.log(
  failed === 0
    ? `node smoke: ok (${checks.length} checks)`
    : `node smoke: FAILED (${failed} of ${checks.length} checks failed)`,
);
process.exitCode = failed === 0 ? 0 : 1;
