/**
 * `airbyte-ts spec <connector>`: print the connector's spec.
 *
 * @module
 */
import { openSource } from "../connectors.ts";
import { EXIT } from "../exit_codes.ts";
import { addRunnerFlags } from "../options/connector_options.ts";
import type { CliCommand } from "./cli_command.ts";

/**
 * `spec`: print the connector's spec (its config's JSON Schema and more) as JSON.
 *
 * @example Registered with the others
 * ```ts
 * import { specCommand } from "./spec.ts";
 * if (specCommand.name !== "spec") throw new Error();
 * ```
 */
export const specCommand: CliCommand = {
  name: "spec",
  register(program, context) {
    const command = program.command("spec")
      .description("print the connector's spec (JSON)")
      .argument("<connector>", "the connector, e.g. source-faker");
    addRunnerFlags(command, "");
    return command.action(context.action(async (connector: string, parsed: Record<string, unknown>) => {
      const source = await openSource(context, connector, parsed, { prefix: "" });
      context.printJson(await source.spec());
      return EXIT.ok;
    }));
  },
};
