// What the server refuses, with which status, and that a refused request never starts a connector
// (each connector is wrapped so that its starts are counted and its processes carry a marker that
// `ps` can find) and leaves the server serving.
import assert from "node:assert/strict";
import { tempDir } from "../_support.ts";
import { auth, eventually, markedConnector, startServer, TOKEN } from "./_harness.ts";

const ALLOWED_ORIGIN = "http://127.0.0.1:5173";

async function setup(dir: string) {
  const counter = await markedConnector(dir, "source_counter.py");
  const hang = await markedConnector(dir, "source_hang.py");
  const server = await startServer({
    corsOrigins: [ALLOWED_ORIGIN],
    limits: { concurrentRuns: 2, requestBytes: 64 * 1024 },
    connectors: {
      "source-counter": { localExecutable: counter.command },
      "source-hang": { localExecutable: hang.command },
    },
  });
  return { counter, hang, server };
}

/** The server still answers, and still runs an allowed connector. */
async function assertStillServing(url: string): Promise<void> {
  const health = await fetch(`${url}/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok" });
  const spec = await fetch(`${url}/v1/connectors/source-counter/spec`, { method: "POST", headers: auth() });
  assert.equal(spec.status, 200);
  const text = await spec.text();
  assert.match(text, /"type":"SPEC"/);
  assert.match(text, /"AIRBYTE_TS_RUN_END".*"ok":true/);
}

async function refusal(response: Response): Promise<{ status: number; reason: string; message: string }> {
  const body = await response.json();
  return { status: response.status, reason: body.error.reason, message: body.error.message };
}

Deno.test("server refuses requests without a token (401) or with a wrong one (403), and starts no connector", async () => {
  await using dir = await tempDir();
  const { counter, server } = await setup(dir.path);
  await using _ = server;
  const url = `${server.url}/v1/connectors/source-counter/spec`;
  const cases: [Record<string, string>, number, string][] = [
    [{}, 401, "unauthorized"],
    [{ authorization: "Basic dXNlcjpwYXNz" }, 401, "unauthorized"],
    [{ authorization: "Bearer" }, 401, "unauthorized"],
    [{ authorization: "Bearer wrong-token-0123456789abcdef" }, 403, "forbidden"],
    [{ authorization: `Bearer ${TOKEN}x` }, 403, "forbidden"],
    [{ authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 403, "forbidden"],
  ];
  for (const [headers, status, reason] of cases) {
    const response = await fetch(url, { method: "POST", headers });
    const got = await refusal(response);
    assert.equal(got.status, status, JSON.stringify(headers));
    assert.equal(got.reason, reason);
    if (status === 401) assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.ok(!got.message.includes(TOKEN), "the token is not echoed");
  }
  assert.equal(await counter.starts(), 0);
  assert.deepEqual(await counter.processes(), []);
  await assertStillServing(server.url);
  assert.equal(await counter.starts(), 1);
});

Deno.test("server refuses connectors outside its allowlist (404) and names with traversal or shell characters (400), starting nothing", async () => {
  await using dir = await tempDir();
  const { counter, server } = await setup(dir.path);
  await using _ = server;
  const cases: [string, number, string][] = [
    ["source-faker", 404, "connector_not_allowed"],
    ["constructor", 404, "connector_not_allowed"],
    ["__proto__", 400, "bad_connector_name"],
    ["..%2F..%2Fbin%2Fsh", 400, "bad_connector_name"],
    ["source-counter%3Btouch%20%2Ftmp%2Fpwned", 400, "bad_connector_name"],
    ["%24(touch%20x)", 400, "bad_connector_name"],
    ["source-counter%60id%60", 400, "bad_connector_name"],
    ["source-counter%00", 400, "bad_connector_name"],
    ["source-counter%20", 400, "bad_connector_name"],
    [`${counter.command.replaceAll("/", "%2F")}`, 400, "bad_connector_name"],
  ];
  for (const [name, status, reason] of cases) {
    const response = await fetch(`${server.url}/v1/connectors/${name}/spec`, {
      method: "POST",
      headers: auth(),
    });
    const got = await refusal(response);
    assert.deepEqual([got.status, got.reason], [status, reason], name);
  }
  // Paths that leave the route altogether are not found at all.
  for (
    const path of [
      "/v1/connectors/../../etc/passwd",
      "/v1/connectors/%2E%2E/spec",
      "/v1/connectors/a/b/read",
      "/v1/connectors/source-counter/run",
    ]
  ) {
    const response = await fetch(`${server.url}${path}`, { method: "POST", headers: auth() });
    assert.equal(response.status, 404, path);
    await response.body?.cancel();
  }
  assert.equal(await counter.starts(), 0);
  assert.deepEqual(await counter.processes(), []);
  await assertStillServing(server.url);
});

Deno.test("server refuses an oversized run request with 413 and a malformed one with 400, starting nothing", async () => {
  await using dir = await tempDir();
  const { counter, server } = await setup(dir.path);
  await using _ = server;
  const url = `${server.url}/v1/connectors/source-counter/check`;
  const big = JSON.stringify({ config: { count: 1, padding: "x".repeat(100 * 1024) } });
  // Declared too large: refused before the body is read.
  let got = await refusal(await fetch(url, { method: "POST", headers: auth(), body: big }));
  assert.deepEqual([got.status, got.reason], [413, "too_large"]);
  assert.match(got.message, /65536 bytes/);
  // Streamed with no length: refused once the limit is passed.
  const streamed = new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(big);
      for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
      controller.close();
    },
  });
  got = await refusal(
    await fetch(url, { method: "POST", headers: auth(), body: streamed, duplex: "half" } as RequestInit),
  );
  assert.deepEqual([got.status, got.reason], [413, "too_large"]);

  const malformed: [string, string, RegExp][] = [
    ["check", "this is not json", /JSON/],
    ["check", "[1,2,3]", /JSON object/],
    ["check", '{"config": "count=1"}', /'config'/],
    ["check", "{}", /without 'config'/],
    ["check", '{"config": {}, "command": "rm -rf /"}', /'command'/],
    ["check", '{"config": {}, "files": {"--config": "/etc/passwd"}}', /'files'/],
    ["read", '{"config": {"count": 1}}', /without 'catalog'/],
    ["read", '{"config": {"count": 1}, "catalog": {"streams": 3}}', /'streams'/],
    ["read", '{"config": {"count": 1}, "catalog": {"streams": []}, "state": "x"}', /'state'/],
    ["spec", '{"config": {}}', /'config'/],
  ];
  for (const [verb, body, message] of malformed) {
    const response = await fetch(`${server.url}/v1/connectors/source-counter/${verb}`, {
      method: "POST",
      headers: auth(),
      body,
    });
    got = await refusal(response);
    assert.deepEqual([got.status, got.reason], [400, "bad_request"], body);
    assert.match(got.message, message);
  }
  const invalidUtf8 = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
  got = await refusal(await fetch(url, { method: "POST", headers: auth(), body: invalidUtf8 }));
  assert.deepEqual([got.status, got.reason], [400, "bad_request"]);
  assert.equal(await counter.starts(), 0);
  assert.deepEqual(await counter.processes(), []);
  await assertStillServing(server.url);
});

Deno.test("server refuses a run beyond its concurrency limit with 429 and starts no connector for it", async () => {
  await using dir = await tempDir();
  const { counter, hang, server } = await setup(dir.path);
  await using _ = server;
  const readHang = () =>
    fetch(`${server.url}/v1/connectors/source-hang/read`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({
        config: {},
        catalog: {
          streams: [{
            stream: { name: "forever", json_schema: {}, supported_sync_modes: ["full_refresh"] },
            sync_mode: "full_refresh",
            destination_sync_mode: "overwrite",
          }],
        },
      }),
    });
  // Two runs fill the limit; each is running once its first record has arrived.
  const running = await Promise.all([readHang(), readHang()]);
  const readers = running.map((r) => r.body!.pipeThrough(new TextDecoderStream()).getReader());
  for (const reader of readers) {
    let text = "";
    while (!text.includes('"RECORD"')) text += (await reader.read()).value ?? "";
  }
  assert.equal(server.app.stats().runsStarted, 2);
  assert.equal(server.app.activeRuns, 2);

  const response = await fetch(`${server.url}/v1/connectors/source-counter/spec`, {
    method: "POST",
    headers: auth(),
  });
  const got = await refusal(response);
  assert.deepEqual([got.status, got.reason], [429, "busy"]);
  assert.equal(response.headers.get("retry-after"), "5");
  assert.match(got.message, /2 are running/);
  assert.equal(await counter.starts(), 0);
  assert.deepEqual(await counter.processes(), []);

  // Ending one run frees its slot; the hung connector's processes are gone.
  await readers[0].cancel();
  assert.ok(await eventually(() => server.app.activeRuns === 1), "the cancelled run ended");
  await assertStillServing(server.url);
  await readers[1].cancel();
  assert.ok(await eventually(() => server.app.activeRuns === 0));
  assert.ok(
    await eventually(async () => (await hang.processes()).length === 0),
    "no process of the connector is left",
  );
});

Deno.test("server refuses a browser origin it was not configured for (403) and answers the allowed one with CORS headers", async () => {
  await using dir = await tempDir();
  const { counter, server } = await setup(dir.path);
  await using _ = server;
  const url = `${server.url}/v1/connectors/source-counter/spec`;
  for (const origin of ["https://evil.example", "http://127.0.0.1:5174", "null"]) {
    const preflight = await fetch(url, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    assert.equal(preflight.status, 403, origin);
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    await preflight.body?.cancel();
    const got = await refusal(await fetch(url, { method: "POST", headers: auth({ origin }) }));
    assert.deepEqual([got.status, got.reason], [403, "origin_not_allowed"], origin);
  }
  assert.equal(await counter.starts(), 0);
  assert.deepEqual(await counter.processes(), []);

  const preflight = await fetch(url, {
    method: "OPTIONS",
    headers: {
      origin: ALLOWED_ORIGIN,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,content-type",
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), ALLOWED_ORIGIN);
  assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);
  await preflight.body?.cancel();
  const run = await fetch(url, { method: "POST", headers: auth({ origin: ALLOWED_ORIGIN }) });
  assert.equal(run.status, 200);
  assert.equal(run.headers.get("access-control-allow-origin"), ALLOWED_ORIGIN);
  assert.match(run.headers.get("access-control-expose-headers") ?? "", /x-airbyte-ts-run/);
  await run.text();
  assert.equal(await counter.starts(), 1);
  await assertStillServing(server.url);
});
