/**
 * `airbyte-ts demo`: read airbyte-source-faker into the default cache (what `npm start` runs).
 *
 * @module
 */
import { getSource } from "../../../mod.ts";
import { CliInputError } from "../cli_input_error.ts";
import { EXIT } from "../exit_codes.ts";
import { openCache } from "../options/cache_option.ts";
import { addProgressFlag, type ProgressMode } from "../options/job_options.ts";
import { printReadSummary } from "../print_read.ts";
import type { CliCommand } from "./cli_command.ts";

const FAKER = "airbyte-source-faker==7.2.1";

/**
 * `demo`: install airbyte-source-faker (first run only), read `--count` users with their
 * products and purchases into the default cache (or `--cache`), and print the summary.
 *
 * @example Registered with the others
 * ```ts
 * import { demoCommand } from "./demo.ts";
 * if (demoCommand.name !== "demo") throw new Error();
 * ```
 */
export const demoCommand: CliCommand = {
  name: "demo",
  register(program, context) {
    const command = program.command("demo")
      .description(`read ${FAKER} into the default cache and print a summary`)
      .option("--count <n>", "how many users faker makes", "10000")
      .option("--cache <path>", "a DuckDB file to read into (default: the default cache file)");
    addProgressFlag(command);
    return command.action(context.action(async (parsed: Record<string, unknown>) => {
      const count = Number(parsed.count);
      if (!Number.isSafeInteger(count) || count < 1) {
        throw new CliInputError(`Cannot use --count '${parsed.count}': expected a whole number above 0.`);
      }
      context.writeStderr(`Installing airbyte-source-faker (first run only) and reading ${count} users...\n`);
      const source = await getSource("source-faker", {
        pipUrl: FAKER,
        config: { count, seed: 1, parallelism: 1 },
        streams: "*",
      });
      await using cache = openCache(parsed.cache as string | undefined);
      const started = performance.now();
      const result = await source.read({
        cache,
        progress: parsed.progress as ProgressMode,
        signal: context.signal,
      });
      await printReadSummary(context, result, (performance.now() - started) / 1000);
      return EXIT.ok;
    }));
  },
};
