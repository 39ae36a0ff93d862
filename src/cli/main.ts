/**
 * The `airbyte-ts` command line: argument parsing with commander, the subcommands in
 * `commands/`, and calls to the public API (`mod.ts`) only.
 *
 * Exit codes: 0 success; 1 the connector said no (check failed, connector failed); 2 bad usage or
 * bad input (flags, config files, streams); 3 install failed; 4 anything else.
 *
 * @module
 */
import { CommanderError } from "commander";
import { getRuntime, printAboveProgress } from "../../mod.ts";
import { CliContext } from "./context.ts";
import { EXIT, exitCodeOf } from "./exit_codes.ts";
import { buildProgram } from "./program.ts";
import { formatCliError } from "./report_error.ts";

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
  // Connectors run in their own process group, so Ctrl-C must be turned into an abort here.
  const interrupt = new AbortController();
  const stopListening = rt.onInterrupt(() => {
    if (interrupt.signal.aborted) rt.exit(130);
    // Above the live progress display, whose next redraw would otherwise wipe it.
    printAboveProgress(
      "\nInterrupted: stopping the connector (Ctrl-C again to quit at once)...\n",
      (text) => rt.writeStderr(text),
    );
    interrupt.abort(new Error("Interrupted by Ctrl-C."));
  });
  const context = new CliContext(rt, interrupt.signal);
  try {
    await buildProgram(context).parseAsync(argv, { from: "user" });
    return context.exitCode ?? EXIT.ok;
  } catch (error) {
    // Commander has already printed its message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    rt.writeStderr(formatCliError(error, context));
    return exitCodeOf(error);
  } finally {
    stopListening();
  }
}

if ((import.meta as { main?: boolean }).main !== false) {
  const rt = await getRuntime();
  rt.exit(await runCli(rt.args()));
}
