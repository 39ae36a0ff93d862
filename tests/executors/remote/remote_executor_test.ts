// RemoteExecutor against a real `airbyte-ts serve` server on loopback, with real connectors: the
// counter and replay fixtures, airbyte-source-faker and the CDK destination from PyPI. Each result
// is compared with the same run through the local executor.
import assert from "node:assert/strict";
import {
  ConfigValidationError,
  ConnectorFailedError,
  ConnectorInstallError,
  DuckDBCache,
  getDestination,
  getSource,
  memoryLogger,
  RemoteExecutor,
  RemoteRefusedError,
  type Source,
  SubprocessFailedError,
} from "../../../mod.ts";
import { DESTINATION_JSONL_PIP, FAKER_PIP, fixture, jsonlLines, ROOT, tempDir } from "../../_support.ts";
import { eventually, markedConnector, startServer, TOKEN } from "../../server/_harness.ts";

const REPLAY = `${ROOT}/bench/replay_source.py`;
const FAIL_SCRIPT = `${ROOT}/tests/fixtures/executors/fail_with_stderr.sh`;

/** Every user column of `stream` in `cache`, ordered by id, as JSON text (Airbyte columns left out). */
async function rows(cache: DuckDBCache, stream: string): Promise<string> {
  const table = await cache.sql(
    `SELECT * EXCLUDE (_airbyte_raw_id, _airbyte_extracted_at, _airbyte_meta) FROM ${stream} ORDER BY id`,
  );
  return JSON.stringify(
    table.toArray().map((r) => r.toJSON()),
    (_k, v) => typeof v === "bigint" ? String(v) : v,
  );
}

async function states(cache: DuckDBCache, source: string): Promise<unknown[]> {
  return (await cache.getStateProvider(source)).stateMessages;
}

Deno.test("a read through RemoteExecutor caches the same rows, values and state as a local read, also incrementally", async () => {
  await using server = await startServer({
    connectors: { "source-counter": { localExecutable: fixture("source_counter.py") } },
  });
  await using local = new DuckDBCache({ path: ":memory:" });
  await using remote = new DuckDBCache({ path: ":memory:" });
  const remoteOptions = { remote: { url: server.url, token: TOKEN }, streams: "*" as const };
  const localOptions = { localExecutable: fixture("source_counter.py"), streams: "*" as const };
  for (const count of [23, 31]) {
    const config = { count, second_stream: true, state_every: 4 };
    const viaLocal = await getSource("source-counter", { ...localOptions, config });
    const viaRemote = await getSource("source-counter", { ...remoteOptions, config });
    const a = await viaLocal.read({ cache: local, progress: "none" });
    const b = await viaRemote.read({ cache: remote, progress: "none" });
    assert.equal(b.processedRecords, a.processedRecords);
    for (const stream of ["numbers", "letters"]) {
      assert.equal(await remote.get(stream).count(), await local.get(stream).count(), stream);
      assert.equal(await rows(remote, stream), await rows(local, stream), stream);
    }
    assert.deepEqual(await states(remote, "source-counter"), await states(local, "source-counter"));
  }
  // The second read was incremental: ids 24..31 only, through the state passed as --state.
  assert.equal(await remote.get("numbers").count(), 31);
  assert.ok(server.logs.some((l) => /source-counter read ok/.test(l)));
});

Deno.test("the replay source's 12 typed fields arrive through RemoteExecutor with the same values as locally", async () => {
  await using dir = await tempDir();
  const data = `${dir.path}/records.jsonl`;
  const made = await new Deno.Command("python3", {
    args: [`${ROOT}/bench/make_replay_data.py`, "--records", "3000", "--out", data],
    stdout: "null",
  }).output();
  assert.equal(made.code, 0);
  await using server = await startServer({ connectors: { "source-replay": { localExecutable: REPLAY } } });
  await using local = new DuckDBCache({ path: ":memory:" });
  await using remote = new DuckDBCache({ path: ":memory:" });
  const config = { path: data };
  const viaLocal = await getSource("source-replay", { localExecutable: REPLAY, config, streams: "*" });
  const viaRemote = await getSource("source-replay", {
    remote: { url: server.url, token: TOKEN },
    config,
    streams: "*",
  });
  await viaLocal.read({ cache: local, progress: "none" });
  await viaRemote.read({ cache: remote, progress: "none" });
  assert.equal(await remote.get("bench_records").count(), 3000);
  assert.equal(await rows(remote, "bench_records"), await rows(local, "bench_records"));
  assert.deepEqual(await states(remote, "source-replay"), await states(local, "source-replay"));
});

Deno.test("airbyte-source-faker through RemoteExecutor gives the same streams, row counts, ids and state as locally", async () => {
  await using server = await startServer({ connectors: { "source-faker": { pipUrl: FAKER_PIP } } });
  await using local = new DuckDBCache({ path: ":memory:" });
  await using remote = new DuckDBCache({ path: ":memory:" });
  const config = { count: 300, seed: 1 };
  const viaLocal = await getSource("source-faker", { pipUrl: FAKER_PIP, config, streams: "*" });
  const viaRemote = await getSource("source-faker", {
    remote: { url: server.url, token: TOKEN },
    config,
    streams: "*",
  });
  assert.deepEqual(await viaRemote.getAvailableStreams(), await viaLocal.getAvailableStreams());
  await viaRemote.check();
  await viaLocal.read({ cache: local, progress: "none" });
  await viaRemote.read({ cache: remote, progress: "none" });
  for (const stream of ["users", "products", "purchases"]) {
    const ids = async (cache: DuckDBCache) =>
      JSON.stringify(
        (await cache.sql(`SELECT id FROM ${stream} ORDER BY id`)).toArray().map((r) => Number(r.id)),
      );
    assert.equal(await remote.get(stream).count(), await local.get(stream).count(), stream);
    assert.equal(await ids(remote), await ids(local), stream);
  }
  // Faker's state holds the time of the read: compare which streams have state, and its keys.
  const shape = (messages: unknown[]) =>
    JSON.stringify(
      messages.map((m: any) => [m.stream?.stream_descriptor?.name, Object.keys(m.stream?.stream_state ?? {})])
        .sort(),
    );
  assert.equal(shape(await states(remote, "source-faker")), shape(await states(local, "source-faker")));
});

Deno.test("a connector failing on the server throws the same typed errors as locally: ConnectorFailedError with failure type, SubprocessFailedError with exit code and masked log tail", async () => {
  await using server = await startServer({
    connectors: {
      "source-trace-error": { localExecutable: fixture("source_trace_error.py") },
      "source-fail": { localExecutable: "sh", args: [FAIL_SCRIPT] },
    },
  });
  const secret = "sk-live-SECRET123";
  const read = async (source: Source) => {
    try {
      for await (const _ of source.getRecords("accounts")) { /* drain */ }
    } catch (error) {
      return error as ConnectorFailedError;
    }
    throw new Error("the read did not fail");
  };
  const config = { api_key: secret };
  const localError = await read(
    await getSource("source-trace-error", { localExecutable: fixture("source_trace_error.py"), config }),
  );
  const remoteError = await read(
    await getSource("source-trace-error", { remote: { url: server.url, token: TOKEN }, config }),
  );
  assert.ok(remoteError instanceof ConnectorFailedError);
  assert.equal(remoteError.failureType, "config_error");
  assert.equal(remoteError.failureType, localError.failureType);
  assert.equal(remoteError.summary, localError.summary);
  assert.equal(remoteError.context.exitCode, 1);
  assert.ok((remoteError.cause as Error) instanceof SubprocessFailedError);
  const text = JSON.stringify([remoteError.message, remoteError.context, remoteError.internalMessage]);
  assert.ok(!text.includes(secret), "the secret is masked");
  assert.ok(remoteError.context.logTail!.some((l) => l.includes("Using api_key=****")));

  // A plain non-zero exit: the executor's own error, with exit code and the stderr tail.
  const local = new (await import("../../../mod.ts")).SubprocessExecutor({
    command: "sh",
    args: [FAIL_SCRIPT],
    logDir: false,
    name: "source-fail",
  });
  const remote = new RemoteExecutor({ url: server.url, token: TOKEN, connector: "source-fail" });
  const failure = async (run: AsyncIterable<unknown>) => {
    try {
      for await (const _ of run) { /* drain */ }
    } catch (error) {
      return error as SubprocessFailedError;
    }
    throw new Error("no failure");
  };
  const a = await failure(local.execute(["spec"]));
  const b = await failure(remote.execute(["spec"]));
  assert.ok(b instanceof SubprocessFailedError);
  assert.equal(b.context.exitCode, 3);
  assert.equal(b.context.exitCode, a.context.exitCode);
  assert.deepEqual(b.context.logTail, a.context.logTail);
  assert.deepEqual(remote.lastLogLines(), local.lastLogLines());
});

Deno.test("a config that does not match the connector's spec fails with ConfigValidationError through RemoteExecutor too", async () => {
  await using server = await startServer({
    connectors: { "source-counter": { localExecutable: fixture("source_counter.py") } },
  });
  const attempt = async (options: Record<string, unknown>) => {
    try {
      await getSource("source-counter", { ...options, config: { count: "many" } });
    } catch (error) {
      return error as ConfigValidationError;
    }
    throw new Error("accepted");
  };
  const local = await attempt({ localExecutable: fixture("source_counter.py") });
  const remote = await attempt({ remote: { url: server.url, token: TOKEN } });
  assert.ok(remote instanceof ConfigValidationError);
  assert.deepEqual(remote.issues, local.issues);
});

Deno.test("server refusals reach the client as RemoteRefusedError with the status and the fix", async () => {
  await using dir = await tempDir();
  const hang = await markedConnector(dir.path, "source_hang.py");
  await using server = await startServer({
    limits: { concurrentRuns: 1 },
    connectors: {
      "source-counter": { localExecutable: fixture("source_counter.py") },
      "source-hang": { localExecutable: hang.command },
    },
  });
  const refusal = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof RemoteRefusedError, String(error));
      return error;
    }
    throw new Error("not refused");
  };
  let e = await refusal(
    getSource("source-counter", {
      remote: { url: server.url, token: "not-the-token-at-all" },
      config: { count: 1 },
    }),
  );
  assert.equal(e.status, 403);
  assert.match(e.guidance!, /AIRBYTE_TS_SERVER_TOKEN/);
  e = await refusal(
    getSource("source-faker", { remote: { url: server.url, token: TOKEN }, config: { count: 1 } }),
  );
  assert.deepEqual([e.status, e.reason], [404, "connector_not_allowed"]);
  assert.match(e.guidance!, /allowlist/);

  // One run at a time: a second one is refused with 429 while the first runs.
  const abort = new AbortController();
  const hanging = await getSource("source-hang", { remote: { url: server.url, token: TOKEN }, config: {} });
  const records = hanging.getRecords("forever", { signal: abort.signal })[Symbol.asyncIterator]();
  await records.next();
  e = await refusal(
    getSource("source-counter", { remote: { url: server.url, token: TOKEN }, config: { count: 1 } }),
  );
  assert.deepEqual([e.status, e.reason], [429, "busy"]);
  assert.match(e.message, /1 are running/);
  abort.abort();
  await records.next().catch(() => {});
  assert.ok(await eventually(() => server.app.activeRuns === 0));
});

Deno.test("spec, check and discover are retried after a transient network failure; a read is not (network fault injected by a fetch wrapper)", async () => {
  await using server = await startServer({
    connectors: { "source-counter": { localExecutable: fixture("source_counter.py") } },
  });
  const calls: string[] = [];
  let failNext = 0;
  // The one fault a test cannot provoke on loopback at will: a connection that breaks mid-request.
  const flaky: typeof fetch = (input, init) => {
    const url = String(input);
    calls.push(`${init?.method ?? "GET"} ${url.slice(url.indexOf("/v1/"))}`);
    if (failNext > 0) {
      failNext--;
      return Promise.reject(new TypeError("error sending request: connection reset"));
    }
    return fetch(input, init);
  };
  const source = await getSource("source-counter", {
    remote: { url: server.url, token: TOKEN, fetch: flaky, retryDelayMs: 1 },
    config: { count: 5 },
  });
  failNext = 2;
  calls.length = 0;
  assert.deepEqual(await source.getAvailableStreams(), ["numbers"]);
  assert.deepEqual(calls.filter((c) => c.endsWith("/discover")).length, 3, "two failures, then success");
  failNext = 1;
  calls.length = 0;
  await assert.rejects(
    async () => {
      for await (const _ of source.getRecords("numbers")) { /* drain */ }
    },
    (error: Error) => error.name === "ExecutorUnavailableError" && /not retried/.test(error.message),
  );
  assert.deepEqual(calls, ["POST /v1/connectors/source-counter/read"], "the read was tried once");
  failNext = 3;
  await assert.rejects(() => source.check(), /connection reset/);
});

Deno.test("aborting a remote read ends the connector's whole process tree on the server", async () => {
  await using dir = await tempDir();
  const hang = await markedConnector(dir.path, "source_hang.py");
  await using server = await startServer({
    connectors: { "source-hang": { localExecutable: hang.command } },
  });
  const source = await getSource("source-hang", { remote: { url: server.url, token: TOKEN }, config: {} });
  const abort = new AbortController();
  const reason = new Error("stop now");
  await assert.rejects(async () => {
    for await (const _ of source.getRecords("forever", { signal: abort.signal })) {
      // The first record arrives after the connector started its children: all of them run now.
      assert.ok((await hang.processes()).length >= 2);
      abort.abort(reason);
    }
  }, (error) => error === reason);
  assert.ok(await eventually(() => server.app.activeRuns === 0), "the run ended on the server");
  assert.ok(
    await eventually(async () => (await hang.processes()).length === 0),
    "no process of the connector is left",
  );
  assert.ok(server.logs.some((l) => /source-hang read client gone/.test(l)), server.logs.join("\n"));
});

Deno.test("stopping getRecords early (limit) ends the connector on the server", async () => {
  await using dir = await tempDir();
  const counter = await markedConnector(dir.path, "source_counter.py");
  await using server = await startServer({
    connectors: { "source-counter": { localExecutable: counter.command } },
  });
  const source = await getSource("source-counter", {
    remote: { url: server.url, token: TOKEN },
    config: { count: 50_000_000 },
  });
  let n = 0;
  for await (const _ of source.getRecords("numbers", { limit: 5 })) n++;
  assert.equal(n, 5);
  assert.ok(await eventually(() => server.app.activeRuns === 0), "the run ended on the server");
  assert.ok(
    await eventually(async () => (await counter.processes()).length === 0),
    "no process of the connector is left",
  );
});

Deno.test("a run past the server's time limit ends with RemoteRefusedError 504 and no process left", async () => {
  await using dir = await tempDir();
  const hang = await markedConnector(dir.path, "source_hang.py");
  await using server = await startServer({
    limits: { runTimeoutSeconds: 1 },
    connectors: { "source-hang": { localExecutable: hang.command } },
  });
  // One run (no spec or discover first, which a busy machine could take past the limit as well).
  const executor = new RemoteExecutor({ url: server.url, token: TOKEN, connector: "source-hang" });
  const catalog = {
    streams: [{
      stream: { name: "forever", json_schema: {}, supported_sync_modes: ["full_refresh"] },
      sync_mode: "full_refresh",
      destination_sync_mode: "overwrite",
    }],
  };
  const files = { "--config": "{}", "--catalog": JSON.stringify(catalog) };
  let output = "";
  await assert.rejects(
    async () => {
      for await (const chunk of executor.execute(["read"], { files })) {
        output += new TextDecoder().decode(chunk);
      }
    },
    (error) => error instanceof RemoteRefusedError && error.status === 504 && error.reason === "run_timeout",
  );
  // What came before the limit was delivered (the connector's one record, if it started in time).
  assert.ok(output === "" || output.includes('"RECORD"'), output);
  assert.ok(await eventually(() => server.app.activeRuns === 0));
  assert.ok(
    await eventually(async () => (await hang.processes()).length === 0),
    "no process of the connector is left",
  );
});

for (const upload of ["stream", "chunks"] as const) {
  Deno.test(`Destination.write straight through a remote destination delivers the same records and states as locally (${upload} upload)`, async () => {
    await using dir = await tempDir();
    await using server = await startServer({
      // Small chunks, so that a write takes many of them.
      limits: { inputChunkBytes: 64 * 1024 },
      connectors: {
        "source-counter": { localExecutable: fixture("source_counter.py") },
        "destination-jsonl": { pipUrl: DESTINATION_JSONL_PIP },
      },
    });
    const config = { count: 3000, second_stream: true, state_every: 700 };
    const write = async (remote: boolean, out: string) => {
      const where = remote
        ? { remote: { url: server.url, token: TOKEN, upload, chunkBytes: 16 * 1024 } }
        : { pipUrl: DESTINATION_JSONL_PIP };
      const source = await getSource(
        "source-counter",
        remote ? { remote: { url: server.url, token: TOKEN }, config } : {
          localExecutable: fixture("source_counter.py"),
          config,
        },
      );
      const destination = await getDestination("destination-jsonl", { ...where, config: { path: out } });
      return await destination.write(source, { cache: false, streams: "*", progress: "none" });
    };
    const local = await write(false, `${dir.path}/local`);
    const remote = await write(true, `${dir.path}/remote`);
    assert.equal(remote.processedRecords, 6000);
    assert.equal(remote.processedRecords, local.processedRecords);
    assert.equal(remote.confirmedRecords, local.confirmedRecords);
    for (const stream of ["numbers", "letters"]) {
      const a = await jsonlLines(`${dir.path}/local/${stream}.jsonl`);
      const b = await jsonlLines(`${dir.path}/remote/${stream}.jsonl`);
      assert.equal(b.length, 3000);
      assert.deepEqual(b, a, stream);
    }
    const stats = JSON.parse(await Deno.readTextFile(`${dir.path}/remote/_stats.json`));
    assert.equal(stats.completed, true);
    assert.equal(
      stats.states_echoed,
      JSON.parse(await Deno.readTextFile(`${dir.path}/local/_stats.json`)).states_echoed,
    );
    assert.deepEqual(remote.getStateProvider().stateMessages, local.getStateProvider().stateMessages);
  });
}

for (const upload of ["stream", "chunks"] as const) {
  Deno.test(`a remote destination that fails mid-write throws ConnectorFailedError and ends the remote source's run too (${upload} upload)`, async () => {
    await using dir = await tempDir();
    const counter = await markedConnector(dir.path, "source_counter.py");
    await using server = await startServer({
      connectors: {
        "source-counter": { localExecutable: counter.command },
        "destination-jsonl": { pipUrl: DESTINATION_JSONL_PIP },
      },
    });
    const remote = { url: server.url, token: TOKEN, upload };
    const source = await getSource("source-counter", { remote, config: { count: 5_000_000 } });
    const destination = await getDestination("destination-jsonl", {
      remote,
      config: { path: `${dir.path}/out`, fail_after_records: 100 },
      logger: memoryLogger(),
    });
    await assert.rejects(
      () => destination.write(source, { cache: false, streams: "*", progress: "none" }),
      (error) => error instanceof ConnectorFailedError && error.failureType === "system_error",
    );
    assert.ok(await eventually(() => server.app.activeRuns === 0), "both runs ended on the server");
    assert.ok(
      await eventually(async () => (await counter.processes()).length === 0),
      "no process of the connector is left",
    );
    assert.equal((await jsonlLines(`${dir.path}/out/numbers.jsonl`)).length, 100);
  });
}

Deno.test("a connector the server cannot install reaches the client as ConnectorInstallError", async () => {
  await using server = await startServer({
    connectors: { "source-remote-missing-zz": { pipUrl: "airbyte-source-this-does-not-exist-zz==1.0" } },
  });
  const error = await getSource("source-remote-missing-zz", { remote: { url: server.url, token: TOKEN } })
    .then((source) => source.spec())
    .catch((e) => e);
  assert.ok(error instanceof ConnectorInstallError, String(error));
  assert.match(error.message, /airbyte-source-this-does-not-exist-zz/);
  assert.equal(server.app.activeRuns, 0);
});
