// Helper of bench/json_functions.ts: the same queries on native DuckDB (@duckdb/node-api, json
// extension built in), one thread. Prints the best of 3 CPU times per query, in ms, as JSON.
//
//   node bench/_json_native.mjs <documents.tsv> <queries.json>
import process from "node:process";
import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

const [documents, queriesFile] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(queriesFile, "utf8"));
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
await connection.run("SET threads=1");
const source = documents.replaceAll("'", "''");
await connection.run(
  `CREATE TABLE docs AS SELECT j FROM read_csv('${source}', header=false, columns={'j': 'VARCHAR'}, ` +
    `quote='', escape='', delim='\\t')`,
);
// CPU time of this process (one DuckDB thread), best of 3: steadier than wall time on a shared machine.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = [];
for (const query of queries) {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const started = cpuMs();
    await connection.run(query);
    best = Math.min(best, cpuMs() - started);
  }
  times.push(best);
}
process.stdout.write(JSON.stringify(times) + "\n");
