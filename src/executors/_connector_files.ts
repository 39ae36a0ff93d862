/**
 * The private files that carry config, catalog and state to a connector process: each in a
 * fresh directory only the current user can enter (0700), each file readable and writable only
 * by that user (0600). Writable on purpose: connectors that migrate their config rewrite it.
 *
 * @module
 */
import type { Runtime } from "../runtime/runtime.ts";

/** Files written for one run, and the arguments that name them. */
export interface ConnectorFiles {
  /** The private directory holding the files; remove it with {@linkcode removeConnectorFiles}. */
  dir: string;
  /** `flag path` pairs to append to the connector's arguments. */
  args: string[];
}

/** `--config` → `config.json`; anything odd in a flag is replaced so it cannot escape the directory. */
function fileNameFor(flag: string, index: number): string {
  const base = flag.replace(/^-+/, "").replace(/[^A-Za-z0-9_.-]/g, "_") || `file-${index}`;
  return `${base}.json`;
}

/**
 * Write `files` (flag → content) into a new private temp directory.
 *
 * @param rt The runtime that owns the file system.
 * @param files Content keyed by the flag that names it, e.g. `{ "--config": "{}" }`.
 * @returns The directory and the arguments to pass.
 *
 * @example Write a config, hand it over, clean up
 * ```ts
 * import { removeConnectorFiles, writeConnectorFiles } from "./_connector_files.ts";
 * import { denoRuntime } from "../runtime/deno.ts";
 * const { dir, args } = await writeConnectorFiles(denoRuntime, { "--config": "{}" });
 * if (args[0] !== "--config" || !args[1].endsWith("/config.json")) throw new Error(args.join(" "));
 * await removeConnectorFiles(denoRuntime, dir);
 * if (await denoRuntime.exists(dir)) throw new Error("not removed");
 * ```
 */
export async function writeConnectorFiles(
  rt: Runtime,
  files: Record<string, string>,
): Promise<ConnectorFiles> {
  const dir = await rt.makeTempDir("airbyte-ts-");
  const args: string[] = [];
  try {
    let index = 0;
    for (const [flag, content] of Object.entries(files)) {
      const path = rt.joinPath(dir, fileNameFor(flag, index++));
      await rt.writeTextFile(path, content, { mode: 0o600 });
      args.push(flag, path);
    }
  } catch (error) {
    await removeConnectorFiles(rt, dir);
    throw error;
  }
  return { dir, args };
}

/**
 * Remove a directory made by {@linkcode writeConnectorFiles}. Never throws: cleanup must not mask
 * the error that led to it.
 *
 * @param rt The runtime that owns the file system.
 * @param dir The directory to remove; `undefined` is ignored.
 *
 * @example Nothing to remove is fine
 * ```ts
 * import { removeConnectorFiles } from "./_connector_files.ts";
 * import { denoRuntime } from "../runtime/deno.ts";
 * await removeConnectorFiles(denoRuntime, undefined);
 * ```
 */
export async function removeConnectorFiles(rt: Runtime, dir: string | undefined): Promise<void> {
  if (!dir) return;
  try {
    await rt.remove(dir);
  } catch {
    // Leaving a 0700 directory behind is the lesser harm.
  }
}
