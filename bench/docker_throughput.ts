/**
 * Docker executor vs a local process (what the venv executor runs) on the same replay source:
 * bench/replay_source.py copies N pre-generated RECORD lines (bench/make_replay_data.py) to stdout
 * at the speed of `cat`. In Docker it runs from the fixtures image (scripts/images/build.sh) with
 * the data file bind-mounted read-only; through the engine's attach stream every byte crosses
 * conmon, the engine's API server and a socket, framed in 8-byte headers.
 *
 *   deno run -A bench/docker_throughput.ts [--records 1000000] [--docker-host unix:///path]
 *
 * Figures: the executor alone (stdout drained, bytes and lines counted), a full `source.read()`
 * into a new DuckDB file cache, and a container's fixed cost (`spec` of a tiny connector). Without
 * --docker-host (or DOCKER_HOST / AIRBYTE_TS_TEST_DOCKER_HOST) a private podman service is started.
 *
 * @module
 */
import { DuckDBCache, getSource } from "../mod.ts";
import { DockerExecutor } from "../src/executors/docker/docker_executor.ts";
import type { Executor } from "../src/executors/executor.ts";
import { SubprocessExecutor } from "../src/executors/subprocess.ts";
import { dockerHost, IMAGES } from "../tests/_services/docker.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const flag = (name: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const records = Number(flag("records") ?? 1_000_000);
const host = flag("docker-host") ?? Deno.env.get("AIRBYTE_TS_TEST_DOCKER_HOST") ??
  Deno.env.get("DOCKER_HOST") ??
  await dockerHost();

const work = await Deno.makeTempDir({ prefix: "airbyte-ts-docker-bench-" });
// The container runs as uid 1000: the data must be readable by others.
await Deno.chmod(work, 0o755);
const dataPath = `${work}/records.jsonl`;
const made = await new Deno.Command("python3", {
  args: [`${ROOT}bench/make_replay_data.py`, "--records", String(records), "--out", dataPath],
}).output();
if (made.code !== 0) throw new Error(new TextDecoder().decode(made.stderr));
await Deno.chmod(dataPath, 0o644);
await new Deno.Command("sync").output();
const bytes = (await Deno.stat(dataPath)).size;

const catalog = JSON.stringify({
  streams: [{
    stream: { name: "bench_records", json_schema: {}, supported_sync_modes: ["full_refresh"] },
    sync_mode: "full_refresh",
    destination_sync_mode: "append",
  }],
});
const local = new SubprocessExecutor({
  command: `${ROOT}bench/replay_source.py`,
  name: "source-replay",
  logDir: false,
});
const docker = new DockerExecutor({
  image: IMAGES.fixtures,
  name: "source-replay",
  host,
  binds: [`${work}:/data:ro`],
  logDir: false,
});

/** Drain a read's stdout; count bytes and lines. */
async function drain(
  executor: Executor,
  path: string,
): Promise<{ seconds: number; bytes: number; lines: number }> {
  const started = performance.now();
  let total = 0;
  let lines = 0;
  const files = { "--config": JSON.stringify({ path }), "--catalog": catalog };
  for await (const chunk of executor.execute(["read"], { files }) as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return { seconds: (performance.now() - started) / 1000, bytes: total, lines };
}

/** The fixed cost of one container: `spec` of the counter fixture (a few lines of output). */
async function specSeconds(executor: Executor): Promise<number> {
  const started = performance.now();
  for await (const _ of executor.execute(["spec"])) { /* drain */ }
  return (performance.now() - started) / 1000;
}

/** A whole `source.read()` into a new DuckDB file cache. */
async function readIntoCache(choice: Record<string, unknown>, path: string): Promise<number> {
  const source = await getSource("source-replay", {
    ...choice,
    config: { path },
    streams: ["bench_records"],
  });
  await using cache = new DuckDBCache({ path: `${work}/cache-${crypto.randomUUID()}.duckdb` });
  const started = performance.now();
  const result = await source.read({ cache, writeStrategy: "append", progress: "none" });
  const seconds = (performance.now() - started) / 1000;
  const rows = await result.get("bench_records").count();
  if (rows !== records) throw new Error(`expected ${records} rows, found ${rows}`);
  return seconds;
}

const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString("en-US")} records/s`;
const mbps = (b: number, s: number) => `${(b / 1e6 / s).toFixed(0)} MB/s`;
console.log(
  `replay: ${records.toLocaleString("en-US")} records, ${(bytes / 1e6).toFixed(0)} MB; engine ${host}`,
);

// Warm up both paths (page cache, image layers), then measure.
await drain(local, dataPath);
await drain(docker, "/data/records.jsonl");
const localRun = await drain(local, dataPath);
const dockerRun = await drain(docker, "/data/records.jsonl");
for (const run of [localRun, dockerRun]) {
  if (run.bytes !== bytes || run.lines !== records + 1) throw new Error(`short read: ${JSON.stringify(run)}`);
}
console.log(
  `executor only   local process ${localRun.seconds.toFixed(2)} s (${mbps(bytes, localRun.seconds)}, ${
    rate(records, localRun.seconds)
  })   docker ${dockerRun.seconds.toFixed(2)} s (${mbps(bytes, dockerRun.seconds)}, ${
    rate(records, dockerRun.seconds)
  })   ratio ${(dockerRun.seconds / localRun.seconds).toFixed(2)}x`,
);

const localRead = await readIntoCache({ localExecutable: `${ROOT}bench/replay_source.py` }, dataPath);
const dockerRead = await readIntoCache(
  { dockerImage: IMAGES.fixtures, docker: { host, binds: [`${work}:/data:ro`] } },
  "/data/records.jsonl",
);
console.log(
  `source.read()   local process ${localRead.toFixed(2)} s (${rate(records, localRead)})   docker ${
    dockerRead.toFixed(2)
  } s (${rate(records, dockerRead)})   ratio ${(dockerRead / localRead).toFixed(2)}x`,
);

const counterLocal = new SubprocessExecutor({
  command: `${ROOT}tests/fixtures/connectors/source_counter.py`,
  logDir: false,
});
const counterDocker = new DockerExecutor({
  image: IMAGES.fixtures,
  host,
  entrypoint: ["python3", "/airbyte/connectors/source_counter.py"],
  logDir: false,
});
await specSeconds(counterDocker);
const specs = { local: [] as number[], docker: [] as number[] };
for (let i = 0; i < 5; i++) {
  specs.local.push(await specSeconds(counterLocal));
  specs.docker.push(await specSeconds(counterDocker));
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `fixed cost      spec of a tiny connector: local process ${(median(specs.local) * 1000).toFixed(0)} ms, ` +
    `docker ${(median(specs.docker) * 1000).toFixed(0)} ms (median of 5)`,
);
console.log(
  `docker_vs_local_executor_ratio=${(dockerRun.seconds / localRun.seconds).toFixed(2)} ` +
    `docker_vs_local_read_ratio=${(dockerRead / localRead).toFixed(2)} records=${records}`,
);
await Deno.remove(work, { recursive: true });
