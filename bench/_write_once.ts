// One write benchmark run in a fresh process: deliver every cached row of an existing cache file
// to the fixture destination and print a JSON line with the figures and this process's peak RSS.
import { DuckDBCache, getDestination, getSource } from "../mod.ts";

const [cachePath, dataPath, outDir, slowMs] = Deno.args;
const cache = new DuckDBCache({ path: cachePath });
const source = await getSource("source-replay", {
  localExecutable: new URL("./replay_source.py", import.meta.url).pathname,
  config: { path: dataPath },
  streams: ["bench_records"],
});
const readResult = await source.read({ cache, progress: "none", writeStrategy: "append" });
const afterRead = Number(/VmHWM:\s+(\d+)/.exec(await Deno.readTextFile("/proc/self/status"))?.[1] ?? 0) /
  1024;
const destination = await getDestination("destination-jsonl", {
  pipUrl: new URL("../tests/fixtures/destination_jsonl", import.meta.url).pathname,
  config: { path: outDir, slow_ms_per_record: Number(slowMs) },
});
const started = performance.now();
let peakDuringWrite = 0;
const sampler = setInterval(async () => {
  const rss = Number(/VmRSS:\s+(\d+)/.exec(await Deno.readTextFile("/proc/self/status"))?.[1] ?? 0) / 1024;
  peakDuringWrite = Math.max(peakDuringWrite, rss);
}, 200);
const result = await destination.write(readResult, { progress: "none" });
clearInterval(sampler);
await cache.close();
console.log(JSON.stringify({
  records: result.processedRecords,
  confirmed: result.confirmedRecords,
  writeSeconds: (performance.now() - started) / 1000,
  peakRssAfterReadMb: afterRead,
  peakRssDuringWriteMb: peakDuringWrite,
}));
