// A stream whose schema uses every Airbyte type, fed misfits, read end to end through
// Source.read() from an in-process connector into a real DuckDB-WASM cache: no crash, no value lost.
import assert from "node:assert/strict";
import { AirbyteMessageIterator, DuckDBCache, getSource, type InProcessConnector } from "../../mod.ts";

const schema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    big: { type: "integer" },
    ratio: { type: "number" },
    exact: { type: "number", airbyte_type: "big_number" },
    flag: { type: "boolean" },
    label: { type: ["null", "string"] },
    day: { type: "string", format: "date" },
    at_tz: { type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" },
    at_local: { type: "string", format: "date-time", airbyte_type: "timestamp_without_timezone" },
    clock: { type: "string", format: "time", airbyte_type: "time_without_timezone" },
    clock_tz: { type: "string", format: "time", airbyte_type: "time_with_timezone" },
    doc: { type: "object", properties: { a: { type: "integer" } } },
    tags: { type: "array", items: { type: "string" } },
    either: { type: ["string", "integer"] },
    anything: {},
  },
};

const good = {
  id: 1,
  big: 9007199254740991,
  ratio: 0.5,
  exact: 12.25,
  flag: true,
  label: "ok",
  day: "2024-02-29",
  at_tz: "2024-01-02T03:04:05.123456+02:00",
  at_local: "2024-01-02T03:04:05",
  clock: "12:34:56",
  clock_tz: "12:34:56+01:00",
  doc: { a: 1 },
  tags: ["x", "y"],
  either: 5,
  anything: [1, { b: 2 }],
};
const misfit = {
  id: "two", // a string in an integer column
  big: 2 ** 70, // beyond BIGINT
  ratio: "NaN-ish",
  flag: "yes",
  label: 17,
  day: "2021-13-45", // an invalid date
  at_tz: "not a time",
  doc: "not an object",
  tags: { not: "an array" },
  unknown_field: { kept: true }, // not in the schema
};

const typesConnector: InProcessConnector = {
  name: "source-types",
  spec: () => Promise.resolve({ connectionSpecification: { type: "object", properties: {} } }),
  check: () => Promise.resolve({ status: "SUCCEEDED" }),
  discover: () =>
    Promise.resolve({
      streams: [{ name: "typed", json_schema: schema, supported_sync_modes: ["full_refresh"] }],
    }),
  read: () => [
    { type: "RECORD", record: { stream: "typed", data: good, emitted_at: 1700000000000 } },
    { type: "RECORD", record: { stream: "typed", data: misfit, emitted_at: 1700000000001 } },
  ],
};

Deno.test("a stream using every Airbyte type ingests misfits with no crash and no value lost", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const source = await getSource("source-types", { connector: typesConnector, config: {} });
  const result = await source.read({ cache, streams: ["typed"], progress: "none" });
  assert.equal(result.processedRecords, 2);

  const types = Object.fromEntries(
    (await cache.sql(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'typed'",
    ))
      .toArray().map((r) => [r.column_name, r.data_type]),
  );
  assert.equal(types.id, "BIGINT");
  assert.equal(types.ratio, "DOUBLE");
  assert.match(types.exact, /^DECIMAL/);
  assert.equal(types.flag, "BOOLEAN");
  assert.equal(types.day, "DATE");
  assert.equal(types.at_tz, "TIMESTAMP WITH TIME ZONE");
  assert.equal(types.at_local, "TIMESTAMP");
  assert.equal(types.clock, "TIME");
  assert.equal(types.doc, "VARCHAR");

  const rows = await cache.sql(
    "SELECT id, day::VARCHAR AS day, epoch_us(at_tz) AS at_tz, doc, tags, _airbyte_meta FROM typed ORDER BY _airbyte_extracted_at",
  );
  const [first, second] = rows.toArray();
  assert.equal(Number(first.id), 1);
  assert.equal(first.day, "2024-02-29");
  assert.equal(
    Number(first.at_tz),
    Date.UTC(2024, 0, 2, 1, 4, 5) * 1000 + 123456,
    "microseconds and offset kept",
  );
  assert.deepEqual(JSON.parse(first.doc), { a: 1 });
  assert.deepEqual(JSON.parse(first.tags), ["x", "y"]);

  // Every misfit is NULL in its column and its raw value is in _airbyte_meta.
  assert.equal(second.id, null);
  assert.equal(second.day, null);
  const meta = JSON.parse(second._airbyte_meta);
  const raw = Object.fromEntries(meta.changes.map((c: { field: string; raw: unknown }) => [c.field, c.raw]));
  for (const field of ["id", "big", "day", "at_tz", "flag"]) {
    assert.deepEqual(raw[field], (misfit as Record<string, unknown>)[field], `raw value of ${field} kept`);
  }
  assert.deepEqual(meta.extra?.unknown_field, { kept: true }, "a property outside the schema is kept");
  // The whole misfit record comes back from its row and _airbyte_meta (as destinations get it).
  const replayed = await AirbyteMessageIterator.fromReadResult(result).toArray();
  const restored = (replayed.filter((m) => m.type === "RECORD")[1] as any).record.data;
  // A number in a string column is stored as its text: the same value, in the column's type.
  assert.deepEqual({ ...restored, label: Number(restored.label) }, misfit);
});
