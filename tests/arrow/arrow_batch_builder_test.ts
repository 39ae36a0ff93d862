import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { ArrowBatchBuilder, type MetaChange } from "../../src/arrow/arrow_batch_builder.ts";
import { toStreamColumns } from "../../src/arrow/stream_columns.ts";
import { openMemoryDuckDB } from "./_wasm_duckdb.ts";
import { EVERY_TYPE } from "./_schemas.ts";

const db = await openMemoryDuckDB();
globalThis.addEventListener("unload", () => db.close());

let tables = 0;
/** Loads IPC bytes into a fresh DuckDB table and returns its name. */
function load(bytes: Uint8Array): string {
  const name = `t${++tables}`;
  db.conn.insertArrowFromIPCStream(bytes, { name, create: true });
  return name;
}

function meta(
  row: Record<string, unknown>,
): { changes: MetaChange[]; sync_id?: number; extra?: Record<string, unknown> } {
  return JSON.parse(String(row._airbyte_meta));
}

Deno.test("ArrowBatchBuilder batches load into DuckDB with every column typed", () => {
  const builder = new ArrowBatchBuilder(toStreamColumns(EVERY_TYPE), { syncId: 42, idTime: 0, idSeed: 0 });
  builder.add({
    id: 9007199254740991,
    big: "123456789012345678901234567890",
    price: 19.99,
    exact: "-1234.500000001",
    active: true,
    name: "Zoë",
    born: "1990-02-28",
    seen_at: "2024-03-01T12:34:56.123456Z",
    local_at: "2024-03-01T12:34:56.5",
    opens: "09:30:15.25",
    opens_tz: "09:30:00+02:00",
    address: { city: "Montréal", zip: "H2X" },
    tags: ["a", "b"],
    anything: "text",
  }, Date.UTC(2024, 2, 2, 0, 0, 0, 123));
  builder.add({ id: -42, price: -0.5, active: false, name: null, anything: 7 }, Date.UTC(2024, 2, 2));
  const table = load(builder.finish());

  const types = Object.fromEntries(db.rows(`DESCRIBE ${table}`).map((r) => [r.column_name, r.column_type]));
  assert.deepEqual(types, {
    id: "BIGINT",
    big: "DECIMAL(38,0)",
    price: "DOUBLE",
    exact: "DECIMAL(38,9)",
    active: "BOOLEAN",
    name: "VARCHAR",
    born: "DATE",
    seen_at: "TIMESTAMP WITH TIME ZONE",
    local_at: "TIMESTAMP",
    opens: "TIME",
    opens_tz: "VARCHAR",
    address: "VARCHAR",
    tags: "VARCHAR",
    anything: "VARCHAR",
    _airbyte_raw_id: "UUID",
    _airbyte_extracted_at: "TIMESTAMP WITH TIME ZONE",
    _airbyte_meta: "VARCHAR",
  });

  // No ICU offline: TIMESTAMPTZ is read through a cast to TIMESTAMP (its UTC wall time).
  const rows = db.rows(`SELECT id, big::VARCHAR AS big, price, exact::VARCHAR AS exact, active, name,
      born::VARCHAR AS born, strftime(seen_at::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%f') AS seen_at,
      strftime(local_at, '%Y-%m-%dT%H:%M:%S.%f') AS local_at, opens::VARCHAR AS opens, opens_tz,
      address, tags, anything, _airbyte_raw_id, _airbyte_extracted_at::VARCHAR AS extracted_at, _airbyte_meta
    FROM ${table} ORDER BY rowid`);
  assert.deepEqual(rows[0], {
    id: 9007199254740991n,
    big: "123456789012345678901234567890",
    price: 19.99,
    exact: "-1234.500000001",
    active: true,
    name: "Zoë",
    born: "1990-02-28",
    seen_at: "2024-03-01T12:34:56.123456",
    local_at: "2024-03-01T12:34:56.500000",
    opens: "09:30:15.25",
    opens_tz: "09:30:00+02:00",
    address: '{"city":"Montréal","zip":"H2X"}',
    tags: '["a","b"]',
    anything: '"text"',
    _airbyte_raw_id: "00000000-0000-7000-8000-000000000000",
    extracted_at: "2024-03-02 00:00:00.123+00",
    _airbyte_meta: '{"changes":[],"sync_id":42}',
  });
  assert.deepEqual(rows[1], {
    id: -42n,
    big: null,
    price: -0.5,
    exact: null,
    active: false,
    name: null,
    born: null,
    seen_at: null,
    local_at: null,
    opens: null,
    opens_tz: null,
    address: null,
    tags: null,
    anything: "7",
    _airbyte_raw_id: "00000000-0000-7000-8000-000000000001",
    extracted_at: "2024-03-02 00:00:00+00",
    _airbyte_meta: '{"changes":[],"sync_id":42}',
  });
  // The JSON text columns hold valid JSON (DuckDB's json extension is not there to read it offline).
  assert.deepEqual(JSON.parse(String(rows[0].address)), { city: "Montréal", zip: "H2X" });
});

Deno.test("ArrowBatchBuilder keeps misfits as NULL with their raw value in _airbyte_meta", () => {
  const builder = new ArrowBatchBuilder(toStreamColumns(EVERY_TYPE), { syncId: 1 });
  const misfits: Record<string, unknown> = {
    id: "not a number",
    big: 2 ** 70 * 1e30, // beyond 38 digits
    price: "12.5",
    exact: "1e40",
    active: "yes",
    name: { nested: ["object", 1] }, // not a misfit: JSON text in a VARCHAR
    born: "2021-13-45",
    seen_at: "yesterday",
    local_at: 1700000000,
    opens: "25:00:00",
    opens_tz: 930, // not a misfit: its text
    address: "just a string", // not a misfit: JSON text of a string
  };
  builder.add(misfits, 0);
  builder.add({ id: 2 ** 70, big: 2 ** 70, born: "2021-02-29", seen_at: "2021-02-28T24:00:00Z" }, 0);
  builder.add({ id: 1.5, big: "12.5", opens: "10:00:00Z", exact: true }, 0);
  const table = load(builder.finish());
  const rows = db.rows(`SELECT * REPLACE (big::VARCHAR AS big) FROM ${table} ORDER BY rowid`);

  const nulled = (row: Record<string, unknown>) =>
    meta(row).changes.map((c) => {
      assert.equal(c.change, "NULLED");
      assert.equal(c.reason, "DESTINATION_TYPECAST_ERROR");
      assert.equal(row[c.field], null, `${c.field} is stored as NULL`);
      return [c.field, c.raw];
    });

  assert.deepEqual(nulled(rows[0]), [
    ["id", "not a number"],
    ["big", 2 ** 70 * 1e30],
    ["price", "12.5"],
    ["exact", "1e40"],
    ["active", "yes"],
    ["born", "2021-13-45"],
    ["seen_at", "yesterday"],
    ["local_at", 1700000000],
    ["opens", "25:00:00"],
  ]);
  assert.equal(rows[0].name, '{"nested":["object",1]}');
  assert.equal(rows[0].opens_tz, "930");
  assert.equal(rows[0].address, '"just a string"');

  // 2^70 does not fit BIGINT but does fit DECIMAL(38,0), exactly.
  assert.deepEqual(nulled(rows[1]), [["id", 2 ** 70], ["born", "2021-02-29"], [
    "seen_at",
    "2021-02-28T24:00:00Z",
  ]]);
  assert.equal(rows[1].big, "1180591620717411303424");

  assert.deepEqual(nulled(rows[2]), [["id", 1.5], ["big", "12.5"], ["opens", "10:00:00Z"], ["exact", true]]);
  assert.equal(rows[2].big, null);
});

Deno.test("ArrowBatchBuilder keeps properties the schema lacks in _airbyte_meta.extra", () => {
  const builder = new ArrowBatchBuilder(toStreamColumns({ properties: { id: { type: "integer" } } }), {
    syncId: 3,
  });
  const withProto = JSON.parse(
    '{"id": 1, "surprise": {"deep": [1, 2]}, "__proto__": "kept", "constructor": 5}',
  );
  builder.add(withProto, 0);
  builder.add({ id: 2 }, 0);
  builder.add({ id: "x", color: "red" }, 0);
  const rows = db.rows(`SELECT id, _airbyte_meta FROM ${load(builder.finish())} ORDER BY rowid`);
  assert.equal(rows[0].id, 1n);
  const first = meta(rows[0]);
  assert.deepEqual(first.changes, []);
  assert.equal(first.sync_id, 3);
  assert.deepEqual(Object.entries(first.extra!), [["surprise", { deep: [1, 2] }], ["__proto__", "kept"], [
    "constructor",
    5,
  ]]);
  assert.equal(meta(rows[1]).extra, undefined);
  assert.deepEqual(meta(rows[2]), {
    changes: [{ field: "id", change: "NULLED", reason: "DESTINATION_TYPECAST_ERROR", raw: "x" }],
    sync_id: 3,
    extra: { color: "red" },
  });
});

Deno.test("ArrowBatchBuilder stores absent properties and JSON null as NULL without a change", () => {
  const columns = toStreamColumns({ properties: { a: { type: "integer" }, b: { type: "string" }, c: {} } });
  const builder = new ArrowBatchBuilder(columns);
  builder.add({}, 0);
  builder.add({ a: null, b: null, c: null }, 0);
  builder.add({ b: "" }, 0);
  const rows = db.rows(`SELECT a, b, c, _airbyte_meta FROM ${load(builder.finish())} ORDER BY rowid`);
  assert.deepEqual(rows.map((r) => [r.a, r.b, r.c, r._airbyte_meta]), [
    [null, null, null, '{"changes":[]}'],
    [null, null, null, '{"changes":[]}'],
    [null, "", null, '{"changes":[]}'],
  ]);
});

Deno.test("ArrowBatchBuilder keeps values rounded to the column with a TRUNCATED change", () => {
  const columns = toStreamColumns({
    properties: {
      at: { type: "string", format: "date-time" },
      t: { type: "string", format: "time" },
      amount: { type: "number", multipleOf: 0.01 },
    },
  });
  const builder = new ArrowBatchBuilder(columns);
  builder.add({ at: "2024-01-01T00:00:00.123456789Z", t: "10:00:00.0000001", amount: 3.14159265358979 }, 0);
  builder.add({ at: "2024-01-01T00:00:00.123456000Z", amount: "0.1234567894" }, 0);
  const rows = db.rows(
    `SELECT epoch_us("at") AS "at", t::VARCHAR AS t, amount::VARCHAR AS amount, _airbyte_meta FROM ${
      load(builder.finish())
    } ORDER BY rowid`,
  );
  assert.equal(rows[0].at, 1704067200123456n);
  assert.equal(rows[0].t, "10:00:00");
  assert.equal(rows[0].amount, "3.141592654");
  assert.deepEqual(meta(rows[0]).changes.map((c) => [c.field, c.change, c.reason, c.raw]), [
    ["at", "TRUNCATED", "DESTINATION_FIELD_SIZE_LIMITATION", "2024-01-01T00:00:00.123456789Z"],
    ["t", "TRUNCATED", "DESTINATION_FIELD_SIZE_LIMITATION", "10:00:00.0000001"],
    ["amount", "TRUNCATED", "DESTINATION_FIELD_SIZE_LIMITATION", 3.14159265358979],
  ]);
  // Trailing zeros past a microsecond lose nothing; half away from zero rounds up.
  assert.equal(rows[1].at, 1704067200123456n);
  assert.equal(rows[1].amount, "0.123456789");
  assert.deepEqual(meta(rows[1]).changes.map((c) => c.field), ["amount"]);
});

Deno.test("ArrowBatchBuilder reads the RFC 3339 timestamp shapes Airbyte sources send", () => {
  const columns = toStreamColumns({
    properties: {
      tz: { type: "string", format: "date-time" },
      ntz: { type: "string", format: "date-time", airbyte_type: "timestamp_without_timezone" },
    },
  });
  const builder = new ArrowBatchBuilder(columns);
  const cases: [value: string, isoUtc: string][] = [
    ["2024-05-06T07:08:09Z", "2024-05-06T07:08:09.000000"],
    ["2024-05-06T07:08:09", "2024-05-06T07:08:09.000000"],
    ["2024-05-06 07:08:09.5", "2024-05-06T07:08:09.500000"],
    ["2024-05-06t07:08:09z", "2024-05-06T07:08:09.000000"],
    ["2024-05-06T07:08:09+02:00", "2024-05-06T05:08:09.000000"],
    ["2024-05-06T07:08:09.123-0530", "2024-05-06T12:38:09.123000"],
    ["2024-05-06T07:08:09,25+01", "2024-05-06T06:08:09.250000"],
    ["2024-05-06T07:08", "2024-05-06T07:08:00.000000"],
    ["2024-05-06", "2024-05-06T00:00:00.000000"],
    ["2024-05-06 07:08:09 UTC", "2024-05-06T07:08:09.000000"],
    ["12345-01-01T00:00:00Z", "12345-01-01T00:00:00.000000"],
    ["0044-03-15T12:00:00Z BC", "-0043-03-15T12:00:00.000000"],
    ["Mon, 06 May 2024 07:08:09 GMT", "2024-05-06T07:08:09.000000"],
    ["1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999"],
  ];
  for (const [value] of cases) builder.add({ tz: value, ntz: value }, 0);
  // No ICU offline: TIMESTAMPTZ is read through a cast to TIMESTAMP (its UTC wall time).
  const rows = db.rows(`SELECT strftime(tz::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%f') AS tz,
    strftime(ntz, '%Y-%m-%dT%H:%M:%S.%f') AS ntz, year(tz::TIMESTAMP) AS y, _airbyte_meta FROM ${
    load(builder.finish())
  } ORDER BY rowid`);
  cases.forEach(([value, iso], i) => {
    assert.equal(rows[i]._airbyte_meta, '{"changes":[]}', value);
    if (value.endsWith(" BC")) {
      assert.equal(rows[i].y, -43n, value); // 44 BC is astronomical year -43
    } else if (!value.startsWith("12345")) {
      assert.equal(rows[i].tz, iso, value);
      assert.equal(rows[i].ntz, iso, value);
    } else {
      assert.equal(rows[i].y, 12345n, value);
    }
  });
});

Deno.test("ArrowBatchBuilder reads dates, BC dates and leap days", () => {
  const builder = new ArrowBatchBuilder(
    toStreamColumns({ properties: { d: { type: "string", format: "date" } } }),
  );
  const values = ["1970-01-01", "2000-02-29", "1900-02-28", "0001-01-01", "9999-12-31", "0044-03-15 BC"];
  for (const d of values) builder.add({ d }, 0);
  for (const d of ["1900-02-29", "2021-04-31", "2021-1-01", "20210101", ""]) builder.add({ d }, 0);
  const rows = db.rows(`SELECT d::VARCHAR AS d, _airbyte_meta FROM ${load(builder.finish())} ORDER BY rowid`);
  assert.deepEqual(rows.slice(0, 6).map((r) => r.d), [
    "1970-01-01",
    "2000-02-29",
    "1900-02-28",
    "0001-01-01",
    "9999-12-31",
    "0044-03-15 (BC)",
  ]);
  assert.deepEqual(rows.slice(6).map((r) => [r.d, meta(r).changes[0].raw]), [
    [null, "1900-02-29"],
    [null, "2021-04-31"],
    [null, "2021-1-01"],
    [null, "20210101"],
    [null, ""],
  ]);
});

Deno.test("ArrowBatchBuilder writes text in any script, with empty strings distinct from NULL", () => {
  const builder = new ArrowBatchBuilder(toStreamColumns({ properties: { s: { type: "string" }, j: {} } }));
  const long = "ü".repeat(300) + "x".repeat(300);
  const values = [
    "plain",
    "",
    "Zoë",
    "日本語",
    "emoji 🚀 ok",
    long,
    "a\u0000b",
    'quote"back\\slash\nnewline',
  ];
  for (const s of values) builder.add({ s, j: { s } }, 0);
  builder.add({ s: null, j: null }, 0);
  builder.add({ s: "lone \ud800 surrogate", j: "lone \udc00" }, 0);
  const rows = db.rows(`SELECT s, j FROM ${load(builder.finish())} ORDER BY rowid`);
  values.forEach((s, i) => {
    assert.equal(rows[i].s, s);
    assert.deepEqual(JSON.parse(String(rows[i].j)), { s });
  });
  assert.deepEqual(rows[values.length], { s: null, j: null });
  // UTF-8 cannot hold a lone surrogate: the text gets U+FFFD, the JSON text an escape.
  assert.equal(rows[values.length + 1].s, "lone \ufffd surrogate");
  assert.equal(JSON.parse(String(rows[values.length + 1].j)), "lone \udc00");
});

Deno.test("ArrowBatchBuilder writes JSON text as JSON.stringify does", () => {
  const builder = new ArrowBatchBuilder(toStreamColumns({ properties: { j: { type: "object" } } }));
  const values: unknown[] = [
    { a: 1, b: [true, false, null, 1.5e300, -0], c: { d: "e" } },
    [1, "two", [3], {}],
    { 'key with "quotes"': "v", "ключ": "значение", "": 0 },
    { nested: { deeper: { deepest: [[[]]] } } },
    { when: new Date(Date.UTC(2020, 0, 1)) }, // toJSON
    "a string",
    12.75,
    false,
  ];
  for (const j of values) builder.add({ j }, 0);
  builder.add({ j: { big: 10n ** 20n } }, 0); // an in-process connector may send a bigint
  const rows = db.rows(`SELECT j FROM ${load(builder.finish())} ORDER BY rowid`);
  values.forEach((value, i) => assert.equal(rows[i].j, JSON.stringify(value)));
  // Its digits as a JSON number, as the source's own text keeps them on the fast path.
  assert.equal(rows[values.length].j, '{"big":100000000000000000000}');
});

Deno.test("ArrowBatchBuilder takes numbers at the edges of each numeric type", () => {
  const columns = toStreamColumns({
    properties: {
      i: { type: "integer" },
      f: { type: "number" },
      b: { type: "string", airbyte_type: "big_integer" },
    },
  });
  const builder = new ArrowBatchBuilder(columns);
  builder.add({ i: -(2 ** 63), f: "NaN", b: "-99999999999999999999999999999999999999" }, 0);
  builder.add({ i: 2 ** 62, f: "Infinity", b: "99999999999999999999999999999999999999" }, 0);
  builder.add({ i: 9223372036854775807n, f: "-Infinity", b: 12345678901234567890123n }, 0);
  builder.add({ i: -9007199254740993n, f: 5e-324, b: -0 }, 0);
  builder.add({ i: 2 ** 63, f: 2n ** 60n, b: "100000000000000000000000000000000000000" }, 0);
  const rows = db.rows(
    `SELECT i, f::VARCHAR AS f, b::VARCHAR AS b, _airbyte_meta FROM ${load(builder.finish())} ORDER BY rowid`,
  );
  assert.deepEqual(rows.map((r) => [r.i, r.f, r.b]), [
    [-9223372036854775808n, "nan", "-99999999999999999999999999999999999999"],
    [4611686018427387904n, "inf", "99999999999999999999999999999999999999"],
    [9223372036854775807n, "-inf", "12345678901234567890123"],
    [-9007199254740993n, "5e-324", "0"],
    [null, "1.152921504606847e+18", null],
  ]);
  assert.deepEqual(meta(rows[4]).changes.map((c) => c.field), ["i", "b"]);
});

Deno.test("ArrowBatchBuilder accepts Date objects in timestamp columns", () => {
  const builder = new ArrowBatchBuilder(
    toStreamColumns({ properties: { at: { type: "string", format: "date-time" } } }),
  );
  builder.add({ at: new Date(Date.UTC(2022, 5, 1, 2, 3, 4, 5)) }, 0);
  builder.add({ at: new Date(NaN) }, 0);
  const rows = db.rows(`SELECT epoch_ms("at") AS ms FROM ${load(builder.finish())} ORDER BY rowid`);
  assert.deepEqual(rows.map((r) => r.ms), [BigInt(Date.UTC(2022, 5, 1, 2, 3, 4, 5)), null]);
});

Deno.test("ArrowBatchBuilder reuses itself across batches without carrying rows over", () => {
  const columns = toStreamColumns({
    properties: {
      n: { type: "integer" },
      s: { type: "string" },
      ok: { type: "boolean" },
      d: { type: "string", format: "date" },
    },
  });
  const builder = new ArrowBatchBuilder(columns, { idTime: 0, idSeed: 0, batchRows: 16 });
  for (let i = 0; i < 1000; i++) {
    builder.add(i % 3 === 0 ? { n: i } : { n: i, s: `v${i}`, ok: i % 2 === 0, d: "2020-01-01" }, i);
  }
  assert.equal(builder.rowCount, 1000);
  assert.ok(builder.byteEstimate > 1000 * 8);
  const first = load(builder.finish());
  assert.equal(builder.rowCount, 0);
  assert.equal(builder.byteEstimate, 0);
  for (let i = 0; i < 5; i++) builder.add({ n: -i }, 0);
  const second = load(builder.finish());

  const summary = (table: string) =>
    db.rows(
      `SELECT count(*) AS rows, count(s) AS s, count(ok) AS ok, count_if(ok)::BIGINT AS oks, count(d) AS d,
      min(_airbyte_raw_id) AS lo, max(n) AS max_n FROM ${table}`,
    )[0];
  assert.deepEqual(summary(first), {
    rows: 1000n,
    s: 666n,
    ok: 666n,
    oks: 333n,
    d: 666n,
    lo: "00000000-0000-7000-8000-000000000000",
    max_n: 999n,
  });
  assert.deepEqual(summary(second), {
    rows: 5n,
    s: 0n,
    ok: 0n,
    oks: null,
    d: 0n,
    lo: "00000000-0000-7000-8000-0000000003e8",
    max_n: 0n,
  });
  // Ids keep counting across batches, so they stay unique, and sort as text in insertion order.
  assert.deepEqual(
    db.rows(`SELECT count(DISTINCT _airbyte_raw_id) AS ids FROM (
    SELECT _airbyte_raw_id FROM ${first} UNION ALL SELECT _airbyte_raw_id FROM ${second})`),
    [{ ids: 1005n }],
  );
  assert.deepEqual(db.rows(`SELECT _airbyte_raw_id FROM ${second} ORDER BY n DESC LIMIT 1`), [{
    _airbyte_raw_id: "00000000-0000-7000-8000-0000000003e8",
  }]);
});

Deno.test("ArrowBatchBuilder handles records whose keys come in any order or shape", () => {
  const columns = toStreamColumns({
    properties: { a: { type: "integer" }, b: { type: "string" }, c: { type: "number" } },
  });
  const builder = new ArrowBatchBuilder(columns);
  const records = [
    { a: 1, b: "x", c: 1.5 },
    { c: 2.5, b: "y", a: 2 },
    { b: "z", a: 3 },
    { a: 4, extra: true, b: "w", c: 4.5 },
    { a: 5, b: "v", c: 5.5 },
  ];
  for (const r of records) builder.add(r, 0);
  const rows = db.rows(`SELECT a, b, c, _airbyte_meta FROM ${load(builder.finish())} ORDER BY rowid`);
  assert.deepEqual(rows.map((r) => [r.a, r.b, r.c]), [[1n, "x", 1.5], [2n, "y", 2.5], [3n, "z", null], [
    4n,
    "w",
    4.5,
  ], [
    5n,
    "v",
    5.5,
  ]]);
  assert.deepEqual(meta(rows[3]).extra, { extra: true });
});

Deno.test("ArrowBatchBuilder finish with no rows gives a valid empty batch", () => {
  const builder = new ArrowBatchBuilder(toStreamColumns({ properties: { a: { type: "integer" } } }));
  const bytes = builder.finish();
  const table = arrow.tableFromIPC(bytes);
  assert.equal(table.numRows, 0);
  assert.deepEqual(table.schema.fields.map((f) => f.name), [
    "a",
    "_airbyte_raw_id",
    "_airbyte_extracted_at",
    "_airbyte_meta",
  ]);
  assert.deepEqual(db.rows(`SELECT count(*) AS n FROM ${load(bytes)}`), [{ n: 0n }]);
});

Deno.test("ArrowBatchBuilder omits sync_id when none is given and gives each builder its own UUIDs", () => {
  const columns = toStreamColumns({ properties: {} });
  const a = new ArrowBatchBuilder(columns);
  const b = new ArrowBatchBuilder(columns);
  a.add({}, 0);
  b.add({}, 0);
  const [ra] = arrow.tableFromIPC(a.finish()).toArray().map((r) => r.toJSON());
  const [rb] = arrow.tableFromIPC(b.finish()).toArray().map((r) => r.toJSON());
  assert.equal(ra._airbyte_meta, '{"changes":[]}');
  const hex = (id: unknown) => Array.from(id as Uint8Array, (x) => x.toString(16).padStart(2, "0")).join("");
  // Version 7, RFC 9562 variant, counter 0; the time is now and the seed random.
  assert.match(hex(ra._airbyte_raw_id), /^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{5}0000000000$/);
  const ms = parseInt(hex(ra._airbyte_raw_id).slice(0, 12), 16);
  assert.ok(Math.abs(ms - Date.now()) < 60_000);
  assert.notEqual(hex(ra._airbyte_raw_id), hex(rb._airbyte_raw_id));
});

Deno.test("ArrowBatchBuilder row ids sort in the order rows were added, across batches and syncs", () => {
  const ids: string[] = [];
  for (const idTime of [1_700_000_000_000, 1_700_000_000_001]) {
    // A later sync with a smaller seed still sorts after: the time comes first.
    const builder = new ArrowBatchBuilder(toStreamColumns({ properties: { n: { type: "integer" } } }), {
      idTime,
      idSeed: idTime === 1_700_000_000_000 ? 0xffffffff : 0,
    });
    for (const size of [9, 3, 300]) {
      for (let i = 0; i < size; i++) builder.add({ n: i }, 0);
      const batch = arrow.tableFromIPC(builder.finish());
      const column = batch.getChild("_airbyte_raw_id")!;
      for (let i = 0; i < batch.numRows; i++) {
        ids.push(Array.from(column.get(i) as Uint8Array, (x) => x.toString(16).padStart(2, "0")).join(""));
      }
    }
  }
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

// Tables made before row ids were UUIDs hold text ids that begin with their sync's time in base
// 36; new ids keep that form so that they sort after those (delivery marks compare ids).
Deno.test("ArrowBatchBuilder keeps the old text form of row ids in a table made when ids were text", () => {
  const columns = toStreamColumns({ properties: { n: { type: "integer" } } }).map((c) =>
    c.name === "_airbyte_raw_id" ? { ...c, sqlType: "VARCHAR" } : c
  );
  const builder = new ArrowBatchBuilder(columns, { idTime: 1_764_123_456_789, idSeed: 0xabc });
  builder.add({ n: 1 }, 0);
  builder.add({ n: 2 }, 0);
  const rows = arrow.tableFromIPC(builder.finish()).toArray().map((r) => r.toJSON());
  const ids = rows.map((r) => r._airbyte_raw_id);
  assert.deepEqual(ids, ["mifdk2z9-00000abc-000000000000", "mifdk2z9-00000abc-000000000001"]);
  // An id written by the old code a day earlier sorts first.
  const older = `${(1_764_123_456_789 - 86_400_000).toString(36)}-1a2b3c4d-users-000000009999`;
  assert.deepEqual([ids[1], older, ids[0]].sort(), [older, ids[0], ids[1]]);
});
