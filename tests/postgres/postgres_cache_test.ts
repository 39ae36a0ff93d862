// Source.read() into PostgresCache on a real PostgreSQL server, with the counter fixture (a real
// connector process) and in-process connectors for schema changes.
import assert from "node:assert/strict";
import {
  AirbyteMessageIterator,
  CacheError,
  getSource,
  type InProcessConnector,
  PostgresCache,
  StreamNotFoundError,
} from "../../mod.ts";
import { counter, fixture } from "../_support.ts";
import { testDatabase } from "../_services/postgres.ts";

function received(lines: string[]): unknown[] {
  const line = lines.find((l) => l.startsWith("RECEIVED_STATE="));
  assert.ok(line, lines.join("\n"));
  return JSON.parse(line.slice("RECEIVED_STATE=".length));
}

Deno.test("an incremental second read passes the stored state to the connector, and merge keeps keys unique", async () => {
  await using db = await testDatabase("incremental");
  await using cache = new PostgresCache({ url: db.url, schemaName: "counter" });
  const first = await counter({ count: 12 });
  await first.read({ cache, streams: ["numbers"], progress: "none" });
  assert.deepEqual(received(first.lastLogLines()), null, "a first read passes no state");
  const stored = (await cache.getStateProvider("source-counter")).getStreamState("numbers");
  assert.deepEqual((stored?.stream as any).stream_state, { updated_at: 12 });

  const second = await counter({ count: 15 });
  const result = await second.read({ cache, streams: ["numbers"], progress: "none" });
  assert.deepEqual((received(second.lastLogLines()) as any[]).map((s) => s.stream.stream_state), [
    { updated_at: 12 },
  ]);
  assert.equal(result.processedRecords, 3, "only ids 13-15 are new");
  assert.equal(await cache.get("numbers").count(), 15);

  // Full refresh with ids 3..17, cursors moved by 10: merge replaces 3..15 and adds 16, 17.
  await (await counter({ count: 15, start: 3, cursor_offset: 10 })).read({
    cache,
    streams: ["numbers"],
    writeStrategy: "merge",
    forceFullRefresh: true,
    progress: "none",
  });
  const { rows } = await db.sql.query(
    "SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, min(updated_at)::int AS lo, max(updated_at)::int AS hi " +
      "FROM counter.numbers",
  );
  assert.deepEqual(rows[0], { n: 17, d: 17, lo: 1, hi: 27 });
  const one = await cache.sql("SELECT updated_at FROM numbers WHERE id = 3");
  assert.equal(one.get(0)?.updated_at, 13n, "the greater cursor won");
});

Deno.test("append, merge and replace keep their promises across reads", async () => {
  await using db = await testDatabase("strategies");
  await using cache = new PostgresCache({ url: db.url });
  const read = async (writeStrategy: "append" | "merge" | "replace", count = 40) =>
    await (await counter({ count })).read({
      cache,
      streams: ["numbers"],
      writeStrategy,
      forceFullRefresh: true,
      progress: "none",
    });
  await read("append");
  await read("append");
  assert.equal(await cache.get("numbers").count(), 80, "append adds every read's rows");
  await read("merge");
  const distinct = await cache.sql(
    "SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d FROM numbers",
  );
  assert.deepEqual([distinct.get(0)?.n, distinct.get(0)?.d], [40, 40], "merge settles the duplicates");
  await read("replace", 7);
  assert.equal(await cache.get("numbers").count(), 7, "replace leaves exactly one read's rows");
  const { rows } = await db.sql.query(
    "SELECT relpersistence FROM pg_class WHERE relname = 'numbers' AND relnamespace = 'airbyte_raw'::regnamespace",
  );
  assert.deepEqual(
    rows,
    [{ relpersistence: "p" }],
    "the swapped-in table is logged (survives a server crash)",
  );
  const stages = await db.sql.query("SELECT relname FROM pg_class WHERE relname LIKE '\\_airbyte\\_stage%'");
  assert.deepEqual(stages.rows, [], "no staging table is left behind");
});

Deno.test("PostgresCache creates typed PostgreSQL columns: jsonb, timestamptz, numeric, uuid", async () => {
  await using db = await testDatabase("types");
  await using cache = new PostgresCache({ url: db.url, schemaName: "typed" });
  const connector: InProcessConnector = {
    name: "source-types",
    spec: () => Promise.resolve({ connectionSpecification: { type: "object", properties: {} } }),
    check: () => Promise.resolve({ status: "SUCCEEDED" }),
    discover: () =>
      Promise.resolve({
        streams: [{
          name: "Things & Stuff",
          json_schema: {
            type: "object",
            properties: {
              id: { type: "integer" },
              "Total (EUR)": { type: "number", airbyte_type: "big_number" },
              ratio: { type: "number" },
              at: { type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" },
              day: { type: "string", format: "date" },
              tags: { type: "array" },
              ok: { type: "boolean" },
            },
          },
          supported_sync_modes: ["full_refresh"],
        }],
      }),
    read: () => [{
      type: "RECORD",
      record: {
        stream: "Things & Stuff",
        data: {
          id: 1,
          "Total (EUR)": 12.5,
          ratio: 0.25,
          at: "2024-01-02T03:04:05.123456Z",
          day: "2024-01-02",
          tags: ["a"],
          ok: true,
        },
        emitted_at: 1,
      },
    }],
  };
  const source = await getSource("source-types", { connector, config: {} });
  await source.read({ cache, streams: "*", progress: "none" });
  const { rows } = await db.sql.query(
    "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns " +
      "WHERE table_schema = 'typed' ORDER BY ordinal_position",
  );
  assert.deepEqual(new Set(rows.map((r) => r.table_name)), new Set(["things___stuff"]));
  assert.deepEqual(
    Object.fromEntries(rows.map((r) => [r.column_name, r.data_type])),
    {
      id: "bigint",
      total__eur_: "numeric",
      ratio: "double precision",
      at: "timestamp with time zone",
      day: "date",
      tags: "jsonb",
      ok: "boolean",
      _airbyte_raw_id: "uuid",
      _airbyte_extracted_at: "timestamp with time zone",
      _airbyte_meta: "jsonb",
    },
  );
  const total = rows.find((r) => r.column_name === "total__eur_");
  assert.deepEqual([total.numeric_precision, total.numeric_scale], [38, 9]);
  const values = await db.sql.query(
    `SELECT "total__eur_"::text AS t, at::text AS at, tags->>0 AS tag FROM typed.things___stuff`,
  );
  assert.deepEqual(values.rows[0], { t: "12.500000000", at: "2024-01-02 03:04:05.123456+00", tag: "a" });
  assert.deepEqual(await cache.streams, ["Things & Stuff"]);
});

Deno.test("CachedDataset counts, lists columns and pages through a Postgres table in cache order", async () => {
  await using db = await testDatabase("dataset");
  await using cache = new PostgresCache({ url: db.url });
  await (await counter({ count: 25_000, state_every: 5000 })).read({
    cache,
    streams: ["numbers"],
    progress: "none",
  });
  const numbers = cache.get("numbers");
  assert.equal(await numbers.count(), 25_000);
  assert.deepEqual(await numbers.columns, [
    "id",
    "updated_at",
    "name",
    "_airbyte_raw_id",
    "_airbyte_extracted_at",
    "_airbyte_meta",
  ]);
  assert.equal(await numbers.tableName(), '"airbyte_raw"."numbers"');
  const ids: number[] = [];
  for await (const row of numbers) ids.push(row.id as number);
  assert.equal(ids.length, 25_000);
  assert.deepEqual(ids.slice(0, 3), [1, 2, 3]);
  assert.equal(new Set(ids).size, 25_000);
  assert.equal(ids[24_999], 25_000);
  const all = await numbers.toArray();
  assert.equal(typeof all[0]._airbyte_raw_id, "string");
  assert.equal(JSON.parse(all[0]._airbyte_meta as string).changes.length, 0);
});

Deno.test("AirbyteMessageIterator.fromReadResult replays Postgres-cached records and the stored state", async () => {
  await using db = await testDatabase("replay");
  await using cache = new PostgresCache({ url: db.url });
  const result = await (await counter({ count: 7 })).read({ cache, streams: ["numbers"], progress: "none" });
  const messages = await AirbyteMessageIterator.fromReadResult(result).toArray();
  const records = messages.filter((m) => m.type === "RECORD");
  assert.equal(records.length, 7);
  assert.deepEqual((records[6] as any).record.data, { id: 7, updated_at: 7, name: "number-7" });
  const states = messages.filter((m) => m.type === "STATE");
  assert.deepEqual((states[0] as any).state.stream.stream_state, { updated_at: 7 });
});

Deno.test("GLOBAL and LEGACY states are stored and replayed", async () => {
  await using db = await testDatabase("states");
  for (const stateType of ["GLOBAL", "LEGACY"]) {
    await using cache = new PostgresCache({ url: db.url, schemaName: `s_${stateType.toLowerCase()}` });
    await (await counter({ count: 6, state_type: stateType })).read({
      cache,
      streams: "*",
      progress: "none",
    });
    const provider = await cache.getStateProvider("source-counter");
    assert.equal(provider.stateMessages.length, 1);
    assert.equal(provider.stateMessages[0].type, stateType);
    const again = await counter({ count: 8, state_type: stateType });
    await again.read({ cache, streams: "*", progress: "none" });
    assert.equal((received(again.lastLogLines()) as any[])[0].type, stateType, `${stateType} state replayed`);
  }
});

Deno.test("two sources with the same stream name land in different tables; caches in two schemas see their own", async () => {
  await using db = await testDatabase("twosources");
  await using cache = new PostgresCache({ url: db.url });
  const a = await getSource("source-counter", {
    localExecutable: fixture("source_counter.py"),
    config: { count: 3 },
  });
  const b = await getSource("source-counter-b", {
    localExecutable: fixture("source_counter.py"),
    config: { count: 5 },
  });
  const ra = await a.read({ cache, streams: ["numbers"], progress: "none" });
  const rb = await b.read({ cache, streams: ["numbers"], progress: "none" });
  assert.equal(await ra.get("numbers").count(), 3);
  assert.equal(await rb.get("numbers").count(), 5);
  assert.deepEqual((await cache.listStreamTables()).map((t) => t.table), [
    "numbers",
    "source_counter_b__numbers",
  ]);
  await assert.rejects(() => cache.get("numbers").count(), CacheError, "two sources: which one?");

  await using other = new PostgresCache({ url: db.url, schemaName: "elsewhere" });
  assert.deepEqual(await other.streams, []);
  assert.equal((await other.getStateProvider("source-counter")).stateMessages.length, 0);
  await assert.rejects(() => other.get("numbers").count(), StreamNotFoundError);
});

Deno.test("schema changes: new properties become columns, changed types keep the column's type", async () => {
  await using db = await testDatabase("evolution");
  await using cache = new PostgresCache({ url: db.url });
  const connector = (
    properties: Record<string, unknown>,
    rows: Record<string, unknown>[],
  ): InProcessConnector => ({
    name: "source-evolving",
    spec: () => Promise.resolve({ connectionSpecification: { type: "object", properties: {} } }),
    check: () => Promise.resolve({ status: "SUCCEEDED" }),
    discover: () =>
      Promise.resolve({
        streams: [{
          name: "people",
          json_schema: { type: "object", properties },
          supported_sync_modes: ["full_refresh"],
        }],
      }),
    read: () => rows.map((data) => ({ type: "RECORD", record: { stream: "people", data, emitted_at: 1 } })),
  });
  const read = async (c: InProcessConnector) =>
    await (await getSource("source-evolving", { connector: c, config: {} }))
      .read({ cache, streams: ["people"], writeStrategy: "append", progress: "none" });
  await read(connector({ id: { type: "integer" }, name: { type: "string" }, info: { type: "object" } }, [
    { id: 1, name: "Ada", info: { a: 1 } },
  ]));
  // Same columns, but info (a jsonb column) is declared a string: the rows go straight into the
  // table, each string written as a JSON string.
  await read(connector({ id: { type: "integer" }, name: { type: "string" }, info: { type: "string" } }, [
    { id: 2, name: "Grace", info: "plain text" },
  ]));
  // id is a string now, name is gone, email is new.
  await read(connector({ id: { type: "string" }, email: { type: "string" } }, [
    { id: "B-3", email: "b@example.com" },
  ]));
  const { rows } = await db.sql.query(
    "SELECT id, name, email, info, _airbyte_meta AS meta FROM airbyte_raw.people ORDER BY _airbyte_raw_id",
  );
  assert.deepEqual(rows.map((r) => [r.id, r.name, r.email, r.info]), [
    ["1", "Ada", null, { a: 1 }],
    ["2", "Grace", null, "plain text"],
    [null, null, "b@example.com", null],
  ]);
  // The old bigint id column stays; "B-3" does not fit it and is kept in _airbyte_meta.
  assert.equal(rows[2].meta.changes[0].raw, "B-3");
  const types = await db.sql.query(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'people' AND column_name IN ('id', 'info')",
  );
  assert.deepEqual(Object.fromEntries(types.rows.map((r) => [r.column_name, r.data_type])), {
    id: "bigint",
    info: "jsonb",
  });
});

Deno.test("state writers, clearState and delivery marks live in the shared internal tables per schema", async () => {
  await using db = await testDatabase("statestore");
  await using cache = new PostgresCache({ url: db.url, schemaName: "one" });
  const state = (name: string, value: number) => ({
    type: "STREAM" as const,
    stream: {
      stream_descriptor: { name },
      stream_state: { cursor: value, text: "tab\there \u00e9 \ud83d\ude00" },
    },
  });
  const writer = cache.getStateWriter("source-x");
  await writer.writeState(state("a", 1));
  await writer.writeState(state("b", 2));
  await writer.writeState(state("a", 3));
  const provider = await cache.getStateProvider("source-x");
  assert.deepEqual(provider.stateMessages, [state("a", 3), state("b", 2)], "kept exactly, one per stream");
  await cache.clearState("source-x", ["a"]);
  assert.deepEqual((await cache.getStateProvider("source-x")).stateMessages, [state("b", 2)]);

  await cache.recordDelivery("source-x", "destination-y", new Map([["a", "01-id"], ["b", "02-id"]]), [
    state("a", 9),
  ]);
  assert.deepEqual([...await cache.getDeliveryMarks("source-x", "destination-y")], [["a", "01-id"], [
    "b",
    "02-id",
  ]]);
  assert.deepEqual((await cache.getDestinationStateProvider("source-x", "destination-y")).stateMessages, [
    state("a", 9),
  ]);
  await using other = new PostgresCache({ url: db.url, schemaName: "two" });
  assert.equal((await other.getDeliveryMarks("source-x", "destination-y")).size, 0);
});

Deno.test("cache.sql answers like DuckDB's: Int64 counts, text for jsonb and uuid, microsecond timestamps; errors are CacheErrors", async () => {
  await using db = await testDatabase("sql");
  await using cache = new PostgresCache({ url: db.url });
  const t = await cache.sql(
    `SELECT count(*) AS c, 1::int AS i, 2.5::float8 AS d, 12.5::numeric(38,9) AS dec, DATE '2024-01-02' AS dt, ` +
      `TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS tz, TIME '03:04:05.5' AS tm, true AS b, '{"a": 1}'::jsonb AS j, ` +
      `'0190a8e0-0000-7000-8000-000000000001'::uuid AS u, NULL::text AS n, DATE '0044-03-15 BC' AS bc, ` +
      `'infinity'::timestamptz AS inf`,
  );
  const row = t.get(0)!;
  assert.deepEqual(t.schema.fields.map((f) => String(f.type)), [
    "Int64",
    "Int32",
    "Float64",
    "Decimal[38e+9]",
    "Date32<DAY>",
    "Timestamp<MICROSECOND, UTC>",
    "Time64<MICROSECOND>",
    "Bool",
    "Utf8",
    "Utf8",
    "Utf8",
    "Date32<DAY>",
    "Timestamp<MICROSECOND, UTC>",
  ]);
  assert.equal(row.c, 1n);
  assert.equal(row.dt, Date.UTC(2024, 0, 2));
  assert.equal(row.tz, Date.UTC(2024, 0, 2, 3, 4, 5, 123) + 0.456);
  assert.equal(row.tm, 11_045_500_000n);
  assert.equal(row.j, '{"a": 1}');
  assert.equal(row.n, null);
  assert.equal(row.bc, Date.UTC(-43, 2, 15), "44 BC is astronomical year -43");
  assert.equal(row.inf, null);
  assert.equal((await cache.sql("SELECT 1 AS a WHERE false")).numRows, 0);
  const error = await cache.sql("SELECT * FROM no_such_table").catch((e) => e);
  assert.ok(error instanceof CacheError, String(error));
  assert.match(error.message, /relation "no_such_table" does not exist/);
  assert.ok(!error.message.includes(new URL(db.url).password));
});

Deno.test("a closed PostgresCache refuses further calls with a CacheError", async () => {
  await using db = await testDatabase("closed");
  const cache = new PostgresCache({ url: db.url });
  await cache.open();
  await cache.close();
  assert.equal(cache.isClosed, true);
  await assert.rejects(
    () => cache.sql("SELECT 1"),
    (e: Error) => e instanceof CacheError && /closed/.test(e.message),
  );
});
