/**
 * The flags of the commands that move records (`read`, `sync`): which streams, how to write them,
 * and how to show progress.
 *
 * @module
 */
import { type Command, Option } from "npm:commander@14.0.3";
import type { ProgressOption, WriteStrategy } from "../../../mod.ts";
import { CliInputError } from "../cli_input_error.ts";

const STRATEGIES: WriteStrategy[] = ["auto", "append", "merge", "replace"];
const PROGRESS_MODES = ["auto", "tty", "plain", "none"] as const;

/** The `--progress` values. */
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/**
 * Add `--progress` (every command that reads records has it).
 *
 * @example
 * ```ts
 * import { Command } from "npm:commander@14.0.3";
 * import { addProgressFlag } from "./job_options.ts";
 * const demo = addProgressFlag(new Command("demo"));
 * if (!demo.options.some((o) => o.long === "--progress")) throw new Error();
 * ```
 */
export function addProgressFlag(command: Command): Command {
  return command.addOption(
    new Option(
      "--progress <mode>",
      "how to show progress on stderr: a live display on a terminal, log lines otherwise",
    )
      .choices(PROGRESS_MODES)
      .default("auto"),
  );
}

/**
 * Add `--streams`, `--strategy`, `--full-refresh` and `--progress`.
 *
 * @example
 * ```ts
 * import { Command } from "npm:commander@14.0.3";
 * import { addJobFlags } from "./job_options.ts";
 * const read = addJobFlags(new Command("read"));
 * if (!read.options.some((o) => o.long === "--full-refresh")) throw new Error();
 * ```
 */
export function addJobFlags(command: Command): Command {
  command
    .option("--streams <names>", "comma-separated streams to read (default: all)")
    .addOption(
      new Option("--strategy <strategy>", "how records are written to the cache tables")
        .choices(STRATEGIES)
        .default("auto"),
    )
    .option("--full-refresh", "ignore saved state and read everything again");
  return addProgressFlag(command);
}

/**
 * The read/write options the job flags in `parsed` (commander's `opts()`) ask for.
 *
 * @example `--streams users,purchases`
 * ```ts
 * import { jobOptionsFrom } from "./job_options.ts";
 * const job = jobOptionsFrom({ streams: "users, purchases", strategy: "auto", progress: "plain" }, new AbortController().signal);
 * if (job.streams.length !== 2 || job.progress !== "plain") throw new Error();
 * ```
 */
export function jobOptionsFrom(parsed: Record<string, unknown>, signal: AbortSignal): {
  streams: string[] | "*";
  writeStrategy: WriteStrategy;
  forceFullRefresh: boolean;
  progress: ProgressOption;
  signal: AbortSignal;
} {
  return {
    streams: streamsFrom(parsed.streams as string | undefined),
    writeStrategy: (parsed.strategy as WriteStrategy | undefined) ?? "auto",
    forceFullRefresh: parsed.fullRefresh === true,
    progress: (parsed.progress as ProgressMode | undefined) ?? "auto",
    signal,
  };
}

function streamsFrom(value: string | undefined): string[] | "*" {
  if (value === undefined) return "*";
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) {
    throw new CliInputError(
      `Cannot use --streams '${value}': name at least one stream (e.g. --streams users,purchases).`,
    );
  }
  return names;
}
