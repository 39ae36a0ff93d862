import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as duckdb from "@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs";
import { NODE_FILE_RUNTIME } from "../../wasm/node_file_runtime.ts";

const require = createRequire(import.meta.url);
const dist = require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs").replace(/[^/]+$/, "");
const bundles = {
  mvp: { mainModule: `${dist}duckdb-mvp.wasm`, mainWorker: "" },
  eh: { mainModule: `${dist}duckdb-eh.wasm`, mainWorker: "" },
};

/** Open `path` through `runtime` the way a user of the bindings would, run `sql`, close. */
async function withDatabase(
  runtime: duckdb.DuckDBRuntime,
  path: string,
  useDirectIO: boolean,
  sql: string,
): Promise<string> {
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), runtime);
  await db.instantiate();
  if (useDirectIO) db.registerFileURL(`${path}.wal`, `${path}.wal`, duckdb.DuckDBDataProtocol.NODE_FS, true);
  db.open({ path, accessMode: duckdb.DuckDBAccessMode.READ_WRITE, useDirectIO });
  const conn = db.connect();
  try {
    return JSON.stringify(conn.query(sql).toArray().map((row) => row.toJSON()));
  } finally {
    conn.close();
    db.reset();
  }
}

const WRITE = "CREATE TABLE t AS SELECT range AS i FROM range(1000); CHECKPOINT; SELECT 1 AS done";
const READ = "SELECT count(*)::INT AS tables FROM information_schema.tables WHERE table_name = 't'";

Deno.test("NODE_FILE_RUNTIME keeps a checkpointed table that the stock NODE_RUNTIME loses", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The defect this runtime exists for. If this assertion starts failing, duckdb-wasm has
    // fixed its Node runtime and wasm/load_node.ts may be simplified.
    await withDatabase(duckdb.NODE_RUNTIME, `${dir}/stock.duckdb`, false, WRITE);
    assert.equal(
      await withDatabase(duckdb.NODE_RUNTIME, `${dir}/stock.duckdb`, false, READ),
      '[{"tables":0}]',
    );

    const ours = NODE_FILE_RUNTIME as unknown as duckdb.DuckDBRuntime;
    await withDatabase(ours, `${dir}/ours.duckdb`, true, WRITE);
    assert.equal(await withDatabase(ours, `${dir}/ours.duckdb`, true, READ), '[{"tables":1}]');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("NODE_FILE_RUNTIME opens a database read-only, which the stock runtime refuses", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ro.duckdb`;
    const ours = NODE_FILE_RUNTIME as unknown as duckdb.DuckDBRuntime;
    await withDatabase(ours, path, true, WRITE);
    for (const [runtime, expected] of [[duckdb.NODE_RUNTIME, /does not exist/], [ours, null]] as const) {
      const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), runtime);
      await db.instantiate();
      try {
        const open = () => db.open({ path, accessMode: duckdb.DuckDBAccessMode.READ_ONLY });
        if (expected) {
          assert.throws(open, expected);
          continue;
        }
        open();
        const conn = db.connect();
        assert.equal(conn.query("SELECT count(*)::INT AS n FROM t").toArray()[0].toJSON().n, 1000);
        conn.close();
      } finally {
        db.reset();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
