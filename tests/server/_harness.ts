// Shared pieces of the remote executor tests: a real `airbyte-ts serve` server (in this process,
// or in its own Deno or Node process for signal, memory and crash tests), connectors wrapped so
// that every start is recorded and visible to `ps` under a name unique to the test, and helpers
// that read `ps` and /proc.
import * as esbuild from "esbuild";
import { npmSpecifiers } from "../../src/preview/_npm_specifiers.ts";
import { parseServerConfig, serve, type ServerConfigInput } from "../../mod.ts";
import type { RunningServer } from "../../mod.ts";
import { FIXTURES, ROOT } from "../_support.ts";

export const TOKEN = "test-token-0123456789abcdef";

/** A fixture connector (tests/fixtures/connectors/<file>) behind a wrapper unique to one test. */
export interface MarkedConnector {
  /** The executable the server config names. */
  command: string;
  /** A string in the command line of every process of this connector (for `ps`). */
  marker: string;
  /** How many times the connector was started. */
  starts(): Promise<number>;
  /**
   * Live processes of this connector: those whose command line holds the marker, and every member
   * of the process groups its starts led (children that do not carry the marker too).
   */
  processes(): Promise<string[]>;
}

/**
 * Wrap fixture `file` (e.g. `source_counter.py`, or a path) in `dir`: a shell script that records
 * each start, then runs the fixture through a symlink whose path holds a unique marker.
 */
export async function markedConnector(dir: string, file: string): Promise<MarkedConnector> {
  const target = file.startsWith("/") ? file : `${FIXTURES}/connectors/${file}`;
  const marker = `mk${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const link = `${dir}/${marker}_${target.split("/").pop()}`;
  await Deno.symlink(target, link);
  const startsFile = `${dir}/${marker}.starts`;
  const command = `${dir}/${marker}.sh`;
  await Deno.writeTextFile(
    command,
    `#!/bin/sh\necho "$$" >> '${startsFile}'\npython3 '${link}' "$@"\n`,
    { mode: 0o755 },
  );
  const startPids = async () => {
    try {
      return (await Deno.readTextFile(startsFile)).split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return {
    command,
    marker,
    starts: async () => (await startPids()).length,
    processes: async () => processesWith(marker, new Set(await startPids())),
  };
}

/**
 * Live (non-zombie) processes whose command line contains `needle` or whose process group is one
 * of `groups`, as `ps` lines (`pid pgid stat args`).
 */
export async function processesWith(needle: string, groups: Set<string> = new Set()): Promise<string[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid=,pgid=,stat=,args="], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((line) => {
      const [, pgid, stat] = line.trim().split(/\s+/);
      if (!stat || stat.startsWith("Z") || line.includes("ps -eo")) return false;
      return line.includes(needle) || groups.has(pgid);
    });
}

/** Poll until `check` is true, at most `ms`; returns whether it became true. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 30_000,
  every = 25,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, every));
  }
}

/** An in-process server on a free loopback port, closed (drained at once) by `await using`. */
export async function startServer(
  config: ServerConfigInput,
): Promise<RunningServer & { logs: string[] } & AsyncDisposable> {
  const logs: string[] = [];
  const server = await serve(parseServerConfig({ hostname: "127.0.0.1", ...config }), {
    token: TOKEN,
    port: 0,
    handleSignals: false,
    log: (line) => logs.push(line),
  });
  return Object.assign(server, { logs, [Symbol.asyncDispose]: () => server.close(0) });
}

/** A server in a child process (its own memory, signals and death). */
export interface ServerProcess extends AsyncDisposable {
  url: string;
  pid: number;
  /** The server's log lines so far. */
  logs: string[];
  /** Resident memory of the server process, in bytes. */
  rss(): Promise<number>;
  /** Send a signal to the server process. */
  kill(signal: Deno.Signal): void;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number>;
}

const SERVE_SCRIPT = `${ROOT}/tests/server/_serve_process.ts`;

/** Start `airbyte-ts serve` with `config` in a Deno or Node child process. */
export async function startServerProcess(
  config: ServerConfigInput,
  options: { runtime?: "deno" | "node"; dir: string },
): Promise<ServerProcess> {
  const configPath = `${options.dir}/server-${crypto.randomUUID()}.json`;
  await Deno.writeTextFile(configPath, JSON.stringify({ hostname: "127.0.0.1", port: 0, ...config }));
  const command = options.runtime === "node"
    ? new Deno.Command("node", { args: [await nodeServeBundle(), configPath], ...spawnOptions() })
    : new Deno.Command(Deno.execPath(), { args: ["run", "-A", SERVE_SCRIPT, configPath], ...spawnOptions() });
  const child = command.spawn();
  const logs: string[] = [];
  const listening = Promise.withResolvers<string>();
  const exited = child.status.then((s) => s.code);
  void (async () => {
    const decoder = new TextDecoderStream();
    let pending = "";
    for await (const text of child.stderr.pipeThrough(decoder)) {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        const match = /serving \d+ connector\(s\) on (\S+)/.exec(line);
        if (match) listening.resolve(match[1]);
      }
    }
    listening.reject(new Error(`the server exited before listening:\n${logs.join("\n")}`));
  })();
  const url = await listening.promise;
  return {
    url,
    pid: child.pid,
    logs,
    rss: () => rssOf(child.pid),
    kill: (signal) => {
      try {
        child.kill(signal);
      } catch { /* gone already */ }
    },
    exited,
    [Symbol.asyncDispose]: async () => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone already */ }
      await exited;
    },
  };
}

function spawnOptions() {
  return {
    cwd: ROOT,
    env: { AIRBYTE_TS_SERVER_TOKEN: TOKEN },
    stdin: "null" as const,
    stdout: "null" as const,
    stderr: "piped" as const,
  };
}

const nodeBundles = new Map<string, Promise<string>>();

/** The serve script bundled for Node. */
function nodeServeBundle(): Promise<string> {
  return nodeBundle(SERVE_SCRIPT);
}

/**
 * A script of the tests bundled for Node (mod.ts and all), written inside node_modules so that
 * Node finds the packages it leaves external; removed when this process exits.
 */
export function nodeBundle(entry: string): Promise<string> {
  let bundle = nodeBundles.get(entry);
  if (!bundle) {
    bundle = (async () => {
      const dir = `${ROOT}/node_modules/.cache/airbyte-ts-tests`;
      await Deno.mkdir(dir, { recursive: true });
      const outfile = `${dir}/${entry.split("/").pop()!.replace(/\.ts$/, "")}-${crypto.randomUUID()}.mjs`;
      const pkg = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
      try {
        await esbuild.build({
          entryPoints: [entry],
          outfile,
          bundle: true,
          format: "esm",
          platform: "node",
          target: "node20",
          external: [...Object.keys(pkg.dependencies), "node:*"],
          plugins: [npmSpecifiers],
          logLevel: "error",
        });
      } finally {
        await esbuild.stop();
      }
      globalThis.addEventListener("unload", () => {
        try {
          Deno.removeSync(outfile);
        } catch { /* gone already */ }
      });
      return outfile;
    })();
    nodeBundles.set(entry, bundle);
  }
  return bundle;
}

/** Resident set size of `pid` in bytes (0 when it is gone). */
export async function rssOf(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Bytes written so far by `pid` (its `wchar` in /proc/<pid>/io). */
export async function bytesWritten(pid: number): Promise<number> {
  try {
    const io = await Deno.readTextFile(`/proc/${pid}/io`);
    return Number(/wchar:\s+(\d+)/.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Headers of an authorized request. */
export function auth(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${TOKEN}`, ...extra };
}
