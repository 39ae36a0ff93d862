// Schema changes between reads: new properties become new columns, nothing is dropped, and a
// property whose type changed keeps its column's type (misfits kept in _airbyte_meta).
import assert from "node:assert/strict";
import { DuckDBCache, getSource, type InProcessConnector } from "../../mod.ts";

function connector(properties: Record<string, unknown>, rows: Record<string, unknown>[]): InProcessConnector {
  return {
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
  };
}

Deno.test("Source.read adds columns for new properties and drops none", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const v1 = connector({ id: { type: "integer" }, name: { type: "string" } }, [{ id: 1, name: "Ada" }]);
  const v2 = connector(
    { id: { type: "string" }, email: { type: "string" } }, // id changed type, name gone, email new
    [{ id: "B-2", email: "b@example.com" }],
  );
  await (await getSource("source-evolving", { connector: v1, config: {} }))
    .read({ cache, streams: ["people"], writeStrategy: "append", progress: "none" });
  await (await getSource("source-evolving", { connector: v2, config: {} }))
    .read({ cache, streams: ["people"], writeStrategy: "append", progress: "none" });
  const columns = await cache.get("people").columns;
  for (const c of ["id", "name", "email"]) assert.ok(columns.includes(c), `${c} in ${columns}`);
  const rows = (await cache.sql("SELECT id, name, email, _airbyte_meta FROM people ORDER BY _airbyte_raw_id"))
    .toArray();
  assert.equal(rows.length, 2);
  assert.equal(rows[0].name, "Ada");
  assert.equal(rows[1].email, "b@example.com");
  // The old BIGINT id column stays; "B-2" does not fit it and is kept in _airbyte_meta.
  assert.equal(rows[1].id, null);
  assert.equal(JSON.parse(rows[1]._airbyte_meta).changes[0].raw, "B-2");
});

// Caches written before row ids were UUIDs have text ids `<sync time base 36>-<random>-<stream>-<counter>`.
// New rows must sort after them: destinations resume delivery after the last id they confirmed.
Deno.test("a table made with text row ids keeps getting text ids that sort after its old ones", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const v1 = connector({ id: { type: "integer" } }, [{ id: 1 }, { id: 2 }]);
  const source = await getSource("source-evolving", { connector: v1, config: {} });
  await source.read({ cache, streams: ["people"], progress: "none", writeStrategy: "append" });
  // Turn the table into one the old code made: text ids from a sync a day ago.
  const dayAgo = (Date.now() - 86_400_000).toString(36);
  await cache.sql(`ALTER TABLE people ALTER _airbyte_raw_id TYPE VARCHAR`);
  await cache.sql(
    `UPDATE people SET _airbyte_raw_id = '${dayAgo}-1a2b3c4d-people-' || lpad(id::VARCHAR, 12, '0')`,
  );
  await source.read({ cache, streams: ["people"], progress: "none", writeStrategy: "append" });
  const t = await cache.sql(
    `SELECT any_value(typeof(_airbyte_raw_id)) AS type, count(*)::INTEGER AS n, ` +
      `max(_airbyte_raw_id) FILTER (WHERE _airbyte_raw_id LIKE '${dayAgo}%') AS old_max, ` +
      `min(_airbyte_raw_id) FILTER (WHERE _airbyte_raw_id NOT LIKE '${dayAgo}%') AS new_min FROM people`,
  );
  const row = t.get(0)!;
  assert.equal(row.type, "VARCHAR");
  assert.equal(row.n, 4);
  assert.ok(String(row.new_min) > String(row.old_max), `${row.new_min} sorts after ${row.old_max}`);
});
