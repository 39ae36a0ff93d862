/**
 * The `airbyte-ts` program: commander configured once (output through the host runtime, errors
 * as exit codes, suggestions for mistyped flags and commands), with every subcommand of the
 * registry added.
 *
 * @module
 */
import { Command } from "npm:commander@14.0.3";
import { COMMANDS } from "./commands/registry.ts";
import type { CliContext } from "./context.ts";
import { VERSION } from "./version.ts";

const ABOUT =
  "Run Airbyte connectors: inspect them, read their streams into a cache, deliver them to destinations.";

const AFTER_HELP = `
How a connector runs (each command that runs one takes at most one of these):
  default            pip-install airbyte-<connector> into a cached venv
  --pip-url SPEC     pip-install this requirement instead (a version pin, a path, a git URL)
  --executable PATH  run a connector executable that is already installed
  --remote URL       run it on an 'airbyte-ts serve' server (token in $AIRBYTE_TS_REMOTE_TOKEN)
  (sync takes them per side: --source-pip-url, --destination-executable, ...)
'airbyte-ts serve --config FILE' is that server.

Exit codes: 0 ok; 1 the connector said no (failed check, failed connector); 2 bad usage or input
(flags, config files, streams); 3 installing the connector failed; 4 anything else.

Run 'airbyte-ts <command> --help' for a command's arguments and flags.`;

/**
 * Build the program for one run. Commander never exits the process: errors come back as
 * `CommanderError`s (see `runCli` in main.ts).
 *
 * @example Show the help of `read`
 * ```ts
 * import { buildProgram } from "./program.ts";
 * import { CliContext } from "./context.ts";
 * import { getRuntime } from "../../mod.ts";
 * const program = buildProgram(new CliContext(await getRuntime(), new AbortController().signal));
 * const read = program.commands.find((c) => c.name() === "read")!;
 * if (!read.helpInformation().includes("--config <file>")) throw new Error();
 * ```
 */
export function buildProgram(context: CliContext): Command {
  const program = new Command("airbyte-ts")
    .description(ABOUT)
    .version(VERSION, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show help")
    .addHelpText("after", AFTER_HELP)
    .exitOverride()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .configureOutput(outputFor("airbyte-ts", context));
  for (const command of COMMANDS) {
    const sub = command.register(program, context);
    // A one-line pointer after a usage error, never the whole usage text.
    sub.showHelpAfterError(`Run 'airbyte-ts ${sub.name()} --help' for its arguments and flags.`)
      .configureOutput(outputFor(`airbyte-ts ${sub.name()}`, context));
  }
  return program;
}

// Help on stdout, errors on stderr, through the host runtime; commander's "error: " becomes the
// command's name, so the user sees which command refused what.
function outputFor(prefix: string, context: CliContext) {
  return {
    writeOut: (text: string) => context.writeStdout(text),
    writeErr: (text: string) => context.writeStderr(text),
    outputError: (text: string, write: (text: string) => void) =>
      write(text.replace(/^error: /, `${prefix}: `)),
  };
}
