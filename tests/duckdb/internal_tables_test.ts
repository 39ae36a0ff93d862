// The cache's own tables live where no stream name reaches them, and caches of the earlier layout
// are moved into that place without losing a row or a state.
import assert from "node:assert/strict";
import { DuckDBCache, getSource, type InProcessConnector } from "../../mod.ts";
import { openNodeEngine } from "../../wasm/load_node.ts";
import { tempDir } from "../_support.ts";

/** A source with the given streams, each an incremental counter of `count` rows with STREAM state. */
function streamsNamed(names: string[], count: number): InProcessConnector {
  return {
    name: "source-odd-names",
    spec: () => Promise.resolve({ connectionSpecification: { type: "object", properties: {} } }),
    check: () => Promise.resolve({ status: "SUCCEEDED" }),
    discover: () =>
      Promise.resolve({
        streams: names.map((name) => ({
          name,
          json_schema: { type: "object", properties: { id: { type: "integer" } } },
          supported_sync_modes: ["full_refresh", "incremental"],
          source_defined_cursor: true,
          default_cursor_field: ["id"],
        })),
      }),
    async *read(_config, catalog, state) {
      const after = new Map<string, number>();
      for (const s of (state as any[]) ?? []) {
        after.set(s.stream.stream_descriptor.name, s.stream.stream_state.id);
      }
      for (const configured of (catalog as any).streams) {
        const name = configured.stream.name;
        for (let id = (after.get(name) ?? 0) + 1; id <= count; id++) {
          yield { type: "RECORD", record: { stream: name, data: { id }, emitted_at: 1 } };
        }
        yield {
          type: "STATE",
          state: { type: "STREAM", stream: { stream_descriptor: { name }, stream_state: { id: count } } },
        };
      }
    },
  };
}

Deno.test("streams named like the cache's own tables are cached, kept and read incrementally", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/odd.duckdb`;
  const names = ["_airbyte_stage__keep", "_airbyte_state", "_airbyte_streams", "_airbyte_delivery"];
  const read = async (count: number) => {
    await using cache = new DuckDBCache({ path });
    const source = await getSource("source-odd-names", { connector: streamsNamed(names, count), config: {} });
    return await source.read({ cache, streams: "*", progress: "none", writeStrategy: "append" });
  };
  const first = await read(3);
  assert.deepEqual([...first.recordsPerStream.values()], [3, 3, 3, 3]);
  // Reopened (where the old layout dropped `_airbyte_stage__keep` as a leftover staging table),
  // every stream is still there, and the second read only brings the new rows.
  const second = await read(5);
  assert.deepEqual([...second.recordsPerStream.values()], [2, 2, 2, 2]);
  await using cache = new DuckDBCache({ path });
  assert.deepEqual((await cache.streams).sort(), [...names].sort());
  for (const name of names) assert.equal(await cache.get(name).count(), 5, name);
  const state = await cache.getStateProvider("source-odd-names");
  assert.deepEqual(state.stateMessages.length, 4);
});

Deno.test("a cache written with the earlier layout is moved to the internal schema on open", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/old.duckdb`;
  // The layout before: registry and state beside the stream table, and a dead read's stage.
  const engine = await openNodeEngine(path);
  await engine.exec(
    `CREATE TABLE _airbyte_streams (source_name VARCHAR, stream_name VARCHAR, table_name VARCHAR, ` +
      `json_schema VARCHAR, primary_key VARCHAR, cursor_field VARCHAR, updated_at TIMESTAMPTZ, ` +
      `PRIMARY KEY (source_name, stream_name)); ` +
      `CREATE TABLE _airbyte_state (source_name VARCHAR, state_key VARCHAR, state_type VARCHAR, ` +
      `state_json VARCHAR, updated_at TIMESTAMPTZ, PRIMARY KEY (source_name, state_key)); ` +
      `CREATE TABLE users AS SELECT range AS id FROM range(7); ` +
      `CREATE TABLE _airbyte_stage__users AS SELECT 99 AS id; ` +
      `INSERT INTO _airbyte_streams VALUES ('source-x', 'users', 'users', '{}', '[]', '[]', now()); ` +
      `INSERT INTO _airbyte_state VALUES ('source-x', 'stream:users', 'STREAM', ` +
      `'{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"id":6}}}', now())`,
  );
  await engine.close();

  await using cache = new DuckDBCache({ path });
  assert.deepEqual(await cache.streams, ["users"]);
  assert.equal(await cache.get("users").count(), 7);
  const state = await cache.getStateProvider("source-x");
  assert.deepEqual((state.getStreamState("users")!.stream as any).stream_state, { id: 6 });
  const left = await cache.sql(
    `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables ORDER BY 1`,
  );
  const tables = left.toArray().map((r) => String(r.t));
  assert.ok(!tables.includes("main._airbyte_streams"), tables.join());
  assert.ok(!tables.includes("main._airbyte_stage__users"), "the dead read's stage is gone");
  assert.ok(tables.includes("_airbyte_internal.streams"), tables.join());
});
