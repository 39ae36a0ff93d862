/**
 * `airbyte-ts check <connector> --config FILE`: check a config against the connector.
 *
 * @module
 */
import { AirbyteError } from "../../../mod.ts";
import { openSource } from "../connectors.ts";
import { EXIT } from "../exit_codes.ts";
import { addRunnerFlags } from "../options/connector_options.ts";
import { addRequiredFlag } from "../options/required_flag.ts";
import type { CliCommand } from "./cli_command.ts";

/**
 * `check`: prints `{"status":"SUCCEEDED"}` and exits 0, or prints
 * `{"status":"FAILED","message":…}` and exits 1 when the connector says no (2 for a config that
 * does not match the spec, 3 when it cannot be installed). The error itself, with guidance and
 * the connector's last log lines, goes to stderr.
 *
 * @example Registered with the others
 * ```ts
 * import { checkCommand } from "./check.ts";
 * if (checkCommand.name !== "check") throw new Error();
 * ```
 */
export const checkCommand: CliCommand = {
  name: "check",
  register(program, context) {
    const command = program.command("check")
      .description("check a config against the connector (exit 1 when it fails)")
      .argument("<connector>", "the connector, e.g. source-faker");
    addRequiredFlag(command, "config", "file", "the connector's config (a JSON file)");
    addRunnerFlags(command, "");
    return command.action(context.action(async (connector: string, parsed: Record<string, unknown>) => {
      try {
        const source = await openSource(context, connector, parsed, { configFlag: "config", prefix: "" });
        await source.check({ signal: context.signal });
      } catch (error) {
        // A config that breaks the spec, or a connector that fails, is a failed check too.
        if (error instanceof AirbyteError) context.printJson({ status: "FAILED", message: headline(error) });
        throw error;
      }
      context.printJson({ status: "SUCCEEDED" });
      return EXIT.ok;
    }));
  },
};

// The connector's own words: the message without the library's prefix, guidance and log lines.
function headline(error: AirbyteError): string {
  const first = error.message.split("\nGuidance:")[0].split("\nLast log lines:")[0];
  return first.replace(/^Check failed for '[^']*': /, "");
}
