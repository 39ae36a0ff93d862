/**
 * Benchmark: DuckDB's JSON functions in DuckDB-WASM (wasm/json_functions.ts), against DuckDB's
 * own functions in the same engine and against native DuckDB with its json extension.
 *
 * Run: `npx deno run -A bench/json_functions.ts [rows]` (default 1,000,000)
 *
 * Prints, for `rows` faker-like address documents (~150 bytes, 5 to 6 fields, one nested):
 * - what registering the functions adds to opening an engine (median of 20, CPU and wall);
 * - per query: wall and CPU time, and the CPU cost per row of the JSON function, i.e. the query's
 *   CPU time minus that of the same query with a DuckDB built-in (`length(j)`) in its place, so
 *   the scan and aggregation are not counted; each query runs 3 times, the least CPU counts (CPU
 *   time holds up on a shared machine, wall time does not);
 * - the same queries on native DuckDB 1.4 (@duckdb/node-api, json extension built in), when
 *   Node can load it.
 *
 * @module
 */
import process from "node:process";
import * as arrow from "apache-arrow";
import * as duckdb from "@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs";
import { createRequire } from "node:module";
import { openNodeEngine } from "../wasm/load_node.ts";
import { createJsonFunctions, JSON_MACROS_SQL, type UdfModule } from "../wasm/json_functions.ts";
import { ENGINE_SETUP_SQL } from "../wasm/duckdb_engine.ts";

const ROWS = Number(Deno.args[0] ?? 1_000_000);
const CITIES = ["Lisbon", "Berlin", "Montréal", "Osaka", "Nairobi", "Lima", "São Paulo", "Zürich"];

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** What registration adds to an open: measured on its own, on fresh in-memory databases. */
async function registrationCost(): Promise<void> {
  const require = createRequire(import.meta.url);
  const dist = require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs").replace(/[^/]+$/, "");
  const bundles = {
    mvp: { mainModule: `${dist}duckdb-mvp.wasm`, mainWorker: "" },
    eh: { mainModule: `${dist}duckdb-eh.wasm`, mainWorker: "" },
  };
  const json = createJsonFunctions();
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), {
    ...duckdb.NODE_RUNTIME,
    callScalarUDF: json.callScalarUDF,
  } as unknown as duckdb.DuckDBRuntime);
  await db.instantiate();
  const wall: number[] = [], cpu: number[] = [];
  for (let k = 0; k < 20; k++) {
    db.open({ path: ":memory:" });
    const conn = db.connect().useUnsafe((_b, id) => id);
    db.runQuery(conn, ENGINE_SETUP_SQL);
    const [w0, c0] = [performance.now(), cpuMs()];
    json.register(db.mod as unknown as UdfModule, conn);
    db.runQuery(conn, JSON_MACROS_SQL);
    wall.push(performance.now() - w0);
    cpu.push(cpuMs() - c0);
    db.disconnect(conn);
  }
  db.reset();
  console.log(
    `register ${json.names.length} functions + json_keys macro at open: ` +
      `${median(wall).toFixed(2)} ms wall, ${median(cpu).toFixed(2)} ms CPU (median of 20)`,
  );
  const opens: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    const engine = await openNodeEngine(":memory:");
    await engine.query("SELECT 1");
    opens.push(performance.now() - t0);
    await engine.close();
  }
  console.log(`openNodeEngine(":memory:") to first query: ${median(opens).toFixed(0)} ms wall (median of 5)`);
}

function document(i: number): string {
  const address: Record<string, unknown> = {
    address: `${100 + (i % 900)} Main Street`,
    city: CITIES[i % CITIES.length],
    country: "PT",
    postal_code: String(10000 + (i % 89999)),
    state: i % 3 === 0 ? null : "Lisboa",
  };
  if (i % 2 === 0) address.geo = { lat: (i % 180) - 90 + 0.25, lng: (i % 360) - 180 + 0.5, tags: ["a", "b"] };
  return JSON.stringify(address);
}

const QUERIES: [label: string, expression: string][] = [
  ["baseline: length(j) (built-in)", "length(j)"],
  ["json_extract_string(j, '$.city')", "length(json_extract_string(j, '$.city'))"],
  ["j->>'city'", "length(j->>'city')"],
  ["j->'geo'->>'lat'", "length(j->'geo'->>'lat')"],
  ["json_extract(j, '$.geo')", "length(json_extract(j, '$.geo'))"],
  ["json_valid(j)", "json_valid(j)::INTEGER"],
  ["json_array_length(j, '$.geo.tags')", "json_array_length(j, '$.geo.tags')"],
  ["json_keys(j)", "len(json_keys(j))"],
  [
    'regexp_extract(j, \'"city":"([^"]*)"\', 1) (built-in)',
    `length(regexp_extract(j, '"city":"([^"]*)"', 1))`,
  ],
];

/** Best of 3 per query: [wall ms, CPU ms] (CPU: this process, i.e. the in-process engine). */
async function queryTimes(run: (sql: string) => Promise<unknown>): Promise<[number, number][]> {
  const times: [number, number][] = [];
  for (const [, expression] of QUERIES) {
    let best: [number, number] = [Infinity, Infinity];
    for (let k = 0; k < 3; k++) {
      const [w0, c0] = [performance.now(), cpuMs()];
      await run(`SELECT sum(${expression}) AS s FROM docs`);
      const [w, c] = [performance.now() - w0, cpuMs() - c0];
      if (c < best[1]) best = [w, c];
    }
    times.push(best);
  }
  return times;
}

async function nativeTimes(documents: string): Promise<number[] | undefined> {
  const queries = `${documents}.queries.json`;
  await Deno.writeTextFile(
    queries,
    JSON.stringify(QUERIES.map(([, e]) => `SELECT sum(${e}) AS s FROM docs`)),
  );
  const helper = new URL("./_json_native.mjs", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command("node", {
    args: [helper, documents, queries],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(queries);
  if (code === 0) return JSON.parse(new TextDecoder().decode(stdout));
  console.log(`native DuckDB did not run: ${new TextDecoder().decode(stderr).slice(0, 500)}`);
}

await registrationCost();

const engine = await openNodeEngine(":memory:");
const tsv = `${Deno.cwd()}/.cache/bench_json_docs.tsv`;
await Deno.mkdir(`${Deno.cwd()}/.cache`, { recursive: true });
const lines: string[] = [];
for (let i = 0; i < ROWS; i++) lines.push(document(i));
await Deno.writeTextFile(tsv, lines.join("\n") + "\n");
const bytes = lines.reduce((n, l) => n + l.length, 0);
for (let start = 0; start < ROWS; start += 100_000) {
  const table = arrow.tableFromArrays({ j: lines.slice(start, start + 100_000) });
  await engine.insertArrowIPC(arrow.tableToIPC(table, "stream"), { table: "docs", create: start === 0 });
}
console.log(`${ROWS} documents, ${(bytes / ROWS).toFixed(0)} bytes each on average`);

const wasm = await queryTimes((sql) => engine.query(sql));
await engine.close();
const native = await nativeTimes(tsv);
await Deno.remove(tsv);

const perRow = (ms: number, base: number) => ((ms - base) * 1e6 / ROWS).toFixed(0);
console.log(
  `${"query".padEnd(58)} ${"wasm ms".padStart(8)} ${"cpu ms".padStart(7)} ${"cpu ns/row".padStart(10)}` +
    (native ? ` ${"native cpu".padStart(10)} ${"ns/row".padStart(7)}` : ""),
);
QUERIES.forEach(([label], k) => {
  const [wall, cpu] = wasm[k];
  const w = `${wall.toFixed(0).padStart(8)} ${cpu.toFixed(0).padStart(7)} ` +
    `${(k === 0 ? "-" : perRow(cpu, wasm[0][1])).padStart(10)}`;
  const n = native
    ? ` ${native[k].toFixed(0).padStart(10)} ${(k === 0 ? "-" : perRow(native[k], native[0])).padStart(7)}`
    : "";
  console.log(`${label.padEnd(58)} ${w}${n}`);
});
