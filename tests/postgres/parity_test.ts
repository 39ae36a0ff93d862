// What real connectors (faker, source-file) send, read into PostgresCache (real server) and into
// DuckDBCache (real DuckDB-WASM): the same streams, row counts, columns (by name, in order) and values.
import assert from "node:assert/strict";
import {
  type Cache,
  DuckDBCache,
  getSource,
  type InProcessConnector,
  PostgresCache,
  type Source,
  VenvExecutor,
} from "../../mod.ts";
import { toStreamColumns } from "../../src/arrow/stream_columns.ts";
import { faker, SOURCE_FILE_STEPS, tempDir } from "../_support.ts";
import { testDatabase } from "../_services/postgres.ts";

/** Columns that differ between any two reads: the row id, when it was extracted, and the sync id. */
const PER_READ = new Set(["_airbyte_raw_id", "_airbyte_extracted_at", "_airbyte_meta"]);

/** A stream's rows as comparable objects: JSON columns parsed, meta reduced to its changes, sorted. */
async function snapshot(cache: Cache, stream: string, key: string) {
  const entry = (await cache.listStreamTables()).find((t) => t.stream === stream)!;
  const json = new Set(toStreamColumns(entry.jsonSchema).filter((c) => c.kind === "json").map((c) => c.name));
  const dataset = cache.get(stream);
  const rows = (await dataset.toArray()).map((row) => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(row)) {
      if (PER_READ.has(name)) continue;
      out[name] = json.has(name) && typeof value === "string" ? JSON.parse(value) : value;
    }
    out._changes = JSON.parse(String(row._airbyte_meta)).changes;
    return out;
  });
  rows.sort((a, b) => String(a[key]).localeCompare(String(b[key]), "en", { numeric: true }));
  return { count: await dataset.count(), columns: await dataset.columns, rows };
}

/**
 * One run of a real connector, recorded: its catalog and the RECORD and STATE messages exactly as
 * it sent them, to be replayed into both caches (connector runs are slow here, and faker's are not
 * repeatable: it generates purchases in parallel and stamps `updated_at` with the read's time).
 */
async function recorded(source: Source): Promise<() => Promise<Source>> {
  const catalog = await source.discover();
  const { catalog: configured } = source.planRead({ streams: "*" });
  const messages: { type: string }[] = [];
  for await (const batch of source.readMessageBatches(configured, undefined, {})) {
    messages.push(...batch.filter((m) => m.type === "RECORD" || m.type === "STATE"));
  }
  assert.ok(messages.some((m) => m.type === "RECORD"));
  const connector: InProcessConnector = {
    name: source.name,
    spec: () => Promise.resolve({ connectionSpecification: { type: "object", properties: {} } }),
    check: () => Promise.resolve({ status: "SUCCEEDED" }),
    discover: () => Promise.resolve(catalog as unknown as Record<string, unknown>),
    read: () => messages,
  };
  return () => getSource(source.name, { connector, config: {} });
}

async function compare(source: Source, pg: PostgresCache, duck: DuckDBCache, key: string) {
  const replay = await recorded(source);
  await (await replay()).read({ cache: duck, streams: "*", progress: "none" });
  await (await replay()).read({ cache: pg, streams: "*", progress: "none" });
  const streams = (await duck.streams).sort();
  assert.deepEqual((await pg.streams).sort(), streams);
  assert.ok(streams.length > 0);
  for (const stream of streams) {
    const [a, b] = [await snapshot(duck, stream, key), await snapshot(pg, stream, key)];
    assert.ok(a.count > 0, stream);
    assert.equal(b.count, a.count, `${stream}: row count`);
    assert.deepEqual(b.columns, a.columns, `${stream}: columns`);
    assert.deepEqual(b.rows, a.rows, `${stream}: values`);
  }
}

Deno.test("faker's records read into PostgresCache give the rows, columns and values DuckDBCache gets", async () => {
  await using db = await testDatabase("parity_faker");
  await using pg = new PostgresCache({ url: db.url, schemaName: "faker" });
  await using duck = new DuckDBCache({ path: ":memory:" });
  await compare(await faker({ count: 300, seed: 7 }), pg, duck, "id");
});

function sourceFile(config: Record<string, unknown>) {
  return getSource("source-file", {
    executor: new VenvExecutor({
      name: "source-file",
      pipUrl: "airbyte-source-file==0.6.0",
      installSteps: SOURCE_FILE_STEPS,
    }),
    config: { ...config, provider: { storage: "local" } },
  });
}

Deno.test("source-file's records (CSV, and JSON lines with nested objects) give the same in PostgresCache and DuckDBCache", async () => {
  await using dir = await tempDir();
  const csv = `${dir.path}/people.csv`;
  await Deno.writeTextFile(
    csv,
    "id,name,score,active,joined,note\n" +
      '1,Ada,9.5,true,2024-01-02,"comma, quoted"\n' +
      "2,Grace,8.25,false,2023-12-31,\n" +
      "3,Linus,7,true,2022-06-01,ünïcödé ✓\n",
  );
  const jsonl = `${dir.path}/orders.jsonl`;
  await Deno.writeTextFile(
    jsonl,
    [
      { id: 10, customer: { name: "Ada", tags: ["vip"] }, total: 12.5, lines: [{ sku: "a", qty: 2 }] },
      { id: 11, customer: { name: "Grace", tags: [] }, total: 0.1, lines: [] },
      { id: 12, customer: null, total: 1e21, lines: [{ sku: 'b"c\\d', qty: 1 }] },
    ].map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
  await using db = await testDatabase("parity_file");
  {
    await using pg = new PostgresCache({ url: db.url, schemaName: "people" });
    await using duck = new DuckDBCache({ path: ":memory:" });
    await compare(await sourceFile({ dataset_name: "people", format: "csv", url: csv }), pg, duck, "id");
  }
  {
    await using pg = new PostgresCache({ url: db.url, schemaName: "orders" });
    await using duck = new DuckDBCache({ path: ":memory:" });
    await compare(await sourceFile({ dataset_name: "orders", format: "jsonl", url: jsonl }), pg, duck, "id");
  }
});
