// Shared test helpers: fixture paths, the pinned real connectors, temp dirs, process checks.
// The connectors install once into ~/.cache/airbyte-ts (outside the repo) and every test reuses them.
import { getSource, type Source, VenvExecutor } from "../mod.ts";

export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
export const FIXTURES = `${ROOT}/tests/fixtures`;
export const FAKER_PIP = "airbyte-source-faker==7.2.1";

/** A fixture connector script's absolute path. */
export function fixture(name: string): string {
  return `${FIXTURES}/connectors/${name}`;
}

/** A fresh temp directory, removed by the returned disposer. */
export async function tempDir(prefix = "airbyte-ts-test-"): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}) };
}

/** Real airbyte-source-faker 7.2.1 from PyPI, in its shared venv. */
export function faker(config: Record<string, unknown> = { count: 100, seed: 1 }): Promise<Source> {
  return getSource("source-faker", { pipUrl: FAKER_PIP, config });
}

/** The counter fixture: an incremental source with exact, inspectable state (see fixtures/README.md). */
export function counter(config: Record<string, unknown>, name = "source-counter"): Promise<Source> {
  return getSource(name, { localExecutable: fixture("source_counter.py"), config });
}

/**
 * Real airbyte-source-faker whose processes carry a unique mark in their environment (inherited
 * by every descendant, orphans included), so a test can find exactly its own connector processes
 * while other tests and programs run faker on the same machine.
 */
export async function markedFaker(
  config: Record<string, unknown>,
): Promise<{ source: Source; mark: string }> {
  const mark = crypto.randomUUID();
  const executor = new VenvExecutor({
    name: "source-faker",
    pipUrl: FAKER_PIP,
    env: { AIRBYTE_TS_TEST_MARK: mark },
  });
  return { source: await getSource("source-faker", { executor, config }), mark };
}

/** Live (not zombie) processes whose environment holds `AIRBYTE_TS_TEST_MARK=<mark>`: their pids. */
export async function processesMarked(mark: string): Promise<number[]> {
  const found: number[] = [];
  const wanted = `AIRBYTE_TS_TEST_MARK=${mark}`;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    const environ = await Deno.readTextFile(`/proc/${pid}/environ`).catch(() => "");
    if (environ.split("\0").includes(wanted) && await pidAlive(pid)) found.push(pid);
  }
  return found;
}

/** Is any process still alive whose command line contains `needle`? */
export async function processesMatching(needle: string): Promise<string[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid,stat,args"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((l) => l.includes(needle) && !l.includes("ps -eo") && !/\sZ/.test(l.slice(0, 14)));
}

/** Is this pid alive (and not a zombie)? */
export async function pidAlive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const DESTINATION_JSONL_PIP = `${FIXTURES}/destination_jsonl`;

/** Lines of a JSONL file written by the fixture destination (0 when missing). */
export async function jsonlLines(path: string): Promise<Record<string, unknown>[]> {
  try {
    const text = await Deno.readTextFile(path);
    return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/**
 * airbyte-source-file 0.6.0 from PyPI. Its wheel pins `smart-open[all]==0.6.0`, a release that does
 * not exist, so a plain `pip install` cannot resolve it: install the wheel with --no-deps, then its
 * real dependencies with a smart-open that exists (local files need no smart-open extras).
 */
export const SOURCE_FILE_STEPS: string[][] = [
  ["--no-deps", "airbyte-source-file==0.6.0"],
  [
    "airbyte-cdk>=7,<8",
    "beautifulsoup4==4.11.1",
    "boto3==1.21.21",
    "fastparquet>=2024.2.0,<2025.0.0",
    "gcsfs==2022.7.1",
    "genson==1.3.0",
    "google-cloud-storage==2.5.0",
    "html5lib==1.1",
    "lxml>=5.0,<6.0",
    "numpy<2",
    "openpyxl==3.1.0",
    "pandas==2.2.3",
    "paramiko==2.11.0",
    "pyarrow==14.0.2",
    "pyxlsb==1.0.10",
    "s3fs==2022.7.1",
    "smart-open==6.4.0",
    "xlrd==2.0.1",
    "azure-storage-blob==12.31.1",
  ],
];
