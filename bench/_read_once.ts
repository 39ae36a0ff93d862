// One benchmark run in a fresh process: read the replay file into a new file cache and print a
// JSON line with the figures, including this process's peak RSS (VmHWM), so each size is measured
// without the previous run's heap. `readSeconds` is the whole `source.read()` (discovery and
// DuckDB-WASM's start included); `fromCacheOpenSeconds` runs from the moment the cache is open.
import { DuckDBCache, getSource } from "../mod.ts";

const [dataPath, cachePath] = Deno.args;
const started = performance.now();
const source = await getSource("source-replay", {
  localExecutable: new URL("./replay_source.py", import.meta.url).pathname,
  config: { path: dataPath },
  streams: ["bench_records"],
});
const spawnAt = performance.now();
const cache = new DuckDBCache({ path: cachePath });
// The job's `start` event comes when the cache is open and the streams' tables are claimed: the
// second figure starts there (DuckDB-WASM's start, about 1.4 s, is behind it).
let streamsOpenAt = NaN;
const result = await source.read({
  cache,
  writeStrategy: "append",
  progress: (event) => {
    if (event.kind === "start") streamsOpenAt = performance.now();
  },
});
const end = performance.now();
const readSeconds = (end - spawnAt) / 1000;
const rows = await result.get("bench_records").count();
await cache.close();
const status = await Deno.readTextFile("/proc/self/status");
const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
console.log(JSON.stringify({
  records: result.processedRecords,
  rows,
  readSeconds,
  fromCacheOpenSeconds: (end - streamsOpenAt) / 1000,
  totalSeconds: (performance.now() - started) / 1000,
  peakRssMb: hwmKb / 1024,
}));
