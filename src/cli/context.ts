/**
 * What every subcommand gets: the host's output streams, the Ctrl-C abort signal, and a record of
 * which flag supplied which connector's config (so errors name the flag, not a library option).
 *
 * @module
 */
import type { Runtime } from "../../mod.ts";
import type { ExitCode } from "./exit_codes.ts";

/**
 * Where a connector's config came from: the flag and the file it named.
 *
 * @example The source config of a sync
 * ```ts
 * import type { ConfigSource } from "./context.ts";
 * const from: ConfigSource = { flag: "--source-config", path: "faker.json" };
 * if (from.flag !== "--source-config") throw new Error();
 * ```
 */
export interface ConfigSource {
  flag: string;
  path: string;
}

/**
 * The state of one CLI run, shared by the subcommands.
 *
 * @example Collect the output of a command in memory
 * ```ts
 * import { CliContext } from "./context.ts";
 * import { getRuntime } from "../../mod.ts";
 * const context = new CliContext(await getRuntime(), new AbortController().signal);
 * context.printJson({ status: "SUCCEEDED" });
 * ```
 */
export class CliContext {
  /** The exit code a finished command chose; `undefined` until one ran. */
  exitCode: ExitCode | undefined;
  readonly #configSources = new Map<string, ConfigSource>();

  constructor(
    /** The host runtime (file access, output streams). */
    readonly runtime: Runtime,
    /** Aborted on Ctrl-C: pass it to every long-running call. */
    readonly signal: AbortSignal,
  ) {}

  /** Print a value as indented JSON on standard output. */
  printJson(value: unknown): void {
    this.runtime.writeStdout(JSON.stringify(value, null, 2) + "\n");
  }

  /** Write text on standard output as is. */
  writeStdout(text: string): void {
    this.runtime.writeStdout(text);
  }

  /** Write text on standard error as is. */
  writeStderr(text: string): void {
    this.runtime.writeStderr(text);
  }

  /** Remember that `connector`'s config came from `flag` (see {@linkcode configSourceOf}). */
  noteConfigSource(connector: string, source: ConfigSource): void {
    this.#configSources.set(connector, source);
  }

  /** Which flag and file supplied `connector`'s config, if any. */
  configSourceOf(connector: string | undefined): ConfigSource | undefined {
    return connector === undefined ? undefined : this.#configSources.get(connector);
  }

  /**
   * Wrap a command's handler for commander: the handler's resolved exit code becomes the run's.
   * Errors propagate to `runCli` (main.ts), which prints them once and maps them to an exit code.
   */
  action<Args extends unknown[]>(
    handler: (...args: Args) => Promise<ExitCode>,
  ): (...args: Args) => Promise<void> {
    return async (...args: Args) => {
      this.exitCode = await handler(...args);
    };
  }
}
