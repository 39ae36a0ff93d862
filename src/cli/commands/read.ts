/**
 * `airbyte-ts read <connector> --config FILE`: read into a cache and print a summary.
 *
 * @module
 */
import { openSource } from "../connectors.ts";
import { EXIT } from "../exit_codes.ts";
import { CACHE_HELP, openCache } from "../options/cache_option.ts";
import { addRunnerFlags } from "../options/connector_options.ts";
import { addRequiredFlag } from "../options/required_flag.ts";
import { addJobFlags, jobOptionsFrom } from "../options/job_options.ts";
import { printReadSummary } from "../print_read.ts";
import type { CliCommand } from "./cli_command.ts";

/**
 * `read`: read the selected streams into a cache (`--cache`, else the default cache file) and
 * print records read and rows cached per stream.
 *
 * @example Registered with the others
 * ```ts
 * import { readCommand } from "./read.ts";
 * if (readCommand.name !== "read") throw new Error();
 * ```
 */
export const readCommand: CliCommand = {
  name: "read",
  register(program, context) {
    const command = program.command("read")
      .description("read streams into a cache and print a summary per stream")
      .argument("<connector>", "the connector, e.g. source-faker");
    addRequiredFlag(command, "config", "file", "the connector's config (a JSON file)");
    command.option("--cache <path>", CACHE_HELP);
    addRunnerFlags(command, "");
    addJobFlags(command);
    return command.action(context.action(async (connector: string, parsed: Record<string, unknown>) => {
      const job = jobOptionsFrom(parsed, context.signal);
      const source = await openSource(context, connector, parsed, { configFlag: "config", prefix: "" });
      await using cache = openCache(parsed.cache as string | undefined);
      const started = performance.now();
      const result = await source.read({ cache, ...job });
      await printReadSummary(context, result, (performance.now() - started) / 1000);
      return EXIT.ok;
    }));
  },
};
