/**
 * Every `airbyte-ts` subcommand, in help order. To add one, write its file next to this one
 * (see {@linkcode CliCommand}) and list it here.
 *
 * @module
 */
import type { CliCommand } from "./cli_command.ts";
import { checkCommand } from "./check.ts";
import { demoCommand } from "./demo.ts";
import { discoverCommand } from "./discover.ts";
import { previewCommand } from "./preview.ts";
import { readCommand } from "./read.ts";
import { serveCommand } from "./serve.ts";
import { specCommand } from "./spec.ts";
import { syncCommand } from "./sync.ts";

/**
 * The subcommands.
 *
 * @example List their names
 * ```ts
 * import { COMMANDS } from "./registry.ts";
 * if (!COMMANDS.map((c) => c.name).includes("read")) throw new Error();
 * ```
 */
export const COMMANDS: readonly CliCommand[] = [
  specCommand,
  checkCommand,
  discoverCommand,
  readCommand,
  syncCommand,
  serveCommand,
  previewCommand,
  demoCommand,
];
