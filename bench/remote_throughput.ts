/**
 * Remote vs local: the replay source (bench/replay_source.py, N pre-generated 343-byte RECORD lines)
 * read through the local executor and through `airbyte-ts serve` on loopback (a server in its own
 * process), each run in a fresh client process. Two measures per executor:
 *   - bytes: the connector's stdout as raw bytes, lines counted (the transport alone);
 *   - cache: a whole `source.read()` into a new DuckDB-WASM file cache (discovery included).
 *
 *   deno run -A bench/remote_throughput.ts [--records 1000000] [--runs 2]
 *
 * Prints one line per run (wall time, records/s, MB/s, CPU seconds of the client and of the server,
 * peak RSS) and a summary with the remote/local ratios. Wall-clock figures depend on what else the
 * machine runs; the load average is printed with them.
 *
 * @module
 */
const ROOT = new URL("..", import.meta.url).pathname;
const flag = (name: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const records = Number(flag("records") ?? 1_000_000);
const runs = Number(flag("runs") ?? 2);
const TOKEN = `bench-${crypto.randomUUID()}`;
const work = await Deno.makeTempDir({ prefix: "airbyte-ts-remote-bench-" });

async function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** utime + stime of a process, in seconds. */
async function cpuOf(pid: number): Promise<number> {
  const stat = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

interface Result {
  cpuSeconds: number;
  serverCpuSeconds?: number;
  where: string;
  what: string;
  records: number;
  seconds: number;
  bytes: number;
  peakRssMb: number;
}

const data = `${work}/records.jsonl`;
await run("python3", [`${ROOT}bench/make_replay_data.py`, "--records", String(records), "--out", data]);
await run("sync", []);

// The server, in its own process.
const configPath = `${work}/serve.json`;
await Deno.writeTextFile(
  configPath,
  JSON.stringify({
    hostname: "127.0.0.1",
    port: 0,
    connectors: { "source-replay": { localExecutable: `${ROOT}bench/replay_source.py` } },
  }),
);
const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", `${ROOT}tests/server/_serve_process.ts`, configPath],
  cwd: ROOT,
  env: { AIRBYTE_TS_SERVER_TOKEN: TOKEN },
  stdout: "null",
  stderr: "piped",
}).spawn();
const url = await new Promise<string>((resolve, reject) => {
  // Read the server's log to its end: it finds the URL, and a closed pipe would fail its writes.
  let text = "";
  void (async () => {
    for await (const chunk of server.stderr.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const match = /serving \d+ connector\(s\) on (\S+)/.exec(text);
      if (match) resolve(match[1]);
    }
    reject(new Error(`the server stopped:\n${text}`));
  })();
});

const results: Result[] = [];
try {
  for (let i = 0; i < runs; i++) {
    for (const what of ["bytes", "cache"]) {
      for (const where of ["local", "remote"]) {
        const cachePath = `${work}/cache-${where}-${i}.duckdb`;
        const serverCpuBefore = await cpuOf(server.pid);
        const line = (await run(
          Deno.execPath(),
          ["run", "-A", `${ROOT}bench/_remote_read_once.ts`, where, what, data, cachePath, url],
          { AIRBYTE_TS_SERVER_TOKEN: TOKEN },
        )).trim().split("\n").pop()!;
        const r: Result = JSON.parse(line);
        if (where === "remote") r.serverCpuSeconds = (await cpuOf(server.pid)) - serverCpuBefore;
        if (r.records !== records) {
          throw new Error(`${where} ${what}: expected ${records} records, got ${r.records}`);
        }
        results.push(r);
        const rate = (r.records / r.seconds / 1000).toFixed(0).padStart(5);
        const mbps = (r.bytes / 1e6 / r.seconds).toFixed(0).padStart(4);
        const cpu = `CPU client ${r.cpuSeconds.toFixed(2)} s` +
          (r.serverCpuSeconds === undefined ? "" : ` + server ${r.serverCpuSeconds.toFixed(2)} s`);
        console.log(
          `${where.padEnd(6)} ${what.padEnd(5)} ${rate}k records/s ${mbps} MB/s  ${
            r.seconds.toFixed(2)
          } s  ` +
            `${cpu}  client peak RSS ${r.peakRssMb.toFixed(0)} MB`,
        );
        await Deno.remove(cachePath).catch(() => {});
        await Deno.remove(`${cachePath}.wal`).catch(() => {});
      }
    }
  }
} finally {
  const status = await Deno.readTextFile(`/proc/${server.pid}/status`).catch(() => "");
  const serverPeakMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  server.kill("SIGTERM");
  await server.status;
  await Deno.remove(work, { recursive: true });
  const best = (where: string, what: string) =>
    Math.max(
      ...results.filter((r) => r.where === where && r.what === what).map((r) => r.records / r.seconds),
    );
  if (results.length) {
    const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ").slice(0, 3).join(" ");
    console.log(
      `server peak RSS ${serverPeakMb.toFixed(0)} MB; load average ${load} (figures are wall-clock)`,
    );
    for (const what of ["bytes", "cache"]) {
      const local = best("local", what), remote = best("remote", what);
      console.log(
        `${what}: local ${(local / 1000).toFixed(0)}k records/s, remote ${
          (remote / 1000).toFixed(0)
        }k records/s, ` +
          `remote/local ${(remote / local).toFixed(2)}`,
      );
    }
  }
}
