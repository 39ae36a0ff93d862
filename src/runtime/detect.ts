/**
 * The one place that tells which runtime we are in, and the lazily loaded {@linkcode Runtime}
 * adapter for it. Only the adapter for the current runtime is ever imported.
 *
 * @module
 */
import type { Runtime } from "./runtime.ts";

/** The runtimes airbyte-ts has an adapter for. */
export type RuntimeKey = "deno" | "node" | "browser";

/**
 * Tell which runtime this code runs in. Deno is checked first because it also defines a Node-like
 * `process`; anything without Deno or Node (browsers, workers, edge hosts) counts as a browser.
 *
 * @returns `"deno"`, `"node"` or `"browser"`.
 *
 * @example
 * ```ts
 * import { detectRuntimeKey } from "./detect.ts";
 * if (detectRuntimeKey() !== "deno") throw new Error("the examples run under Deno");
 * ```
 */
export function detectRuntimeKey(): RuntimeKey {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } };
    process?: { versions?: { node?: string } };
  };
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  if (typeof g.process?.versions?.node === "string") return "node";
  return "browser";
}

let current: Runtime | undefined;
let loading: Promise<Runtime> | undefined;

/**
 * The runtime adapter for this host: the one given to {@linkcode setRuntime}, else the detected
 * one, imported on first call and cached.
 *
 * @returns The shared {@linkcode Runtime}.
 *
 * @example
 * ```ts
 * import { getRuntime } from "./detect.ts";
 * const rt = await getRuntime();
 * if (rt.name !== "deno") throw new Error(rt.name);
 * ```
 */
export function getRuntime(): Promise<Runtime> {
  if (current) return Promise.resolve(current);
  loading ??= loadAdapter(detectRuntimeKey()).then((rt) => current ??= rt);
  return loading;
}

async function loadAdapter(key: RuntimeKey): Promise<Runtime> {
  switch (key) {
    case "deno":
      return (await import("./deno.ts")).denoRuntime;
    case "node":
      return (await import("./node.ts")).nodeRuntime;
    default:
      return (await import("./browser.ts")).browserRuntime;
  }
}

/**
 * Use `runtime` from now on instead of the detected adapter: for embedding (a host with its own
 * process or file layer) and for tests.
 *
 * @param runtime The adapter every later {@linkcode getRuntime} call returns.
 *
 * @example Embed with an explicit adapter
 * ```ts
 * import { getRuntime, setRuntime } from "./detect.ts";
 * import { denoRuntime } from "./deno.ts";
 * setRuntime(denoRuntime);
 * if ((await getRuntime()) !== denoRuntime) throw new Error();
 * ```
 */
export function setRuntime(runtime: Runtime): void {
  current = runtime;
  loading = Promise.resolve(runtime);
}
