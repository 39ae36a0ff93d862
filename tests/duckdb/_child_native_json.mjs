// Child process for tests/duckdb/json_functions_test.ts: native DuckDB (@duckdb/node-api, which
// has the json extension built in) answers the same queries the test asks DuckDB-WASM.
//
//   node tests/duckdb/_child_native_json.mjs <input.json>
//
// input: { "rows": [[id, text | null], ...], "queries": ["SELECT ... FROM d ...", ...] }, where
// `d(id INTEGER, j VARCHAR)` holds the rows. Prints { version, results: [{ rows } | { error }] }.
import process from "node:process";
import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
await connection.run("CREATE TABLE d (id INTEGER, j VARCHAR)");
const insert = await connection.prepare("INSERT INTO d VALUES ($1, $2)");
for (const [id, text] of input.rows) {
  insert.bindInteger(1, id);
  if (text === null) insert.bindNull(2);
  else insert.bindVarchar(2, text);
  await insert.run();
}
const results = [];
for (const sql of input.queries) {
  try {
    const reader = await connection.runAndReadAll(sql);
    results.push({ rows: reader.getRowObjectsJson() });
  } catch (error) {
    results.push({ error: String(error.message ?? error).split("\n")[0] });
  }
}
const version = (await connection.runAndReadAll("SELECT version() AS v")).getRowObjectsJson()[0].v;
process.stdout.write(JSON.stringify({ version, results }) + "\n");
connection.closeSync();
instance.closeSync();
