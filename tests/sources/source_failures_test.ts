// Source against connectors that misbehave on purpose (tests/fixtures/connectors, real processes).
import assert from "node:assert/strict";
import {
  ConnectorFailedError,
  ConnectorInstallError,
  getSource,
  memoryLogger,
  type ProgressEvent,
} from "../../mod.ts";
import { fixture, pidAlive, sleep, tempDir } from "../_support.ts";

Deno.test("Source delivers every valid message from a connector that prints garbage, and logs each bad line", async () => {
  const logger = memoryLogger();
  const source = await getSource("source-garbage", {
    localExecutable: fixture("source_garbage.py"),
    config: {},
    logger,
  });
  const ids: unknown[] = [];
  let blobLength = 0;
  for await (const r of source.getRecords("items")) {
    ids.push(r.id);
    if (typeof r.blob === "string") blobLength = r.blob.length;
  }
  assert.deepEqual(ids, [1, 2, 3]);
  assert.equal(blobLength, 31_457_280, "the 30 MiB record arrives whole");
  const skipped = logger.lines.filter((l) => l.includes("not a valid Airbyte message"));
  assert.equal(skipped.length, 4, skipped.join("\n"));
  assert.ok(skipped.some((l) => l.includes("not_json") && l.includes("garbage")));
  assert.ok(skipped.some((l) => l.includes("Traceback")));
  assert.ok(skipped.some((l) => l.includes("not_airbyte") && l.includes("hello")));
  assert.ok(skipped.some((l) => l.includes("trunc")));
});

Deno.test("Source raises ConnectorFailedError with the TRACE message and failure type when a connector fails", async () => {
  const source = await getSource("source-trace-error", {
    localExecutable: fixture("source_trace_error.py"),
    config: { api_key: "sk-live-SECRET123" },
  });
  const seen: unknown[] = [];
  const error = await (async () => {
    for await (const r of source.getRecords("accounts")) seen.push(r.id);
  })().catch((e) => e);
  assert.ok(error instanceof ConnectorFailedError, String(error));
  assert.equal(error.failureType, "config_error");
  assert.match(error.message, /Invalid API key for account 42/);
  assert.equal(error.context.exitCode, 1);
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("a secret config value appears in no error text, context, log line or progress event", async () => {
  const secret = "sk-live-SECRET123";
  const logger = memoryLogger();
  const source = await getSource("source-trace-error", {
    localExecutable: fixture("source_trace_error.py"),
    config: { api_key: secret },
    logger,
  });
  const events: ProgressEvent[] = [];
  const error = await source.read({
    cache: new (await import("../../mod.ts")).DuckDBCache({ path: ":memory:" }),
    streams: ["accounts"],
    progress: (e) => events.push(e),
  }).catch((e) => e);
  assert.ok(error instanceof ConnectorFailedError, String(error));
  const texts = [
    error.message,
    String(error.stack),
    JSON.stringify(error.context),
    String(error.internalMessage),
    ...source.lastLogLines(),
    ...logger.lines,
    JSON.stringify(events),
  ];
  for (const t of texts) assert.ok(!t.includes(secret), `secret leaked in: ${t.slice(0, 300)}`);
  assert.ok(source.lastLogLines().some((l) => l.includes("****")), "the masked secret shows where it was");
});

Deno.test("aborting a read ends a hanging connector and all of its children", async () => {
  const source = await getSource("source-hang", { localExecutable: fixture("source_hang.py"), config: {} });
  const controller = new AbortController();
  let first: unknown;
  const run = (async () => {
    for await (const r of source.getRecords("forever", { signal: controller.signal })) {
      first = r;
      controller.abort(new Error("test aborts"));
    }
  })();
  const error = await run.catch((e) => e);
  assert.ok(error, "the aborted read rejects");
  assert.deepEqual(first, { id: 1 });
  const pids = [...source.lastLogLines().join("\n").matchAll(/CHILD_PID=(\d+)/g)].map((m) => Number(m[1]));
  assert.equal(pids.length, 3, source.lastLogLines().join("\n"));
  await sleep(2500);
  for (const pid of pids) assert.equal(await pidAlive(pid), false, `pid ${pid} still alive`);
});

Deno.test("getSource raises ConnectorInstallError for a package that does not exist", async () => {
  const error = await getSource("source-does-not-exist-zz", {
    pipUrl: "airbyte-source-this-does-not-exist-zz==1.0",
  })
    .catch((e) => e);
  assert.ok(error instanceof ConnectorInstallError, String(error));
  assert.match(error.message, /airbyte-source-this-does-not-exist-zz/);
});

Deno.test("a CONTROL config update is validated, applied to the Source and passed to configChangeCallback", async () => {
  await using _dir = await tempDir();
  const changes: Record<string, unknown>[] = [];
  const source = await getSource("source-config-migration", {
    localExecutable: fixture("source_config_migration.py"),
    config: { old_key: "hello", other: 1 },
    configChangeCallback: (c) => void changes.push(c),
  });
  await source.check();
  assert.equal(changes.length, 1);
  assert.deepEqual(changes[0], { other: 1, new_key: "hello" });
  assert.deepEqual(source.getConfig(), { other: 1, new_key: "hello" });
});
