/**
 * Opening the source and destination a command names, from its runner flags and config file.
 *
 * @module
 */
import { type Destination, getDestination, getSource, type Source } from "../../mod.ts";
import type { CliContext } from "./context.ts";
import { readConfigFile } from "./options/config_file.ts";
import { runnerOptionsFrom, type RunnerPrefix } from "./options/connector_options.ts";
import { flagAttribute } from "./options/flag_attribute.ts";

/**
 * Which flags supply a connector's config and runner options: `--config` and unprefixed runner
 * flags for single-connector commands; `--source-config`/`--source-…` and
 * `--destination-config`/`--destination-…` for sync.
 *
 * @example The source side of a sync
 * ```ts
 * import type { ConnectorFlags } from "./connectors.ts";
 * const source: ConnectorFlags = { configFlag: "source-config", prefix: "source-" };
 * if (source.prefix !== "source-") throw new Error();
 * ```
 */
export interface ConnectorFlags {
  /** The config flag without dashes, e.g. `config`; omit for commands without a config. */
  configFlag?: string;
  prefix: RunnerPrefix;
}

async function configFrom(
  context: CliContext,
  connector: string,
  parsed: Record<string, unknown>,
  flags: ConnectorFlags,
): Promise<Record<string, unknown> | undefined> {
  if (flags.configFlag === undefined) return undefined;
  const path = parsed[flagAttribute(flags.configFlag)];
  if (typeof path !== "string") return undefined;
  return await readConfigFile(context, { flag: `--${flags.configFlag}`, path, connector });
}

/**
 * The source `name`, run as the runner flags say, with the config from its config flag.
 *
 * @example
 * ```ts ignore
 * const source = await openSource(context, "source-faker", command.opts(), { configFlag: "config", prefix: "" });
 * ```
 */
export async function openSource(
  context: CliContext,
  name: string,
  parsed: Record<string, unknown>,
  flags: ConnectorFlags,
): Promise<Source> {
  const config = await configFrom(context, name, parsed, flags);
  return await getSource(name, {
    ...runnerOptionsFrom(parsed, flags.prefix, (n) => context.runtime.env(n)),
    config,
  });
}

/**
 * The destination `name`, run as the runner flags say, with the config from its config flag.
 *
 * @example
 * ```ts ignore
 * const destination = await openDestination(context, "destination-jsonl", command.opts(), {
 *   configFlag: "destination-config",
 *   prefix: "destination-",
 * });
 * ```
 */
export async function openDestination(
  context: CliContext,
  name: string,
  parsed: Record<string, unknown>,
  flags: ConnectorFlags,
): Promise<Destination> {
  const config = await configFrom(context, name, parsed, flags);
  return await getDestination(name, {
    ...runnerOptionsFrom(parsed, flags.prefix, (n) => context.runtime.env(n)),
    config,
  });
}
