/**
 * Helpers for the wasm tests: run tests/wasm/_child_engine.mjs in a new Deno or Node process
 * (Node gets an esbuild bundle of wasm/load_node.ts, since it cannot run TypeScript), and read a
 * database with native DuckDB through tests/wasm/_child_native_read.mjs.
 *
 * @module
 */
import assert from "node:assert/strict";
import { bundleForNode } from "../_bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CHILD = `${ROOT}tests/wasm/_child_engine.mjs`;
const NATIVE_CHILD = `${ROOT}tests/wasm/_child_native_read.mjs`;
const ENGINE_TS = new URL("../../wasm/load_node.ts", import.meta.url).href;
const ENGINE_MJS = `${ROOT}.cache/wasm-test/load_node.mjs`;

/** Which runtime a child process runs on. */
export type ChildRuntime = "deno" | "node";

/** The end of a child's stderr: errors from the minified bundle quote a whole 100 kB source line. */
export function tail(bytes: Uint8Array | string): string {
  const text = typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes);
  return text.length > 3000 ? "..." + text.slice(-3000) : text;
}

/** Node cannot run TypeScript: bundle the loader once into .cache/ (dependencies stay in node_modules). */
let built: Promise<void> | undefined;
export function buildNodeEngine(): Promise<void> {
  built ??= bundleForNode(`${ROOT}wasm/load_node.ts`, ENGINE_MJS, { packages: "external" });
  return built;
}

/** The command running `_child_engine.mjs` with `args` on `runtime`, stdout and stderr piped. */
export function childCommand(runtime: ChildRuntime, args: string[]): Deno.Command {
  return runtime === "deno"
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHILD, ENGINE_TS, ...args],
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command("node", { args: [CHILD, ENGINE_MJS, ...args], stdout: "piped", stderr: "piped" });
}

/** Run `_child_engine.mjs` to completion and parse the JSON of its last stdout line. */
export async function runChild(runtime: ChildRuntime, args: string[]): Promise<any> {
  if (runtime === "node") await buildNodeEngine();
  const { code, stdout, stderr } = await childCommand(runtime, args).output();
  assert.equal(code, 0, `${runtime} child ${args.join(" ")} failed: ${tail(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
}

/** Run a query on a database file with native DuckDB (read-only) in a Node child. */
export async function readNative(db: string, sql: string): Promise<{ version: string; rows: any[] }> {
  const { code, stdout, stderr } = await new Deno.Command("node", {
    args: [NATIVE_CHILD, db, sql],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, tail(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** mulberry32: a seeded generator, so a failing run can be replayed with the logged seed. */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
