/**
 * `airbyte-ts sync <source> <destination>`: deliver a source's records to a destination.
 *
 * @module
 */
import { openDestination, openSource } from "../connectors.ts";
import { EXIT } from "../exit_codes.ts";
import { CACHE_HELP, openCache } from "../options/cache_option.ts";
import { addRunnerFlags } from "../options/connector_options.ts";
import { addRequiredFlag } from "../options/required_flag.ts";
import { addJobFlags, jobOptionsFrom } from "../options/job_options.ts";
import type { CliCommand } from "./cli_command.ts";

/**
 * `sync`: read the source (through a cache unless `--no-cache`) and write it to the destination;
 * print the counts as JSON. Flags for each side are prefixed `--source-` and `--destination-`.
 *
 * @example Registered with the others
 * ```ts
 * import { syncCommand } from "./sync.ts";
 * if (syncCommand.name !== "sync") throw new Error();
 * ```
 */
export const syncCommand: CliCommand = {
  name: "sync",
  register: (program, context) => {
    const command = program.command("sync")
      .description("deliver a source's records to a destination and print the counts (JSON)")
      .argument("<source>", "the source connector, e.g. source-faker")
      .argument("<destination>", "the destination connector, e.g. destination-duckdb")
      .option("--cache <path>", CACHE_HELP.replace("write to", "read through"))
      .option("--no-cache", "send records straight from the source to the destination");
    addRequiredFlag(command, "source-config", "file", "the source's config (a JSON file)");
    addRequiredFlag(command, "destination-config", "file", "the destination's config (a JSON file)");
    addRunnerFlags(command, "source-");
    addRunnerFlags(command, "destination-", false);
    return addJobFlags(command).action(context.action(
      async (sourceName: string, destinationName: string, parsed: Record<string, unknown>) => {
        const job = jobOptionsFrom(parsed, context.signal);
        const source = await openSource(context, sourceName, parsed, {
          configFlag: "source-config",
          prefix: "source-",
        });
        const destination = await openDestination(context, destinationName, parsed, {
          configFlag: "destination-config",
          prefix: "destination-",
        });
        const cache = parsed.cache === false
          ? false
          : parsed.cache === undefined
          ? undefined
          : openCache(parsed.cache as string);
        try {
          const result = await destination.write(source, { cache, ...job });
          context.printJson({
            destination: result.destination,
            processedRecords: result.processedRecords,
            confirmedRecords: result.confirmedRecords,
            streams: Object.fromEntries(result.recordsPerStream),
          });
        } finally {
          if (cache) await cache.close();
        }
        return EXIT.ok;
      },
    ));
  },
};
