/**
 * The flags that say how to run a connector (`--pip-url`, `--executable`, …), declared once in
 * {@linkcode RUNNER_FLAGS} and added to every command that runs one. `sync` gets each
 * per-connector flag twice, as `--source-…` and `--destination-…`.
 *
 * To add a way to run connectors (e.g. `--docker-image IMAGE`, `--remote URL`), add one entry to
 * {@linkcode RUNNER_FLAGS}: every command, its help, the conflicts between exclusive flags, and
 * sync's prefixed variants follow from it.
 *
 * @module
 */
import { type Command, Option } from "npm:commander@14.0.3";
import type { GetDestinationOptions, GetSourceOptions } from "../../../mod.ts";
import { CliInputError } from "../cli_input_error.ts";
import { flagAttribute } from "./flag_attribute.ts";

/**
 * The part of `getSource`/`getDestination` options that runner flags fill in.
 *
 * @example Run a connector from a local script
 * ```ts
 * import type { RunnerOptions } from "./connector_options.ts";
 * const options: RunnerOptions = { localExecutable: "./source_counter.py" };
 * if (options.localExecutable === undefined) throw new Error();
 * ```
 */
export type RunnerOptions = GetSourceOptions & GetDestinationOptions;

/**
 * One flag about how to run a connector.
 *
 * @example A flag that names a Docker image (what the Docker executor adds)
 * ```ts
 * import type { RunnerFlag } from "./connector_options.ts";
 * const dockerImage: RunnerFlag = {
 *   name: "docker-image",
 *   value: "IMAGE",
 *   description: "run the connector's Docker image",
 *   exclusive: true,
 *   scope: "connector",
 *   apply: (options, value) => void (options.dockerImage = value),
 * };
 * if (dockerImage.scope !== "connector") throw new Error();
 * ```
 */
export interface RunnerFlag {
  /** The flag without dashes, e.g. `pip-url` for `--pip-url`. */
  name: string;
  /** The value's placeholder in help, e.g. `SPEC`. */
  value: string;
  /** One line for `--help`. */
  description: string;
  /** Exclusive flags each choose the executor: a command accepts at most one per connector. */
  exclusive: boolean;
  /**
   * `connector`: `sync` takes it once per side (`--source-pip-url`, `--destination-pip-url`);
   * `shared`: one flag for both sides (e.g. an engine address such as `--docker-host`).
   */
  scope: "connector" | "shared";
  /**
   * Put the flag's value into the options for `getSource`/`getDestination`. `env` reads the
   * environment (for secrets that must not be flags, such as a remote server's token).
   */
  apply(options: RunnerOptions, value: string, env: (name: string) => string | undefined): void;
}

/** The environment variable that holds the token for `--remote`. */
export const REMOTE_TOKEN_ENV = "AIRBYTE_TS_REMOTE_TOKEN";

/** Every runner flag, in help order. */
export const RUNNER_FLAGS: RunnerFlag[] = [
  {
    name: "pip-url",
    value: "SPEC",
    description: "pip-install this requirement into the connector's venv (default: airbyte-<connector>)",
    exclusive: true,
    scope: "connector",
    apply: (options, value) => void (options.pipUrl = value),
  },
  {
    name: "executable",
    value: "PATH",
    description: "run this connector executable (a file or a command on PATH) instead of installing one",
    exclusive: true,
    scope: "connector",
    apply: (options, value) => void (options.localExecutable = value),
  },
  {
    name: "docker-image",
    value: "IMAGE",
    description:
      "run the connector's Docker image through the Docker Engine API (e.g. airbyte/source-faker:6.2.0)",
    exclusive: true,
    scope: "connector",
    apply: (options, value) => void (options.dockerImage = value),
  },
  {
    name: "docker-host",
    value: "ADDRESS",
    description: "the Docker engine for --docker-image connectors: unix:///path or tcp://host:port " +
      "(default: $DOCKER_HOST, else unix:///var/run/docker.sock)",
    exclusive: false,
    scope: "shared",
    // Flags are applied in this list's order, so --docker-image is known here. A sync whose other
    // side runs from a venv ignores the engine address.
    apply: (options, value) => {
      if (options.dockerImage !== undefined) options.docker = { ...options.docker, host: value };
    },
  },
  {
    name: "remote",
    value: "URL",
    description: `run the connector on an 'airbyte-ts serve' server (token in $${REMOTE_TOKEN_ENV})`,
    exclusive: true,
    scope: "connector",
    apply: (options, value, env) => {
      const token = env(REMOTE_TOKEN_ENV);
      if (!token) {
        throw new CliInputError(
          `Cannot use --remote '${value}' without a token: set ${REMOTE_TOKEN_ENV} to the server's token.`,
        );
      }
      options.remote = { url: value, token };
    },
  },
];

/** `--source-…` / `--destination-…` for sync; no prefix elsewhere. */
export type RunnerPrefix = "" | "source-" | "destination-";

/**
 * Add the runner flags to `command`: with `prefix` for per-connector flags, and the shared flags
 * once (pass `shared: false` for the second side of a sync). Exclusive flags of one side conflict.
 *
 * @example The flags of `read`
 * ```ts
 * import { Command } from "npm:commander@14.0.3";
 * import { addRunnerFlags } from "./connector_options.ts";
 * const read = addRunnerFlags(new Command("read"), "");
 * if (!read.options.some((o) => o.long === "--pip-url")) throw new Error();
 * ```
 */
export function addRunnerFlags(command: Command, prefix: RunnerPrefix, shared = true): Command {
  const side = prefix === "" ? "" : ` of the ${prefix.slice(0, -1)}`;
  const exclusive = RUNNER_FLAGS.filter((f) => f.exclusive && f.scope === "connector")
    .map((f) => flagAttribute(prefix + f.name));
  for (const flag of RUNNER_FLAGS) {
    if (flag.scope === "shared" && !shared) continue;
    const name = flag.scope === "shared" ? flag.name : prefix + flag.name;
    const option = new Option(
      `--${name} <${flag.value}>`,
      flag.description + (flag.scope === "shared" ? "" : side),
    );
    if (flag.exclusive && flag.scope === "connector") {
      option.conflicts(exclusive.filter((a) => a !== flagAttribute(name)));
    }
    command.addOption(option);
  }
  return command;
}

/**
 * Collect the runner flags that `parsed` (commander's `opts()`) holds into getSource/getDestination
 * options.
 *
 * @example `--executable` becomes `localExecutable`
 * ```ts
 * import { runnerOptionsFrom } from "./connector_options.ts";
 * const options = runnerOptionsFrom({ executable: "./source.py" }, "");
 * if (options.localExecutable !== "./source.py") throw new Error();
 * ```
 *
 * @example `--remote` takes its token from the environment
 * ```ts
 * import { runnerOptionsFrom } from "./connector_options.ts";
 * const env = (name: string) => name === "AIRBYTE_TS_REMOTE_TOKEN" ? "a-long-enough-token" : undefined;
 * const options = runnerOptionsFrom({ remote: "http://127.0.0.1:8787" }, "", env);
 * if (options.remote?.token !== "a-long-enough-token") throw new Error();
 * ```
 */
export function runnerOptionsFrom(
  parsed: Record<string, unknown>,
  prefix: RunnerPrefix,
  env: (name: string) => string | undefined = () => undefined,
): RunnerOptions {
  const options: RunnerOptions = {};
  for (const flag of RUNNER_FLAGS) {
    const name = flag.scope === "shared" ? flag.name : prefix + flag.name;
    const value = parsed[flagAttribute(name)];
    if (typeof value === "string") flag.apply(options, value, env);
  }
  return options;
}
