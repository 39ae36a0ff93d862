/**
 * A connector run's log file (its stderr lines, kept under the logs directory), shared by the
 * executors that own a connector's stderr.
 *
 * @module
 */
import type { AppendFile, Runtime } from "../runtime/runtime.ts";

/**
 * Open a run's log file, creating its directory; `undefined` if that fails (logging is best effort).
 *
 * @example
 * ```ts
 * import { openRunLog } from "./_run_log.ts";
 * import { denoRuntime } from "../runtime/deno.ts";
 * const dir = Deno.makeTempDirSync();
 * const log = await openRunLog(denoRuntime, `${dir}/logs/run.log`);
 * log?.write("a line\n");
 * await log?.close();
 * if (Deno.readTextFileSync(`${dir}/logs/run.log`) !== "a line\n") throw new Error();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function openRunLog(rt: Runtime, path: string): Promise<AppendFile | undefined> {
  try {
    await rt.mkdir(path.slice(0, path.lastIndexOf("/")) || "/");
    return await rt.openAppendFile(path);
  } catch {
    return undefined;
  }
}
