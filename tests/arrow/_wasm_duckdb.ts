/**
 * Test helper: an in-memory DuckDB-WASM (the blocking Node bundle) for tests that must see what
 * real DuckDB makes of our Arrow bytes and DDL. Loaded directly, independent of wasm/.
 *
 * @module
 */
import * as duckdb from "@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs";
import { createRequire } from "node:module";

/** A connection to a fresh in-memory database, plus a way to close it. */
export interface MemoryDuckDB {
  conn: duckdb.DuckDBConnection;
  /** Rows of a query as plain objects. */
  rows(sql: string): Record<string, unknown>[];
  close(): void;
}

/** Opens a fresh in-memory DuckDB-WASM with extension autoloading off (offline machine). */
export async function openMemoryDuckDB(): Promise<MemoryDuckDB> {
  const require = createRequire(import.meta.url);
  const dist = require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs").replace(/[^/\\]+$/, "");
  const bundles = {
    mvp: { mainModule: `${dist}duckdb-mvp.wasm`, mainWorker: `${dist}duckdb-node-mvp.worker.cjs` },
    eh: { mainModule: `${dist}duckdb-eh.wasm`, mainWorker: `${dist}duckdb-node-eh.worker.cjs` },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate();
  const conn = db.connect();
  conn.query("SET autoload_known_extensions=false");
  return {
    conn,
    rows: (sql) => conn.query(sql).toArray().map((r) => r.toJSON()),
    close: () => {
      conn.close();
      db.reset();
    },
  };
}
