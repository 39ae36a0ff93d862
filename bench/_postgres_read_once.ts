// One run in a fresh process: the replay connector read into a PostgresCache with `source.read()`,
// exactly as a user reads, printing a JSON line with the figures (peak RSS is this process's
// VmHWM). The stream has a primary key and a cursor, so `auto` merges, as PyAirbyte's does.
//
//   deno run -A bench/_postgres_read_once.ts DATA.jsonl POSTGRES_URL SCHEMA
import { getSource, PostgresCache } from "../mod.ts";

const [dataPath, url, schemaName] = Deno.args;
const source = await getSource("source-replay", {
  localExecutable: new URL("./replay_source.py", import.meta.url).pathname,
  config: { path: dataPath },
  streams: ["bench_records"],
});
await using cache = new PostgresCache({ url, schemaName });
const started = performance.now();
const result = await source.read({ cache, progress: "none" });
const readSeconds = (performance.now() - started) / 1000;
const rows = await result.get("bench_records").count();
const status = await Deno.readTextFile("/proc/self/status");
const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
console.log(JSON.stringify({ records: result.processedRecords, rows, readSeconds, peakRssMb }));
