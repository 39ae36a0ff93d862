/**
 * `airbyte-ts discover <connector> --config FILE`: print the connector's catalog.
 *
 * @module
 */
import { openSource } from "../connectors.ts";
import { EXIT } from "../exit_codes.ts";
import { addRunnerFlags } from "../options/connector_options.ts";
import { addRequiredFlag } from "../options/required_flag.ts";
import type { CliCommand } from "./cli_command.ts";

/**
 * `discover`: print the streams the connector offers (its catalog) as JSON.
 *
 * @example Registered with the others
 * ```ts
 * import { discoverCommand } from "./discover.ts";
 * if (discoverCommand.name !== "discover") throw new Error();
 * ```
 */
export const discoverCommand: CliCommand = {
  name: "discover",
  register(program, context) {
    const command = program.command("discover")
      .description("print the connector's catalog (JSON)")
      .argument("<connector>", "the connector, e.g. source-faker");
    addRequiredFlag(command, "config", "file", "the connector's config (a JSON file)");
    addRunnerFlags(command, "");
    return command.action(context.action(async (connector: string, parsed: Record<string, unknown>) => {
      const source = await openSource(context, connector, parsed, { configFlag: "config", prefix: "" });
      context.printJson(await source.discover({ signal: context.signal }));
      return EXIT.ok;
    }));
  },
};
