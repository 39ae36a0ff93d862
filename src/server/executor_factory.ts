/**
 * `ExecutorFactory`: how the server turns an allowlist entry into the executor that runs it.
 *
 * @module
 */
import type { Executor } from "../executors/executor.ts";
import type { ConnectorEntry } from "./server_config.ts";

/**
 * Builds the executor for one allowlisted connector from its config entry. The server calls it
 * once per connector at start-up and shares the executor among that connector's runs.
 *
 * @param name The connector's name in the allowlist.
 * @param entry Its entry in the server configuration.
 * @param logDir The config's `logDir`: where per-run logs go, or `false` for none.
 * @returns The executor that runs the connector.
 *
 * @example Run every connector in-process
 * ```ts
 * import type { ExecutorFactory } from "./executor_factory.ts";
 * import { InProcessExecutor } from "../executors/in_process.ts";
 * const factory: ExecutorFactory = (name) =>
 *   new InProcessExecutor({
 *     name,
 *     spec: () => Promise.resolve({ connectionSpecification: {} }),
 *     check: () => Promise.resolve({ status: "SUCCEEDED" }),
 *     discover: () => Promise.resolve({ streams: [] }),
 *     read: () => [],
 *   });
 * if (factory("source-x", { localExecutable: "/bin/true" }).name !== "in-process:source-x") throw new Error();
 * ```
 */
export type ExecutorFactory = (name: string, entry: ConnectorEntry, logDir?: string | false) => Executor;
