// Merge and replace of staged rows, and the shared internal tables, on a real server.
import assert from "node:assert/strict";
import {
  checkout,
  connectPostgres,
  type PgClient,
  resolveConnection,
} from "../../src/postgres/connection.ts";
import {
  createTableSql,
  ensureKeyIndex,
  mergeStage,
  type PgColumn,
  replaceWithStage,
  stageKeysUnique,
} from "../../src/postgres/apply_stage.ts";
import { stageTableName } from "../../src/postgres/pg_names.ts";
import { ensureInternalTables, INTERNAL_SCHEMA } from "../../src/postgres/internal_tables.ts";
import { testDatabase } from "../_services/postgres.ts";

const COLUMNS: PgColumn[] = [
  { name: "id", pgType: "bigint" },
  { name: "region", pgType: "text" },
  { name: "updated", pgType: "bigint" },
  { name: "v", pgType: "text" },
  { name: "_airbyte_raw_id", pgType: "uuid" },
];
const NAMES = COLUMNS.map((c) => c.name);

function uuid(n: number): string {
  return `00000000-0000-7000-8000-${n.toString(16).padStart(12, "0")}`;
}

async function insert(
  client: PgClient,
  table: string,
  rows: [number | null, string | null, number | null, string][],
  first: number,
) {
  for (const [i, [id, region, updated, v]] of rows.entries()) {
    await client.query(`INSERT INTO "${table}" VALUES ($1, $2, $3, $4, $5)`, [
      id,
      region,
      updated,
      v,
      uuid(first + i),
    ]);
  }
}

async function withClient(fn: (client: PgClient) => Promise<void>) {
  await using db = await testDatabase("stage");
  const pool = await connectPostgres(resolveConnection({ url: db.url }), { max: 4 });
  const client = await checkout(pool);
  try {
    await fn(client);
  } finally {
    client.release();
    await pool.end();
  }
}

Deno.test("mergeStage keeps one row per composite key: the greatest cursor, then the last received", async () => {
  await withClient(async (client) => {
    await client.query(createTableSql("public", "t", COLUMNS));
    await ensureKeyIndex(client, "public", "t", ["id", "region"]);
    const stage = stageTableName("public", "t");
    await client.query(createTableSql("public", stage, COLUMNS, { unlogged: true }));
    await insert(client, "t", [[1, "eu", 5, "old 1 eu"], [1, "us", 5, "old 1 us"], [2, "eu", 5, "old 2"], [
      null,
      "eu",
      1,
      "old null",
    ]], 0);
    await insert(client, stage, [
      [1, "eu", 7, "new 1 eu, cursor 7"],
      [1, "eu", 9, "new 1 eu, cursor 9 (wins)"],
      [1, "eu", 8, "new 1 eu, cursor 8"],
      [3, "eu", 1, "first of 3"],
      [3, "eu", 1, "last of 3 (wins)"],
      [4, "us", null, "null cursor loses"],
      [4, "us", 2, "cursor 2 wins"],
      [null, "eu", 2, "new null key"],
    ], 100);
    await client.query("BEGIN");
    await mergeStage(client, "public", stage, "t", {
      columns: NAMES,
      keys: ["id", "region"],
      cursor: "updated",
    });
    await client.query("COMMIT");
    const { rows } = await client.query("SELECT id::int, region, v FROM t ORDER BY id NULLS FIRST, region");
    assert.deepEqual(rows.map((r) => [r.id, r.region, r.v]), [
      [null, "eu", "new null key"],
      [1, "eu", "new 1 eu, cursor 9 (wins)"],
      [1, "us", "old 1 us"],
      [2, "eu", "old 2"],
      [3, "eu", "last of 3 (wins)"],
      [4, "us", "cursor 2 wins"],
    ]);
  });
});

Deno.test("stageKeysUnique tells a stage with one row per key (NULL keys equal) from one with repeats", async () => {
  await withClient(async (client) => {
    const stage = stageTableName("public", "t");
    await client.query(createTableSql("public", stage, COLUMNS, { unlogged: true }));
    await client.query("BEGIN");
    await insert(client, stage, [[1, "eu", 1, "a"], [1, "us", 1, "b"], [null, "eu", 1, "c"], [
      2,
      null,
      1,
      "d",
    ]], 0);
    assert.equal(await stageKeysUnique(client, "public", stage, ["id", "region"]), true);
    // The check leaves the transaction usable either way.
    await client.query(`DROP INDEX "${stage}:keys"`);
    await insert(client, stage, [[null, "eu", 2, "e"]], 10);
    assert.equal(await stageKeysUnique(client, "public", stage, ["id", "region"]), false, "NULL keys repeat");
    await client.query(createTableSql("public", "t", COLUMNS));
    await mergeStage(client, "public", stage, "t", {
      columns: NAMES,
      keys: ["id", "region"],
      cursor: "updated",
    });
    await client.query("COMMIT");
    const { rows } = await client.query("SELECT v FROM t ORDER BY v");
    assert.deepEqual(rows.map((r) => r.v), ["a", "b", "d", "e"]);
  });
});

Deno.test("replaceWithStage swaps tables atomically: a reader waits for the swap and then sees only the new rows", async () => {
  await using db = await testDatabase("replace");
  const pool = await connectPostgres(resolveConnection({ url: db.url }), { max: 4 });
  const writer = await checkout(pool);
  try {
    await writer.query(createTableSql("public", "t", COLUMNS));
    await insert(writer, "t", [[1, "eu", 1, "old"]], 0);
    const stage = stageTableName("public", "t");
    await writer.query(createTableSql("public", stage, COLUMNS));
    await insert(writer, stage, [[7, "us", 1, "new a"], [8, "us", 1, "new b"]], 10);
    await writer.query("BEGIN");
    await replaceWithStage(writer, "public", stage, "t");
    // Until the commit a reader waits (it never sees a missing or half-filled table)...
    const reader = await checkout(pool);
    await reader.query("SET lock_timeout = '50ms'");
    await assert.rejects(reader.query("SELECT v FROM t"), /lock timeout/);
    await writer.query("COMMIT");
    const { rows } = await reader.query("SELECT v FROM t ORDER BY v");
    assert.deepEqual(rows.map((r) => r.v), ["new a", "new b"]);
    reader.release();
  } finally {
    writer.release();
    await pool.end();
  }
});

Deno.test("ensureInternalTables is safe from four processes' connections at once and reports a new database once", async () => {
  await using db = await testDatabase("internal");
  const pools = await Promise.all(
    [0, 1, 2, 3].map(() => connectPostgres(resolveConnection({ url: db.url }), { max: 1 })),
  );
  try {
    const created = await Promise.all(pools.map((p) => ensureInternalTables(p)));
    assert.equal(created.filter(Boolean).length, 1);
    assert.equal(await ensureInternalTables(pools[0]), false);
    const { rows } = await pools[0].query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
      [INTERNAL_SCHEMA],
    );
    assert.deepEqual(rows.map((r) => r.table_name), ["delivery", "destination_state", "state", "streams"]);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
});
