// The page script of the browser smoke test (bundled by ../browser_smoke.ts, run in Chromium).
// Each check runs for real in the page; the outcome is left in `window.__result` for the harness.
import * as airbyte from "../../../mod.ts";
import * as duckdb from "@duckdb/duckdb-wasm";

interface CheckOutcome {
  name: string;
  ok: boolean;
  detail?: string;
}

const checks: CheckOutcome[] = [];
const scope = globalThis as typeof globalThis & { __result?: unknown; __duckdbAssetsBase?: string };
// Read exports by name at run time, so that a missing one fails its check instead of the bundle.
const api = airbyte as unknown as Record<string, any>;

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function check(name: string, body: () => unknown): Promise<void> {
  try {
    await body();
    checks.push({ name, ok: true });
  } catch (error) {
    checks.push({ name, ok: false, detail: String((error as Error)?.stack ?? error) });
  }
}

await check("mod.ts loads in the browser with its main exports", () => {
  const expected = ["getSource", "DuckDBCache", "AirbyteMessageIterator", "AirbyteError", "ProtocolError"];
  const missing = expected.filter((name) => api[name] === undefined);
  expect(missing.length === 0, `missing exports: ${missing.join(", ")}`);
});

await check("AirbyteMessageIterator parses message lines", async () => {
  const lines = [
    '{"type":"LOG","log":{"level":"INFO","message":"starting"}}',
    '{"type":"RECORD","record":{"stream":"users","data":{"id":1,"name":"Ada"},"emitted_at":1700000000000}}',
    '{"type":"RECORD","record":{"stream":"users","data":{"id":2,"name":"Grace"},"emitted_at":1700000000000}}',
    '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"id":2}}}}',
  ];
  const messages = await api.AirbyteMessageIterator.fromLines(lines).toArray();
  expect(
    messages.map((m: { type: string }) => m.type).join(",") === "LOG,RECORD,RECORD,STATE",
    `unexpected message types: ${JSON.stringify(messages)}`,
  );
  expect(messages[2].record.data.name === "Grace", "record data was not kept");
});

await check("duckdb-wasm runs a query in a worker from the served bundles", async () => {
  const base = scope.__duckdbAssetsBase;
  expect(base, "index.html did not set __duckdbAssetsBase");
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: `${base}duckdb-mvp.wasm`, mainWorker: `${base}duckdb-browser-mvp.worker.js` },
    eh: { mainModule: `${base}duckdb-eh.wasm`, mainWorker: `${base}duckdb-browser-eh.worker.js` },
  });
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  try {
    await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
    const conn = await db.connect();
    const table = await conn.query("SELECT 40 + 2 AS answer");
    expect(Number(table.getChild("answer")?.get(0)) === 42, "SELECT 40 + 2 did not return 42");
    await conn.close();
  } finally {
    await db.terminate();
  }
});

// A small source written in TypeScript, run in the page through the InProcessExecutor.
const numbersConnector = {
  name: "source-numbers",
  spec: () =>
    Promise.resolve({
      connectionSpecification: {
        type: "object",
        required: ["count"],
        properties: { count: { type: "integer" } },
      },
    }),
  check: () => Promise.resolve({ status: "SUCCEEDED" }),
  discover: () =>
    Promise.resolve({
      streams: [{
        name: "numbers",
        json_schema: { type: "object", properties: { i: { type: "integer" }, square: { type: "integer" } } },
        supported_sync_modes: ["full_refresh"],
      }],
    }),
  async *read(config: Record<string, unknown>) {
    for (let i = 0; i < (config.count as number); i++) {
      yield {
        type: "RECORD",
        record: { stream: "numbers", data: { i, square: i * i }, emitted_at: Date.now() },
      };
    }
  },
};

await check("an in-process source runs in the page: check, discover and getRecords", async () => {
  const source = await api.getSource("source-numbers", { connector: numbersConnector, config: { count: 5 } });
  await source.check();
  const streams: string[] = await source.getAvailableStreams();
  expect(streams.join(",") === "numbers", `unexpected streams: ${streams}`);
  const records: Record<string, unknown>[] = [];
  for await (const record of source.getRecords("numbers")) records.push(record);
  expect(records.length === 5, `expected 5 records, got ${records.length}`);
  expect(records[4].square === 16, `unexpected last record: ${JSON.stringify(records[4])}`);
});

await check("an in-memory cache ingests an in-process source's records and answers cache.sql()", async () => {
  const source = await api.getSource("source-numbers", {
    connector: numbersConnector,
    config: { count: 1000 },
  });
  const cache = new api.DuckDBCache({
    path: ":memory:",
    assetsBaseUrl: new URL(scope.__duckdbAssetsBase!, location.href),
  });
  try {
    const result = await source.read({ cache, streams: ["numbers"], progress: "none" });
    expect(result.processedRecords === 1000, `processed ${result.processedRecords}`);
    expect(await result.get("numbers").count() === 1000, "count() is not 1000");
    const table = await cache.sql("SELECT sum(square)::BIGINT AS s, max(i)::INTEGER AS m FROM numbers");
    const row = table.get(0)!;
    expect(Number(row.s) === 332833500 && Number(row.m) === 999, `unexpected sum ${row.s} / max ${row.m}`);
    const first = (await cache.get("numbers").toArray())[0];
    expect(typeof first._airbyte_raw_id === "string", "the Airbyte columns are there");
  } finally {
    await cache.close();
  }
});

// A source whose records nest an object, to query with DuckDB's JSON functions.
const peopleConnector = {
  ...numbersConnector,
  name: "source-people",
  discover: () =>
    Promise.resolve({
      streams: [{
        name: "people",
        json_schema: {
          type: "object",
          properties: {
            id: { type: "integer" },
            address: { type: "object", properties: { city: { type: "string" }, zip: { type: "string" } } },
          },
        },
        supported_sync_modes: ["full_refresh"],
      }],
    }),
  async *read() {
    const cities = ["Oslo", "Zürich", "Lima"];
    for (let id = 0; id < 30; id++) {
      yield {
        type: "RECORD",
        record: {
          stream: "people",
          data: { id, address: { city: cities[id % 3], zip: String(1000 + id), tags: [id, "x"] } },
          emitted_at: Date.now(),
        },
      };
    }
  },
};

await check(
  "cache.sql reaches nested JSON with json_extract_string, -> and ->> (no json extension)",
  async () => {
    const source = await api.getSource("source-people", { connector: peopleConnector, config: { count: 0 } });
    const cache = new api.DuckDBCache({
      path: ":memory:",
      assetsBaseUrl: new URL(scope.__duckdbAssetsBase!, location.href),
    });
    try {
      await source.read({ cache, streams: ["people"], progress: "none" });
      const table = await cache.sql(
        "SELECT json_extract_string(address, '$.city') AS a, address->>'$.city' AS b, address->'tags'->>1 AS t, " +
          "json_array_length(address, '$.tags')::INTEGER AS n, json_keys(address) AS k FROM people WHERE id = 1",
      );
      const row = table.get(0)!;
      expect(row.a === "Zürich" && row.b === "Zürich", `unexpected city ${row.a} / ${row.b}`);
      expect(row.t === "x" && row.n === 2, `unexpected tags ${row.t} / ${row.n}`);
      expect([...row.k].join() === "city,zip,tags", `unexpected keys ${[...row.k]}`);
      const count = await cache.sql(
        "SELECT count(*)::INTEGER AS n FROM people WHERE address->>'city' = 'Oslo'",
      );
      expect(count.get(0)!.n === 10, `unexpected count ${count.get(0)!.n}`);
      let message = "";
      await cache.sql("SELECT json_group_array(address) FROM people").catch((e: Error) =>
        message = e.message
      );
      expect(message.includes("list(x)") && !message.includes("INSTALL"), `unexpected error: ${message}`);
    } finally {
      await cache.close();
    }
  },
);

await check("an OPFS cache keeps records and state across a reopen in the same page", async () => {
  const assetsBaseUrl = new URL(scope.__duckdbAssetsBase!, location.href);
  const path = `opfs://smoke-${Date.now()}.duckdb`;
  const source = await api.getSource("source-numbers", {
    connector: numbersConnector,
    config: { count: 50 },
  });
  const first = new api.DuckDBCache({ path, assetsBaseUrl });
  await source.read({ cache: first, streams: ["numbers"], progress: "none" });
  await first.close();
  const again = new api.DuckDBCache({ path, assetsBaseUrl });
  try {
    expect(await again.get("numbers").count() === 50, "the OPFS cache lost its rows");
    const json = await again.sql(`SELECT '{"a":[1,2]}'->'a'->>1 AS v`);
    expect(json.get(0)!.v === "2", "the JSON functions are missing after a reopen");
  } finally {
    await again.close();
  }
});

scope.__result = { ok: checks.every((c) => c.ok), checks };
document.getElementById("out")!.textContent = JSON.stringify(scope.__result, null, 2);
