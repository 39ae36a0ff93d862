// Helpers for the package tests: pack the npm tarball once, make fresh consumer projects in temp
// directories, and run the tools a user would run there (npm, node, tsc, deno).
import assert from "node:assert/strict";
import { ROOT } from "../_support.ts";

export { ROOT };
export const DENO = `${ROOT}/node_modules/.bin/deno`;
const TSC = `${ROOT}/node_modules/typescript/bin/tsc`;
const decoder = new TextDecoder();

/** What a command printed and how it ended. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to its end; never throws for a non-zero exit (the caller asserts). */
export async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Ran> {
  const out = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: { CI: "true", NO_COLOR: "1", ...options.env },
    stdin: "null",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Run and assert a zero exit, showing both streams when it is not. */
export async function runOk(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Ran> {
  const ran = await run(command, args, options);
  assert.equal(ran.code, 0, `${command} ${args.join(" ")} exited ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
  return ran;
}

let packed: Promise<string> | undefined;

/**
 * The npm tarball of the working tree, as `npm pack` makes it (its `prepack` builds dist/ first).
 * With AIRBYTE_TS_PACK_PREBUILT=1 (scripts/test.sh sets it right after its build stage) the
 * build is not repeated. Packed once per test process, into a directory removed at exit.
 */
export function packTarball(): Promise<string> {
  packed ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "airbyte-ts-pack-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    const prebuilt = Deno.env.get("AIRBYTE_TS_PACK_PREBUILT") === "1" &&
      (await Deno.stat(`${ROOT}/dist/mod.d.ts`).catch(() => undefined)) !== undefined;
    const args = ["pack", "--json", "--pack-destination", dir, ...(prebuilt ? ["--ignore-scripts"] : [])];
    const ran = await runOk("npm", args, { cwd: ROOT });
    const [{ filename }] = JSON.parse(ran.stdout.slice(ran.stdout.indexOf("[")));
    return `${dir}/${filename}`;
  })();
  return packed;
}

/** The files in the packed tarball, relative to the package root, sorted. */
export async function packedFiles(): Promise<string[]> {
  const tarball = await packTarball();
  const ran = await runOk("tar", ["tzf", tarball], { cwd: ROOT });
  return ran.stdout.split("\n").filter((line) => line !== "" && !line.endsWith("/"))
    .map((line) => line.replace(/^package\//, "")).sort();
}

/** A fresh temp directory for a consumer project, removed by the disposer. */
export async function projectDir(prefix: string): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: `airbyte-ts-${prefix}-` });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}) };
}

/** `npm install` the tarball into a project, from npm's cache where it can. */
export async function npmInstall(dir: string, tarball: string): Promise<void> {
  await runOk("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: dir });
}

/** Run the TypeScript compiler the repository pins, in a project, with one of its tsconfig files. */
export function tsc(dir: string, project: string): Promise<Ran> {
  return run("node", [TSC, "-p", project], { cwd: dir });
}

/** Write a tsconfig file with strict checks and these options. */
export async function writeTsconfig(
  dir: string,
  name: string,
  options: Record<string, unknown>,
  files: string[],
): Promise<void> {
  const config = { compilerOptions: { strict: true, target: "es2022", ...options }, files };
  await Deno.writeTextFile(`${dir}/${name}`, JSON.stringify(config, null, 2));
}

/**
 * A consumer's program: read 20 faker users into a DuckDB file cache with the package, then print
 * the count as JSON (which a BigInt would make throw). `importLine` brings in DuckDBCache,
 * getSource and toJsonRows. `topLevelAwait: false` wraps the body for CommonJS; `validate: false`
 * skips the config check against the connector's spec (one connector start fewer).
 */
export function fakerProgram(
  importLine: string,
  options: { topLevelAwait?: boolean; validate?: boolean } = {},
): string {
  const validate = options.validate === false ? "\n    validate: false," : "";
  const body = `
  const source = await getSource("source-faker", {
    pipUrl: "airbyte-source-faker==7.2.1",
    config: { count: 20, seed: 1 },
    streams: ["users"],${validate}
  });
  const cache = new DuckDBCache({ path: "./faker.duckdb" });
  try {
    const result = await source.read({ cache, progress: "none" });
    const users: number = await result.get("users").count();
    const rows = toJsonRows(await cache.sql("SELECT count(*) AS n, max(id) AS last FROM users"));
    console.log(JSON.stringify({ users, rows }));
  } finally {
    await cache.close();
  }
`;
  return options.topLevelAwait === false
    ? `${importLine}\n\nasync function main(): Promise<void> {${body}}\n\nmain().catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n`
    : `${importLine}\n${body}`;
}

/** What {@linkcode fakerProgram} prints after a good read. */
export const FAKER_OUTPUT = { users: 20, rows: [{ n: 20, last: 20 }] };

/** The last line of stdout, parsed. */
export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}
