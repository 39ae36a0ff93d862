/**
 * `getSource()`: the entry point for sources.
 *
 * @module
 */
import type { ConnectorBaseOptions } from "../connectors/connector_base.ts";
import { type ExecutorChoice, selectExecutor } from "../executors/select_executor.ts";
import { Source } from "./source.ts";

/**
 * Options for {@linkcode getSource}.
 *
 * @example Faker from PyPI with one stream
 * ```ts
 * import type { GetSourceOptions } from "./get_source.ts";
 * const options: GetSourceOptions = { pipUrl: "airbyte-source-faker==7.2.1", config: { count: 10 }, streams: ["users"] };
 * if (options.streams?.[0] !== "users") throw new Error();
 * ```
 */
export interface GetSourceOptions extends ExecutorChoice, ConnectorBaseOptions {
  /** Streams to select: names, one name, or `"*"` for all. @default none selected */
  streams?: string | string[];
  /** Validate `config` against the connector's spec now. @default true when a config is given */
  validate?: boolean;
}

/**
 * Create a source connector, installing it if needed, and (when given) set and validate its
 * config. A config that does not match the spec fails here, before any read starts.
 *
 * @example Faker from PyPI
 * ```ts ignore
 * import { getSource } from "../../mod.ts";
 * const source = await getSource("source-faker", {
 *   pipUrl: "airbyte-source-faker==7.2.1",
 *   config: { count: 1000, seed: 1 },
 *   streams: ["users"],
 * });
 * const result = await source.read();
 * console.log(await result.get("users").count());
 * ```
 */
export async function getSource(name: string, options: GetSourceOptions = {}): Promise<Source> {
  const executor = selectExecutor(name, options);
  if (options.install !== false) await executor.ensureInstalled?.();
  const { config, ...rest } = options;
  const source = new Source(name, executor, rest);
  if (config) await source.setConfig(config, { validate: options.validate ?? true });
  return source;
}
