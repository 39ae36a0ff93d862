/**
 * The shape of one subcommand. Each subcommand lives in its own file under `src/cli/commands/` and
 * is listed once in `registry.ts`.
 *
 * @module
 */
import type { Command } from "npm:commander@14.0.3";
import type { CliContext } from "../context.ts";

/**
 * One `airbyte-ts` subcommand.
 *
 * `register` adds it with `program.command(name)` (so that it inherits the program's settings:
 * output, error handling, suggestions), declares its arguments and flags, and sets its action with
 * `context.action(...)`, whose handler resolves to the exit code.
 *
 * @example A subcommand that prints a greeting
 * ```ts
 * import type { CliCommand } from "./cli_command.ts";
 * import { EXIT } from "../exit_codes.ts";
 * export const helloCommand: CliCommand = {
 *   name: "hello",
 *   register: (program, context) =>
 *     program.command("hello")
 *       .description("say hello")
 *       .argument("<name>", "who to greet")
 *       .action(context.action(async (name: string) => {
 *         context.writeStdout(`hello ${name}\n`);
 *         return EXIT.ok;
 *       })),
 * };
 * ```
 */
export interface CliCommand {
  /** The subcommand's name, e.g. `read`. */
  readonly name: string;
  /** Add the subcommand to `program`; returns it. */
  register(program: Command, context: CliContext): Command;
}
