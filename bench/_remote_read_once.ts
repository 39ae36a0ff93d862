// One run of bench/remote_throughput.ts in a fresh process: read the replay file through the local
// or the remote executor, either as raw stdout bytes (the transport alone) or into a new file cache
// (the whole read), and print one JSON line with the figures and this process's peak RSS.
//
//   deno run -A bench/_remote_read_once.ts <local|remote> <bytes|cache> <data path> <cache path> [server url]
import { DuckDBCache, type Executor, getSource, RemoteExecutor, SubprocessExecutor } from "../mod.ts";

const [where, what, dataPath, cachePath, url] = Deno.args;
const token = Deno.env.get("AIRBYTE_TS_SERVER_TOKEN") ?? "";
const replay = new URL("./replay_source.py", import.meta.url).pathname;
const catalog = {
  streams: [{
    stream: { name: "bench_records", json_schema: {}, supported_sync_modes: ["full_refresh"] },
    sync_mode: "full_refresh",
    destination_sync_mode: "append",
  }],
};

const started = performance.now();
let records = 0;
let bytes = 0;
if (what === "bytes") {
  const executor: Executor = where === "remote"
    ? new RemoteExecutor({ url, token, connector: "source-replay" })
    : new SubprocessExecutor({ command: replay, logDir: false });
  const files = { "--config": JSON.stringify({ path: dataPath }), "--catalog": JSON.stringify(catalog) };
  let lines = 0;
  for await (const chunk of executor.execute(["read"], { files })) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  records = lines - 1; // the final STATE line
} else {
  const source = await getSource("source-replay", {
    ...(where === "remote" ? { remote: { url, token } } : { localExecutable: replay }),
    config: { path: dataPath },
    streams: ["bench_records"],
  });
  const cache = new DuckDBCache({ path: cachePath });
  const result = await source.read({ cache, writeStrategy: "append", progress: "none" });
  records = await result.get("bench_records").count();
  bytes = (await Deno.stat(dataPath)).size;
  await cache.close();
}
const seconds = (performance.now() - started) / 1000;
const status = await Deno.readTextFile("/proc/self/status");
// utime + stime of this process (all its threads), in clock ticks of 1/100 s.
const stat = (await Deno.readTextFile("/proc/self/stat")).split(") ")[1].split(" ");
const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
console.log(JSON.stringify({
  cpuSeconds,
  where,
  what,
  records,
  seconds,
  bytes,
  peakRssMb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
}));
