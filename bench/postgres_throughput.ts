/**
 * Reading into PostgreSQL: the read benchmark's replay (N pre-generated RECORD lines from a real
 * connector process) into the same server by airbyte-ts (`source.read({ cache: new
 * PostgresCache(...) })`) and by PyAirbyte's PostgresCache (`source.read(cache=cache)`), each in a
 * fresh process and timed around the read call alone, printing records/s, peak RSS and the ratio.
 *
 *   deno run -A bench/postgres_throughput.ts [--records 1000000] [--url postgres://…] [--no-pyairbyte]
 *
 * Without --url it starts a private durable cluster (fsync on, PostgreSQL's defaults) with
 * scripts/services/postgres.sh and stops it at the end. Each tool writes into a schema of its own.
 * PyAirbyte runs from its venv under ~/.cache/airbyte-ts/venvs/pyairbyte with
 * AIRBYTE_OFFLINE_MODE=1. The last line reads
 * `throughput_ratio_vs_pyairbyte=X records_per_s=Y peak_rss_mb=Z records=N`.
 *
 * @module
 */
import { startBenchPostgres } from "./_postgres_bench.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const args = Deno.args;
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const records = Number(flag("records") ?? 1_000_000);
const withPy = !args.includes("--no-pyairbyte");
const home = Deno.env.get("AIRBYTE_TS_HOME") ?? `${Deno.env.get("HOME")}/.cache/airbyte-ts`;
const work = await Deno.makeTempDir({ prefix: "airbyte-ts-pg-bench-" });
const server = await startBenchPostgres(flag("url"));

async function run(cmd: string, cmdArgs: string[], env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(cmd, { args: cmdArgs, env, stdout: "piped", stderr: "piped" }).output();
  if (out.code !== 0) {
    throw new Error(
      `${cmd} ${cmdArgs.join(" ")} failed:\n${new TextDecoder().decode(out.stderr).slice(-4000)}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

const lastJson = (text: string) => JSON.parse(text.trim().split("\n").pop()!);

try {
  const data = `${work}/records.jsonl`;
  await run("python3", [`${ROOT}bench/make_replay_data.py`, "--records", String(records), "--out", data]);
  await run("sync", []);
  const ours = lastJson(
    await run(Deno.execPath(), [
      "run",
      "-A",
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}bench/_postgres_read_once.ts`,
      data,
      server.url,
      "airbyte_ts_bench",
    ]),
  );
  if (ours.rows !== records) throw new Error(`airbyte-ts: ${ours.rows} rows instead of ${records}`);
  const oursRate = records / ours.readSeconds;
  console.log(
    `airbyte-ts records=${records} seconds=${ours.readSeconds.toFixed(2)} records_per_s=${
      Math.round(oursRate)
    } ` +
      `peak_rss_mb=${Math.round(ours.peakRssMb)}`,
  );
  let ratio = NaN;
  if (withPy) {
    const python = `${home}/venvs/pyairbyte/bin/python`;
    if (!await Deno.stat(python).then(() => true, () => false)) {
      console.log(`Installing PyAirbyte into ${home}/venvs/pyairbyte (once)...`);
      await run("python3", ["-m", "venv", `${home}/venvs/pyairbyte`]);
      await run(`${home}/venvs/pyairbyte/bin/pip`, ["install", "-q", "airbyte"]);
    }
    const py = lastJson(
      await run(
        python,
        [
          `${ROOT}bench/_pyairbyte_postgres_read.py`,
          data,
          `${ROOT}bench/replay_source.py`,
          server.url,
          "pyairbyte_bench",
        ],
        { DO_NOT_TRACK: "1", AIRBYTE_OFFLINE_MODE: "1", AIRBYTE_NO_UI: "1" },
      ),
    );
    if (py.rows !== records) throw new Error(`PyAirbyte: ${py.rows} rows instead of ${records}`);
    const pyRate = records / py.readSeconds;
    ratio = oursRate / pyRate;
    console.log(
      `pyairbyte records=${records} seconds=${py.readSeconds.toFixed(2)} records_per_s=${
        Math.round(pyRate)
      } ` +
        `peak_rss_mb=${Math.round(py.peakRssMb)}`,
    );
  }
  console.log(
    `throughput_ratio_vs_pyairbyte=${Number.isNaN(ratio) ? "n/a" : ratio.toFixed(1)} records_per_s=${
      Math.round(oursRate)
    } peak_rss_mb=${Math.round(ours.peakRssMb)} records=${records}`,
  );
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
  await server.stop();
}
