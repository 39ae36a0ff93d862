/**
 * Destination memory benchmark: N cached records written to a destination that reads slowly
 * (`slow_ms_per_record`), sampling this process's RSS during the write. Back-pressure must keep
 * memory flat whatever N is.
 *
 *   deno run -A bench/write_memory.ts [--records 1000000] [--slow-ms 0.01]
 *
 * @module
 */
const ROOT = new URL("..", import.meta.url).pathname;
const flag = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : fallback;
};
const records = Number(flag("records", "1000000"));
const slowMs = flag("slow-ms", "0.01");
const work = await Deno.makeTempDir({ prefix: "airbyte-ts-write-bench-" });
const data = `${work}/records.jsonl`;
const make = await new Deno.Command("python3", {
  args: [`${ROOT}bench/make_replay_data.py`, "--records", String(records), "--out", data],
}).output();
if (make.code !== 0) throw new Error(new TextDecoder().decode(make.stderr));
const out = await new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    "--config",
    `${ROOT}deno.json`,
    `${ROOT}bench/_write_once.ts`,
    `${work}/c.duckdb`,
    data,
    `${work}/out`,
    slowMs,
  ],
  stderr: "inherit",
}).output();
const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
console.log(
  `write records=${r.records} confirmed=${r.confirmed} seconds=${r.writeSeconds.toFixed(1)} ` +
    `records_per_s=${Math.round(r.records / r.writeSeconds)} peak_rss_during_write_mb=${
      Math.round(r.peakRssDuringWriteMb)
    } ` +
    `peak_rss_after_read_mb=${Math.round(r.peakRssAfterReadMb)} slow_ms_per_record=${slowMs}`,
);
await Deno.remove(work, { recursive: true });
