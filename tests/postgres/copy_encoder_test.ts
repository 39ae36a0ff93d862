// BinaryCopyEncoder against a real PostgreSQL server: batches from the real ArrowBatchBuilder are
// copied with COPY … FROM STDIN (FORMAT binary) and read back as PostgreSQL's own text output.
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { ArrowBatchBuilder } from "../../src/arrow/arrow_batch_builder.ts";
import { type ColumnSpec, toStreamColumns } from "../../src/arrow/stream_columns.ts";
import { pgTypeOf } from "../../src/postgres/pg_types.ts";
import { BinaryCopyEncoder, type CopyColumn } from "../../src/postgres/copy_encoder.ts";
import { copyArrowBatch } from "../../src/postgres/copy_batch.ts";
import { connectPostgres, type PgClient, resolveConnection } from "../../src/postgres/connection.ts";
import { EVERY_TYPE } from "../arrow/_schemas.ts";
import { testDatabase } from "../_services/postgres.ts";

const EMITTED_AT = 1_700_000_000_000;

function copyColumnsOf(columns: ColumnSpec[]): CopyColumn[] {
  return columns.map((c) => ({ name: c.name, property: c.property, pgType: pgTypeOf(c) }));
}

/** Creates `table` for `columns`, copies `records` into it, returns its rows as PostgreSQL text. */
async function roundTrip(
  sql: PgClient,
  table: string,
  schema: unknown,
  records: Record<string, unknown>[],
  options: { chunkBytes?: number } = {},
): Promise<Record<string, string | null>[]> {
  const columns = toStreamColumns(schema);
  const copyColumns = copyColumnsOf(columns);
  await sql.query(
    `CREATE TABLE "${table}" (${copyColumns.map((c) => `"${c.name}" ${c.pgType}`).join(", ")})`,
  );
  const builder = new ArrowBatchBuilder(columns, { syncId: 7, idTime: 0, idSeed: 0 });
  for (const r of records) builder.add(r, EMITTED_AT);
  const data = arrow.tableFromIPC(builder.finish());
  if (options.chunkBytes) {
    // Through the encoder with small chunks, then the same COPY path.
    const encoder = new BinaryCopyEncoder(copyColumns, options);
    const chunks = [...encoder.encode(data)];
    assert.ok(chunks.length > 1, "small chunks expected");
  }
  assert.equal(await copyArrowBatch(sql, `"${table}"`, copyColumns, data), records.length);
  const list = copyColumns.map((c) => `"${c.name}"::text AS "${c.name}"`).join(", ");
  return (await sql.query(`SELECT ${list} FROM "${table}" ORDER BY _airbyte_raw_id`)).rows;
}

const metaOf = (row: Record<string, string | null>) => JSON.parse(row._airbyte_meta!);

async function withServer(fn: (sql: PgClient) => Promise<void>) {
  await using db = await testDatabase("copy");
  const pool = await connectPostgres(resolveConnection({ url: db.url }), { max: 1 });
  const client = await pool.connect();
  try {
    await fn(client);
  } finally {
    client.release();
    await pool.end();
  }
}

Deno.test("BinaryCopyEncoder round-trips a value of every column kind through a real server", async () => {
  await withServer(async (sql) => {
    const rows = await roundTrip(sql, "every", EVERY_TYPE, [{
      id: 42,
      big: "12345678901234567890123456789012345678",
      price: 1.25,
      exact: "-12345678901234567890.123456789",
      active: true,
      name: "Ada",
      born: "1815-12-10",
      seen_at: "2024-02-29T23:59:59.999999+01:00",
      local_at: "2024-01-01T12:00:00.5",
      opens: "08:30:15.25",
      opens_tz: "08:30:00+02:00",
      address: { city: "London", zip: null },
      tags: ["a", "b"],
      anything: [1, { x: "y" }],
    }]);
    assert.deepEqual(rows[0], {
      id: "42",
      big: "12345678901234567890123456789012345678",
      price: "1.25",
      exact: "-12345678901234567890.123456789",
      active: "true",
      name: "Ada",
      born: "1815-12-10",
      seen_at: "2024-02-29 22:59:59.999999+00",
      local_at: "2024-01-01 12:00:00.5",
      opens: "08:30:15.25",
      opens_tz: "08:30:00+02:00",
      address: '{"zip": null, "city": "London"}',
      tags: '["a", "b"]',
      anything: '[1, {"x": "y"}]',
      _airbyte_raw_id: "00000000-0000-7000-8000-000000000000",
      _airbyte_extracted_at: "2023-11-14 22:13:20+00",
      _airbyte_meta: '{"changes": [], "sync_id": 7}',
    });
  });
});

Deno.test("BinaryCopyEncoder keeps integer and decimal extremes exact", async () => {
  await withServer(async (sql) => {
    const schema = {
      properties: {
        i: { type: "integer" },
        big: { type: "string", airbyte_type: "big_integer" },
        d: { type: "string", airbyte_type: "big_number" },
        f: { type: "number" },
      },
    };
    const records = [
      { i: 0, big: "0", d: "0", f: 0 },
      { i: -1, big: "-1", d: "-0.000000001", f: -0 },
      { i: 2 ** 31, big: "99999999999999999999999999999999999999", d: "0.000000001", f: 5e-324 },
      {
        i: 2 ** 53 - 1,
        big: "-99999999999999999999999999999999999999",
        d: "99999999999999999999999999999.999999999",
        f: 1.7976931348623157e308,
      },
      { i: -(2n ** 63n), big: 9007199254740993n, d: "-99999999999999999999999999999.999999999", f: "NaN" },
      { i: 2n ** 63n - 1n, big: "10000", d: "10000.0001", f: "-Infinity" },
      { i: -4294967296, big: "-10000", d: "1.5", f: 0.1 },
    ];
    const rows = await roundTrip(sql, "extremes", schema, records);
    assert.deepEqual(rows.map((r) => [r.i, r.big, r.d, r.f]), [
      ["0", "0", "0.000000000", "0"],
      ["-1", "-1", "-0.000000001", "-0"],
      ["2147483648", "99999999999999999999999999999999999999", "0.000000001", "5e-324"],
      [
        "9007199254740991",
        "-99999999999999999999999999999999999999",
        "99999999999999999999999999999.999999999",
        "1.7976931348623157e+308",
      ],
      ["-9223372036854775808", "9007199254740993", "-99999999999999999999999999999.999999999", "NaN"],
      ["9223372036854775807", "10000", "10000.000100000", "-Infinity"],
      ["-4294967296", "-10000", "1.500000000", "0.1"],
    ]);
  });
});

Deno.test("BinaryCopyEncoder copies unicode, long and control-character text unchanged", async () => {
  await withServer(async (sql) => {
    const long = "ß€𝄞".repeat(40) + "x".repeat(5000);
    const texts = [
      "",
      "tab\there",
      "new\nline\r\n",
      "back\\slash",
      "quote\"'",
      "emoji 🎉 👩‍👩‍👧",
      "日本語テキスト",
      long,
      "\u007f\u0001",
    ];
    const rows = await roundTrip(
      sql,
      "texts",
      { properties: { s: { type: "string" }, j: { type: "object" } } },
      texts.map((s) => ({ s, j: { s } })),
    );
    assert.deepEqual(rows.map((r) => r.s), texts);
    assert.deepEqual(rows.map((r) => JSON.parse(r.j!).s), texts);
    assert.ok(rows.every((r) => metaOf(r).changes.length === 0));
  });
});

Deno.test("BinaryCopyEncoder stores dates and timestamps across PostgreSQL's whole range", async () => {
  await withServer(async (sql) => {
    const schema = {
      properties: {
        d: { type: "string", format: "date" },
        ts: { type: "string", format: "date-time" },
        t: { type: "string", format: "time" },
      },
    };
    const records = [
      { d: "4713-11-24 BC", ts: "4713-11-24T00:00:00Z BC", t: "00:00:00" },
      { d: "0001-01-01", ts: "0001-01-01T00:00:00.000001Z", t: "23:59:59.999999" },
      { d: "1969-12-31", ts: "1969-12-31T23:59:59.999999Z", t: "12:00:00" },
      { d: "2000-01-01", ts: "2000-01-01T00:00:00Z", t: "00:00:00.000001" },
      { d: "9999-12-31", ts: "9999-12-31T23:59:59.999999Z", t: "01:02:03" },
      { d: "275000-06-01", ts: "275000-06-01T12:00:00Z", t: "10:00" },
    ];
    const rows = await roundTrip(sql, "temporal", schema, records);
    assert.deepEqual(rows.map((r) => [r.d, r.ts, r.t]), [
      ["4713-11-24 BC", "4713-11-24 00:00:00+00 BC", "00:00:00"],
      ["0001-01-01", "0001-01-01 00:00:00.000001+00", "23:59:59.999999"],
      ["1969-12-31", "1969-12-31 23:59:59.999999+00", "12:00:00"],
      ["2000-01-01", "2000-01-01 00:00:00+00", "00:00:00.000001"],
      ["9999-12-31", "9999-12-31 23:59:59.999999+00", "01:02:03"],
      ["275000-06-01", "275000-06-01 12:00:00+00", "10:00:00"],
    ]);
    assert.ok(rows.every((r) => metaOf(r).changes.length === 0));
  });
});

Deno.test("BinaryCopyEncoder stores values PostgreSQL cannot hold as NULL or cleaned, noted in _airbyte_meta", async () => {
  await withServer(async (sql) => {
    const schema = {
      properties: {
        s: { type: "string" },
        j: { type: "object" },
        d: { type: "string", format: "date" },
        ts: { type: "string", format: "date-time" },
      },
    };
    const rows = await roundTrip(sql, "misfits", schema, [
      {
        s: "a\u0000b",
        j: { k: "nul\u0000here", "\u0000key": 1 },
        d: "4714-01-01 BC",
        ts: "5000-01-01T00:00:00Z BC",
      },
      { s: "fine", j: { lone: "\ud800x", pair: "\ud83c\udf89", escaped: "\\u0000 stays" }, extra: "x\u0000" },
    ]);
    assert.equal(rows[0].s, "ab");
    assert.deepEqual(JSON.parse(rows[0].j!), { k: "nulhere", key: 1 });
    assert.equal(rows[0].d, null);
    assert.equal(rows[0].ts, null);
    assert.deepEqual(metaOf(rows[0]).changes, [
      { field: "s", change: "TRUNCATED", reason: "DESTINATION_SERIALIZATION_ERROR" },
      { field: "j", change: "TRUNCATED", reason: "DESTINATION_SERIALIZATION_ERROR" },
      { field: "d", change: "NULLED", reason: "DESTINATION_TYPECAST_ERROR", raw: "-4713-01-01" },
      {
        field: "ts",
        change: "NULLED",
        reason: "DESTINATION_TYPECAST_ERROR",
        raw: "-4999-01-01T00:00:00.000000Z",
      },
    ]);
    assert.deepEqual(JSON.parse(rows[1].j!), { lone: "\ufffdx", pair: "🎉", escaped: "\\u0000 stays" });
    // The meta's own extra property had a NUL: cleaned, without an entry of its own.
    assert.deepEqual(metaOf(rows[1]), {
      changes: [{ field: "j", change: "TRUNCATED", reason: "DESTINATION_SERIALIZATION_ERROR" }],
      extra: { extra: "x" },
      sync_id: 7,
    });
  });
});

Deno.test("BinaryCopyEncoder splits many rows into chunks without losing or reordering any", async () => {
  await withServer(async (sql) => {
    const records = Array.from({ length: 5000 }, (_, i) => ({
      id: i,
      name: i % 3 ? `name ${i} ${"é".repeat(i % 50)}` : null,
      n: i % 5 ? i / 7 : null,
      on: i % 2 === 0,
    }));
    const schema = {
      properties: {
        id: { type: "integer" },
        name: { type: "string" },
        n: { type: "number" },
        on: { type: "boolean" },
      },
    };
    const rows = await roundTrip(sql, "many", schema, records, { chunkBytes: 4096 });
    assert.equal(rows.length, 5000);
    rows.forEach((r, i) => {
      assert.equal(r.id, String(i));
      assert.equal(r.name, records[i].name);
      assert.equal(r.n === null ? null : Number(r.n), records[i].n);
      assert.equal(r.on, String(i % 2 === 0));
    });
  });
});

Deno.test("BinaryCopyEncoder encodes a sliced table (Arrow data with an offset)", async () => {
  await withServer(async (sql) => {
    const columns = toStreamColumns({
      properties: { id: { type: "integer" }, s: { type: "string" }, b: { type: "boolean" } },
    });
    const copyColumns = copyColumnsOf(columns);
    await sql.query(`CREATE TABLE sliced (${copyColumns.map((c) => `"${c.name}" ${c.pgType}`).join(", ")})`);
    const builder = new ArrowBatchBuilder(columns);
    for (let i = 0; i < 20; i++) {
      builder.add({ id: i, s: i % 4 ? `s${i}` : null, b: i % 3 === 0 }, EMITTED_AT);
    }
    const table = arrow.tableFromIPC(builder.finish()).slice(5, 13);
    assert.equal(await copyArrowBatch(sql, "sliced", copyColumns, table), 8);
    const { rows } = await sql.query(`SELECT id::int AS id, s, b FROM sliced ORDER BY id`);
    assert.deepEqual(
      rows.map((r) => [r.id, r.s, r.b]),
      Array.from({ length: 8 }, (_, k) => k + 5).map((i) => [i, i % 4 ? `s${i}` : null, i % 3 === 0]),
    );
  });
});

Deno.test("copyArrowBatch rejects with the server's error and leaves the connection usable", async () => {
  await withServer(async (sql) => {
    const columns = toStreamColumns({ properties: { id: { type: "integer" } } });
    const copyColumns = copyColumnsOf(columns);
    // The table's id is text, but the batch sends binary bigints: the server refuses the data.
    await sql.query(
      `CREATE TABLE wrong (id integer, _airbyte_raw_id uuid, _airbyte_extracted_at timestamptz, _airbyte_meta jsonb)`,
    );
    const builder = new ArrowBatchBuilder(columns);
    builder.add({ id: 1 }, EMITTED_AT);
    await assert.rejects(
      copyArrowBatch(sql, "wrong", copyColumns, builder.finish()),
      (e: Error & { code?: string }) => e.code === "22P03" && /binary data format/.test(e.message),
    );
    assert.deepEqual((await sql.query(`SELECT count(*)::int AS n FROM wrong`)).rows, [{ n: 0 }]);
  });
});

Deno.test("BinaryCopyEncoder refuses a batch whose Arrow type does not match the column", () => {
  const columns = toStreamColumns({ properties: { id: { type: "integer" } } });
  const builder = new ArrowBatchBuilder(columns);
  builder.add({ id: 1 }, EMITTED_AT);
  const encoder = new BinaryCopyEncoder([{ name: "id", property: "id", pgType: "boolean" }]);
  assert.throws(
    () => [...encoder.encode(arrow.tableFromIPC(builder.finish()))],
    (e: Error & { code?: string }) =>
      e.code === "CACHE_ERROR" && /'id' \(Int64\) into a PostgreSQL boolean/.test(e.message),
  );
});
