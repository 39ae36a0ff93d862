/**
 * End-to-end read benchmark: a replay source emits N pre-generated RECORD lines at the speed of
 * `cat`; we read them into a file cache (spawn → committed state) and report records/s, MB/s and
 * peak RSS. The same input then goes through PyAirbyte (its DuckDB cache) for the ratio.
 *
 *   npm run bench -- --records 1000000 [--sizes 100000,1000000,10000000] [--no-pyairbyte]
 *
 * Two times per size: the whole `source.read()` call (discovery and DuckDB-WASM's start, about
 * 1.4 s, included; PyAirbyte is timed the same way, so the ratio uses it), and from the moment the
 * cache is open (the steady state of a long-lived process) to the committed state. Every line names
 * the run its figures come from (`records=N`); the last one reads
 * `throughput_ratio_vs_pyairbyte=X records=N records_per_s=Y peak_rss_mb=Z`, all from the run of N
 * records that PyAirbyte was compared with (Y: whole read).
 *
 * @module
 */
const ROOT = new URL("..", import.meta.url).pathname;
const args = Deno.args;
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const sizes = (flag("sizes") ?? flag("records") ?? "1000000").split(",").map(Number);
const withPy = !args.includes("--no-pyairbyte");
const pyRecords = Number(flag("pyairbyte-records") ?? Math.min(sizes[sizes.length - 1], 1_000_000));
const work = await Deno.makeTempDir({ prefix: "airbyte-ts-bench-" });
const home = Deno.env.get("AIRBYTE_TS_HOME") ?? `${Deno.env.get("HOME")}/.cache/airbyte-ts`;

async function run(cmd: string, cmdArgs: string[], env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(cmd, { args: cmdArgs, env, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) {
    throw new Error(`${cmd} ${cmdArgs.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

async function makeData(n: number): Promise<{ path: string; bytes: number }> {
  const path = `${work}/records_${n}.jsonl`;
  await run("python3", [`${ROOT}bench/make_replay_data.py`, "--records", String(n), "--out", path]);
  // Flush the new file's pages now, so that the run timed next does not share the machine with
  // the kernel writing hundreds of MB back.
  await run("sync", []);
  return { path, bytes: (await Deno.stat(path)).size };
}

async function ours(n: number) {
  const data = await makeData(n);
  const cachePath = `${work}/ours_${n}.duckdb`;
  const line = (await run(Deno.execPath(), [
    "run",
    "-A",
    "--config",
    `${ROOT}deno.json`,
    `${ROOT}bench/_read_once.ts`,
    data.path,
    cachePath,
  ]))
    .trim().split("\n").pop()!;
  const r = JSON.parse(line);
  if (r.rows !== n) throw new Error(`expected ${n} rows in the cache, found ${r.rows}`);
  await Deno.remove(cachePath).catch(() => {});
  await Deno.remove(`${cachePath}.wal`).catch(() => {});
  return {
    ...r,
    mbPerSecond: data.bytes / 1e6 / r.readSeconds,
    recordsPerSecond: n / r.readSeconds,
    fromCacheOpenPerSecond: n / r.fromCacheOpenSeconds,
    data,
  };
}

async function pyairbyte(n: number, dataPath: string) {
  const python = `${home}/venvs/pyairbyte/bin/python`;
  const exists = await Deno.stat(python).then(() => true, () => false);
  if (!exists) {
    console.log(`Installing PyAirbyte into ${home}/venvs/pyairbyte (once)...`);
    await run("python3", ["-m", "venv", `${home}/venvs/pyairbyte`]);
    await run(`${home}/venvs/pyairbyte/bin/pip`, ["install", "-q", "airbyte"]);
  }
  const line = (await run(python, [
    `${ROOT}bench/_pyairbyte_read.py`,
    dataPath,
    `${work}/py_${n}.duckdb`,
    `${ROOT}bench/replay_source.py`,
  ], {
    DO_NOT_TRACK: "1",
    AIRBYTE_OFFLINE_MODE: "1",
    AIRBYTE_NO_UI: "1",
  })).trim().split("\n").pop()!;
  const r = JSON.parse(line);
  return { ...r, recordsPerSecond: n / r.readSeconds };
}

const results: any[] = [];
for (const n of sizes) {
  const r = await ours(n);
  results.push({ n, ...r });
  console.log(
    `airbyte-ts records=${n} seconds=${r.readSeconds.toFixed(2)} records_per_s=${
      Math.round(r.recordsPerSecond)
    } ` +
      `mb_per_s=${r.mbPerSecond.toFixed(1)} peak_rss_mb=${Math.round(r.peakRssMb)} ` +
      `from_cache_open_seconds=${r.fromCacheOpenSeconds.toFixed(2)} from_cache_open_records_per_s=${
        Math.round(r.fromCacheOpenPerSecond)
      }`,
  );
}
const byN = (n: number) => results.find((r) => r.n === n);
if (byN(1_000_000) && byN(10_000_000)) {
  const a = byN(1_000_000)!, b = byN(10_000_000)!;
  console.log(
    `time(10M)/time(1M)=${(b.readSeconds / a.readSeconds).toFixed(2)} rss(10M)/rss(1M)=${
      (b.peakRssMb / a.peakRssMb).toFixed(2)
    }`,
  );
}
let ratio = NaN;
const ref = results.find((r) => r.n === pyRecords) ?? results[results.length - 1];
if (withPy) {
  const data = ref.data ?? await makeData(pyRecords);
  const py = await pyairbyte(ref.n, data.path);
  ratio = ref.recordsPerSecond / py.recordsPerSecond;
  console.log(
    `pyairbyte records=${ref.n} seconds=${py.readSeconds.toFixed(2)} records_per_s=${
      Math.round(py.recordsPerSecond)
    } ` +
      `peak_rss_mb=${Math.round(py.peakRssMb)}`,
  );
}
await Deno.remove(work, { recursive: true }).catch(() => {});
console.log(
  `throughput_ratio_vs_pyairbyte=${Number.isNaN(ratio) ? "n/a" : ratio.toFixed(1)} records=${ref.n} ` +
    `records_per_s=${Math.round(ref.recordsPerSecond)} peak_rss_mb=${Math.round(ref.peakRssMb)}`,
);
