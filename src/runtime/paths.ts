/**
 * Where airbyte-ts keeps what it downloads and installs: connector venvs and run logs. The home
 * lies outside any checkout so that every clone and CI run on a machine shares one set of venvs.
 *
 * @module
 */
import type { Runtime } from "./runtime.ts";

/**
 * The airbyte-ts home directory: `$AIRBYTE_TS_HOME`, else `$XDG_CACHE_HOME/airbyte-ts`, else
 * `~/.cache/airbyte-ts`. It is not created here.
 *
 * @param rt The runtime to read the environment from.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { airbyteHome } from "./paths.ts";
 * import { denoRuntime } from "./deno.ts";
 * if (!airbyteHome(denoRuntime).startsWith("/")) throw new Error();
 * ```
 */
export function airbyteHome(rt: Runtime): string {
  const explicit = rt.env("AIRBYTE_TS_HOME");
  if (explicit) return explicit;
  const xdgCache = rt.env("XDG_CACHE_HOME");
  if (xdgCache) return rt.joinPath(xdgCache, "airbyte-ts");
  return rt.joinPath(rt.homeDir(), ".cache", "airbyte-ts");
}

/**
 * The directory of the Python venv for connector `name`: `<home>/venvs/<name>`.
 *
 * @param rt The runtime to read the environment from.
 * @param name The connector name, e.g. `source-faker`.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { venvDir } from "./paths.ts";
 * import { denoRuntime } from "./deno.ts";
 * if (!venvDir(denoRuntime, "source-faker").endsWith("/venvs/source-faker")) throw new Error();
 * ```
 */
export function venvDir(rt: Runtime, name: string): string {
  return rt.joinPath(airbyteHome(rt), "venvs", name);
}

/**
 * The directory of per-run connector logs: `<home>/logs`.
 *
 * @param rt The runtime to read the environment from.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { logsDir } from "./paths.ts";
 * import { denoRuntime } from "./deno.ts";
 * if (!logsDir(denoRuntime).endsWith("/logs")) throw new Error();
 * ```
 */
export function logsDir(rt: Runtime): string {
  return rt.joinPath(airbyteHome(rt), "logs");
}
