/**
 * The `airbyte-ts` command line: argument parsing with commander, the subcommands in
 * `commands/`, and calls to the public API (`mod.ts`) only.
 *
 * Exit codes: 0 success; 1 the connector said no (check failed, connector failed); 2 bad usage or
 * bad input (flags, config files, streams); 3 install failed; 4 anything else; 130, 143, 129
 * stopped by SIGINT, SIGTERM, SIGHUP (the connector's process tree is ended first).
 *
 * @module
 */
import { CommanderError } from "npm:commander@14.0.3";
import { getRuntime, printAboveProgress } from "../../mod.ts";
import { CliContext } from "./context.ts";
import { EXIT, exitCodeOf } from "./exit_codes.ts";
import { buildProgram } from "./program.ts";
import { formatCliError } from "./report_error.ts";
import { listenForTermination } from "./signals.ts";

/**
 * Run the CLI with `argv` (without the program name); resolves to the exit code. Every error is
 * printed once on stderr.
 *
 * @example Print the version
 * ```ts ignore
 * import { runCli } from "./main.ts";
 * const code = await runCli(["--version"]);
 * ```
 */
export async function runCli(argv: string[]): Promise<number> {
  const rt = await getRuntime();
  // Connectors run in their own process group, so Ctrl-C, SIGTERM and SIGHUP become an abort
  // here; the notice goes above the live progress display, whose next redraw would wipe it.
  const interrupt = new AbortController();
  const termination = listenForTermination(
    rt,
    interrupt,
    (text) => printAboveProgress(text, (line) => rt.writeStderr(line)),
  );
  const context = new CliContext(rt, interrupt.signal);
  try {
    await buildProgram(context).parseAsync(argv, { from: "user" });
    // A command that finished anyway (serve drains on SIGTERM and stops cleanly) keeps its code.
    return context.exitCode ?? EXIT.ok;
  } catch (error) {
    // Commander has already printed its message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    rt.writeStderr(formatCliError(error, context));
    // Stopped by a signal: 130, 143 or 129, as a program killed by it reports.
    return termination.exitCode ?? exitCodeOf(error);
  } finally {
    termination.dispose();
  }
}

if ((import.meta as { main?: boolean }).main !== false) {
  const rt = await getRuntime();
  rt.exit(await runCli(rt.args()));
}
