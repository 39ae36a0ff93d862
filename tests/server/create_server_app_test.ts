// The server's HTTP protocol, spoken by hand with fetch: the NDJSON of a run, chunked input,
// cancelling a run, and what it keeps out of its logs.
import assert from "node:assert/strict";
import { SubprocessExecutor } from "../../mod.ts";
import { fixture, tempDir } from "../_support.ts";
import { auth, eventually, markedConnector, startServer } from "./_harness.ts";

const CATALOG = (stream: string) => ({
  streams: [{
    stream: { name: stream, json_schema: {}, supported_sync_modes: ["full_refresh"] },
    sync_mode: "full_refresh",
    destination_sync_mode: "overwrite",
  }],
});

function splitBody(text: string): { start: any; middle: string; end: any } {
  const first = text.indexOf("\n");
  const last = text.lastIndexOf("\n");
  return {
    start: JSON.parse(text.slice(0, first)),
    middle: text.slice(first + 1, last + 1),
    end: JSON.parse(text.slice(last + 1)),
  };
}

Deno.test("a run answers NDJSON: a start line, the connector's stdout byte for byte, and an end line with the outcome", async () => {
  await using server = await startServer({
    connectors: {
      "source-counter": { localExecutable: fixture("source_counter.py") },
      "source-garbage": { localExecutable: fixture("source_garbage.py") },
    },
  });
  const response = await fetch(`${server.url}/v1/connectors/source-counter/spec`, {
    method: "POST",
    headers: auth(),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/x-ndjson");
  const run = response.headers.get("x-airbyte-ts-run");
  const { start, middle, end } = splitBody(await response.text());
  assert.deepEqual(start, {
    type: "AIRBYTE_TS_RUN_START",
    run,
    connector: "source-counter",
    verb: "spec",
    protocol: 1,
  });
  let local = "";
  const decoder = new TextDecoder();
  const executor = new SubprocessExecutor({ command: fixture("source_counter.py"), logDir: false });
  for await (const chunk of executor.execute(["spec"])) {
    local += decoder.decode(chunk, { stream: true });
  }
  assert.equal(middle, local);
  assert.deepEqual(end, { type: "AIRBYTE_TS_RUN_END", run, ok: true, exitCode: 0, logTail: [] });

  // A connector whose last line lacks its newline: the server adds one before the end line.
  const garbage = await fetch(`${server.url}/v1/connectors/source-garbage/read`, {
    method: "POST",
    headers: auth(),
    body: JSON.stringify({ config: { big_string_bytes: 10 }, catalog: CATALOG("items") }),
  });
  const parts = splitBody(await garbage.text());
  assert.match(parts.middle, /"note":"trunc\n$/);
  assert.equal(parts.end.ok, true);
});

Deno.test("a write's input can come in numbered chunks; out of order is 409, after the end 404, too large 413", async () => {
  await using server = await startServer({
    limits: { inputChunkBytes: 4096 },
    // A destination that echoes its input: `sh -c cat write --config … --catalog …`.
    connectors: { "destination-echo": { localExecutable: "sh", args: ["-c", "cat"] } },
  });
  const response = await fetch(`${server.url}/v1/connectors/destination-echo/write`, {
    method: "POST",
    headers: auth({ "x-airbyte-ts-input": "chunks" }),
    body: JSON.stringify({ config: {}, catalog: CATALOG("s") }),
  });
  assert.equal(response.status, 200);
  const run = response.headers.get("x-airbyte-ts-run")!;
  const input = (seq: number, body: string, last = false) =>
    fetch(`${server.url}/v1/runs/${run}/input`, {
      method: "POST",
      headers: auth({ "x-airbyte-ts-seq": String(seq), ...(last ? { "x-airbyte-ts-last": "1" } : {}) }),
      body,
    });
  const text = response.text();
  let answer = await input(1, "early\n");
  assert.equal(answer.status, 409);
  assert.match((await answer.json()).error.message, /expects chunk 0/);
  answer = await input(0, "x".repeat(5000));
  assert.equal(answer.status, 413);
  await answer.body?.cancel();
  assert.equal((await input(0, "one\ntwo\n")).status, 204);
  assert.equal((await input(1, "three\n", true)).status, 204);
  const { middle, end } = splitBody(await text);
  assert.equal(middle, "one\ntwo\nthree\n");
  assert.equal(end.ok, true);
  answer = await input(2, "late\n");
  assert.equal(answer.status, 404);
  assert.equal((await answer.json()).error.reason, "run_not_found");
});

Deno.test("a streamed write's input line over the limit ends the run with a 413 refusal", async () => {
  await using server = await startServer({
    limits: { inputChunkBytes: 4096 },
    connectors: { "destination-echo": { localExecutable: "sh", args: ["-c", "cat"] } },
  });
  const head = JSON.stringify({ config: {}, catalog: CATALOG("s") });
  const response = await fetch(`${server.url}/v1/connectors/destination-echo/write`, {
    method: "POST",
    headers: auth(),
    body: `${head}\nshort\n${"y".repeat(10_000)}\n`,
  });
  const { end } = splitBody(await response.text());
  assert.equal(end.ok, false);
  assert.equal(end.error.status, 413);
  assert.equal(end.error.reason, "too_large");
});

Deno.test("DELETE /v1/runs/<id> ends a run and its connector", async () => {
  await using dir = await tempDir();
  const hang = await markedConnector(dir.path, "source_hang.py");
  await using server = await startServer({
    connectors: { "source-hang": { localExecutable: hang.command } },
  });
  const response = await fetch(`${server.url}/v1/connectors/source-hang/read`, {
    method: "POST",
    headers: auth(),
    body: JSON.stringify({ config: {}, catalog: CATALOG("forever") }),
  });
  const run = response.headers.get("x-airbyte-ts-run")!;
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes('"RECORD"')) text += (await reader.read()).value ?? "";
  assert.ok((await hang.processes()).length > 0);
  const cancel = await fetch(`${server.url}/v1/runs/${run}`, { method: "DELETE", headers: auth() });
  assert.equal(cancel.status, 204);
  assert.ok(await eventually(() => server.app.activeRuns === 0));
  assert.ok(
    await eventually(async () => (await hang.processes()).length === 0),
    "no process of the connector is left",
  );
  await reader.cancel().catch(() => {});
  const again = await fetch(`${server.url}/v1/runs/${run}`, { method: "DELETE", headers: auth() });
  assert.equal(again.status, 404);
  await again.body?.cancel();
});

Deno.test("config secrets appear neither in the server's log nor in its per-run log files, and the log tail it sends back is masked", async () => {
  await using dir = await tempDir();
  const secret = `sk-live-${crypto.randomUUID()}`;
  await using server = await startServer({
    logDir: `${dir.path}/logs`,
    connectors: { "source-trace-error": { localExecutable: fixture("source_trace_error.py") } },
  });
  const response = await fetch(`${server.url}/v1/connectors/source-trace-error/read`, {
    method: "POST",
    headers: auth(),
    body: JSON.stringify({ config: { api_key: secret }, catalog: CATALOG("accounts") }),
  });
  const text = await response.text();
  const end = JSON.parse(text.slice(text.lastIndexOf("\n") + 1));
  assert.equal(end.ok, false);
  assert.equal(end.exitCode, 1);
  assert.ok(
    end.logTail.some((l: string) => l === "Using api_key=**** for account 42"),
    JSON.stringify(end.logTail),
  );
  assert.ok(!JSON.stringify(end).includes(secret));
  assert.ok(!server.logs.join("\n").includes(secret));
  const files = [...Deno.readDirSync(`${dir.path}/logs`)].map((f) =>
    Deno.readTextFileSync(`${dir.path}/logs/${f.name}`)
  );
  assert.ok(files.length > 0, "the connector's runs were logged");
  assert.ok(files.some((f) => f.includes("api_key=****")));
  assert.ok(!files.some((f) => f.includes(secret)));
  // The connector's stdout is the client's own data and passes unchanged (the client masks its logs).
  assert.ok(text.includes(`Authenticating with key ${secret}`));
});

Deno.test("GET /v1/connectors lists the allowlist, and /health needs no token", async () => {
  await using server = await startServer({
    connectors: {
      "source-a": { localExecutable: "/bin/true" },
      "source-b.v2": { localExecutable: "/bin/true" },
    },
  });
  const list = await fetch(`${server.url}/v1/connectors`, { headers: auth() });
  assert.deepEqual(await list.json(), { connectors: ["source-a", "source-b.v2"] });
  const health = await fetch(`${server.url}/health`);
  assert.deepEqual([health.status, await health.json()], [200, { status: "ok" }]);
});
