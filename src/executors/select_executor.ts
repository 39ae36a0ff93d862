/**
 * The one factory that turns `getSource`/`getDestination` options into an executor. At most one
 * way of running a connector may be named; with none, the connector is pip-installed from PyPI
 * as `airbyte-<name>` into its own venv.
 *
 * @module
 */
import { ExecutorUnavailableError, InvalidArgumentError } from "../errors.ts";
import { detectRuntimeKey } from "../runtime/detect.ts";
import { DockerExecutor, type DockerRunOptions } from "./docker/docker_executor.ts";
import type { Executor } from "./executor.ts";
import { type InProcessConnector, InProcessExecutor } from "./in_process.ts";
import { RemoteExecutor, type RemoteExecutorOptions } from "./remote/remote_executor.ts";
import { SubprocessExecutor } from "./subprocess.ts";
import { VenvExecutor } from "./venv.ts";

/**
 * How to run a connector: at most one of `executor`, `pipUrl`, `localExecutable`, `dockerImage`,
 * `remote`, `connector`. `getSource` and `getDestination` take these options.
 *
 * @example A Docker image with a memory limit
 * ```ts
 * import type { ExecutorChoice } from "./select_executor.ts";
 * const choice: ExecutorChoice = { dockerImage: "airbyte/source-faker:6.2.0", docker: { memory: "1g" } };
 * if (choice.docker?.memory !== "1g") throw new Error();
 * ```
 */
export interface ExecutorChoice {
  /** A ready executor. */
  executor?: Executor;
  /** pip-install this requirement into an isolated venv, e.g. `"airbyte-source-faker==7.2.1"` or a local path. */
  pipUrl?: string;
  /** A connector executable already on disk or on PATH. */
  localExecutable?: string;
  /** A Docker image, run through the Docker Engine HTTP API (engine from `docker.host` or `DOCKER_HOST`). */
  dockerImage?: string;
  /** How to run `dockerImage`: engine address, network, memory and CPU limits, bind mounts, pull. */
  docker?: DockerRunOptions;
  /**
   * An `airbyte-ts serve` server that runs the connector (by this name, from its allowlist):
   * its URL and token, plus any other {@linkcode RemoteExecutorOptions}.
   */
  remote?: Omit<RemoteExecutorOptions, "connector">;
  /** A JS/TS connector run in-process (browser, edge). */
  connector?: InProcessConnector;
  /** The PyPI version to install when no `pipUrl` is given. */
  version?: string;
  /** Install the connector if it is missing. @default true */
  install?: boolean;
}

/**
 * Build the executor for `name` from the options.
 *
 * @example A Docker image
 * ```ts
 * import { selectExecutor } from "./select_executor.ts";
 * const ex = selectExecutor("source-faker", { dockerImage: "airbyte/source-faker:6.2.0", docker: { memory: "1g" } });
 * if (ex.name !== "docker:airbyte/source-faker:6.2.0") throw new Error(ex.name);
 * ```
 *
 * @example A local executable
 * ```ts
 * import { selectExecutor } from "./select_executor.ts";
 * const ex = selectExecutor("source-x", { localExecutable: "/usr/bin/true" });
 * if (!ex.name.includes("source-x")) throw new Error();
 * ```
 */
export function selectExecutor(name: string, choice: ExecutorChoice = {}): Executor {
  const given = (["executor", "pipUrl", "localExecutable", "dockerImage", "remote", "connector"] as const)
    .filter((k) => choice[k] !== undefined);
  if (given.length > 1) {
    throw new InvalidArgumentError(
      `Cannot run '${name}' in two ways at once: ${
        given.map((g) => `'${g}'`).join(" and ")
      } were both given.`,
      { guidance: "Pass only one of executor, pipUrl, localExecutable, dockerImage, remote, connector." },
    );
  }
  if (choice.executor) return choice.executor;
  if (choice.connector) return new InProcessExecutor(choice.connector);
  if (choice.docker !== undefined && choice.dockerImage === undefined) {
    throw new InvalidArgumentError(`Docker options were given for '${name}' without a Docker image.`, {
      guidance: "Pass `dockerImage` with `docker`, e.g. { dockerImage: 'airbyte/source-faker:6.2.0' }.",
    });
  }
  if (choice.localExecutable) return new SubprocessExecutor({ command: choice.localExecutable, name });
  if (choice.dockerImage !== undefined) {
    return new DockerExecutor({ ...choice.docker, image: choice.dockerImage, name });
  }
  if (choice.remote) return new RemoteExecutor({ ...choice.remote, connector: name });
  if (detectRuntimeKey() === "browser") {
    throw new ExecutorUnavailableError(
      `Cannot install '${name}' in a browser: it cannot run Python or processes.`,
      {
        guidance: "Pass `connector` (an InProcessConnector) or `remote` (a RemoteExecutor server).",
        context: { connector: name },
      },
    );
  }
  const pipUrl = choice.pipUrl ??
    `airbyte-${name}${choice.version && choice.version !== "latest" ? `==${choice.version}` : ""}`;
  return new VenvExecutor({ name, pipUrl });
}
