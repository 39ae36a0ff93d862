/**
 * `getDestination()`: the entry point for destinations.
 *
 * @module
 */
import type { ConnectorBaseOptions } from "../connectors/connector_base.ts";
import { type ExecutorChoice, selectExecutor } from "../executors/select_executor.ts";
import { Destination } from "./destination.ts";

/**
 * Options for {@linkcode getDestination}.
 *
 * @example A pip-installed destination
 * ```ts
 * import type { GetDestinationOptions } from "./get_destination.ts";
 * const options: GetDestinationOptions = { pipUrl: "./tests/fixtures/destination_jsonl", config: { path: "/tmp/out" } };
 * if (!options.pipUrl) throw new Error();
 * ```
 */
export interface GetDestinationOptions extends ExecutorChoice, ConnectorBaseOptions {
  /** Validate `config` against the connector's spec now. @default true when a config is given */
  validate?: boolean;
}

/**
 * Create a destination connector, installing it if needed, and set (and validate) its config.
 *
 * @example A local destination, checked
 * ```ts ignore
 * import { getDestination } from "../../mod.ts";
 * const destination = await getDestination("destination-jsonl", {
 *   pipUrl: "./tests/fixtures/destination_jsonl",
 *   config: { path: "/tmp/out" },
 * });
 * await destination.check();
 * ```
 */
export async function getDestination(
  name: string,
  options: GetDestinationOptions = {},
): Promise<Destination> {
  const executor = selectExecutor(name, options);
  if (options.install !== false) await executor.ensureInstalled?.();
  const { config, ...rest } = options;
  const destination = new Destination(name, executor, rest);
  if (config) await destination.setConfig(config, { validate: options.validate ?? true });
  return destination;
}
