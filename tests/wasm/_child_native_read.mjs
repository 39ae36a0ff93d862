// Child process for tests/wasm/load_node_test.ts: read a database file with native DuckDB
// (@duckdb/node-api, a Node addon) and print the rows of a query as JSON.
//
//   node tests/wasm/_child_native_read.mjs <db> <sql>
import process from "node:process";
import { DuckDBInstance } from "@duckdb/node-api";

const [dbPath, sql] = process.argv.slice(2);
const instance = await DuckDBInstance.create(dbPath, { access_mode: "READ_ONLY" });
const connection = await instance.connect();
const reader = await connection.runAndReadAll(sql);
const version = (await connection.runAndReadAll("SELECT version() AS v")).getRowObjectsJson()[0].v;
process.stdout.write(JSON.stringify({ version, rows: reader.getRowObjectsJson() }) + "\n");
connection.closeSync();
instance.closeSync();
