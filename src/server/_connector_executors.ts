// One executor per allowlisted connector, built from its config entry and shared by its runs: the
// venv install is checked once, and each run keeps its own stderr tail (through onStderr).
import { DockerExecutor } from "../executors/docker/docker_executor.ts";
import type { Executor } from "../executors/executor.ts";
import { SubprocessExecutor } from "../executors/subprocess.ts";
import { VenvExecutor } from "../executors/venv.ts";
import type { ExecutorFactory } from "./executor_factory.ts";
import type { ConnectorEntry } from "./server_config.ts";

/**
 * The built-in factory: `pipUrl` → VenvExecutor, `localExecutable` → SubprocessExecutor,
 * `image` → DockerExecutor.
 */
export const defaultExecutorFactory: ExecutorFactory = (name, entry, logDir) => {
  if ("pipUrl" in entry) {
    return new VenvExecutor({
      name,
      pipUrl: entry.pipUrl,
      installSteps: entry.installSteps,
      entrypoint: entry.entrypoint,
      python: entry.python,
      env: entry.env,
    });
  }
  if ("localExecutable" in entry) {
    return new SubprocessExecutor({
      command: entry.localExecutable,
      args: entry.args,
      cwd: entry.cwd,
      env: entry.env,
      name,
      logDir,
    });
  }
  return new DockerExecutor({ ...entry.docker, image: entry.image, env: entry.env, name });
};

/** Build every connector's executor up front, so a bad entry fails at start, not at first use. */
export function buildExecutors(
  connectors: Record<string, ConnectorEntry>,
  factory: ExecutorFactory,
  logDir?: string | false,
): Map<string, Executor> {
  return new Map(Object.entries(connectors).map(([name, entry]) => [name, factory(name, entry, logDir)]));
}
