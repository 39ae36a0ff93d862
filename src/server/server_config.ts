/**
 * The configuration of `airbyte-ts serve`: where it listens, where its token comes from, which
 * origins may call it from a browser, its limits, and the allowlist of connectors with the
 * executor that runs each. Clients only ever name a connector from that allowlist: commands,
 * images, pip URLs and paths live here and nowhere else.
 *
 * ```json
 * {
 *   "hostname": "127.0.0.1",
 *   "port": 8787,
 *   "tokenEnv": "AIRBYTE_TS_SERVER_TOKEN",
 *   "corsOrigins": ["https://app.example.com"],
 *   "limits": { "concurrentRuns": 4, "requestBytes": 4194304, "runTimeoutSeconds": 3600, "drainSeconds": 30 },
 *   "connectors": {
 *     "source-faker": { "pipUrl": "airbyte-source-faker==7.2.1" },
 *     "source-counter": { "localExecutable": "./connectors/source_counter.py" },
 *     "source-postgres": { "image": "airbyte/source-postgres:3.6.0" }
 *   }
 * }
 * ```
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { InvalidArgumentError } from "../errors.ts";
import { CONNECTOR_NAME } from "../executors/remote/_wire.ts";
import { schemaFor } from "../protocol/_schema_for.ts";
import { getRuntime } from "../runtime/detect.ts";
import type { Runtime } from "../runtime/runtime.ts";

// Each type below is an interface (the contract); its schema must match it exactly, which
// `schemaFor` checks at compile time.

/**
 * A connector installed with pip into its own virtual environment (run by `VenvExecutor`).
 *
 * @example Faker, pinned
 * ```ts
 * import type { PipConnectorEntry } from "./server_config.ts";
 * const faker: PipConnectorEntry = { pipUrl: "airbyte-source-faker==7.2.1", env: { TZ: "UTC" } };
 * if (!faker.pipUrl.startsWith("airbyte-")) throw new Error();
 * ```
 */
export interface PipConnectorEntry {
  /** pip requirement or local project path (relative paths are relative to the config file). */
  pipUrl: string;
  /** `pip install` argument lists run in order instead of the single `[pipUrl]`. @default [[pipUrl]] */
  installSteps?: string[][];
  /** The console script to run, inside the venv's `bin/`. @default the connector's name */
  entrypoint?: string;
  /** The Python that creates the venv. @default "python3" */
  python?: string;
  /** Environment variables added for the connector process. */
  env?: Record<string, string>;
}

/**
 * A connector run as a local executable (run by `SubprocessExecutor`).
 *
 * @example A script next to the config file
 * ```ts
 * import type { LocalConnectorEntry } from "./server_config.ts";
 * const counter: LocalConnectorEntry = { localExecutable: "./connectors/source_counter.py", args: ["--fast"] };
 * if (counter.args?.[0] !== "--fast") throw new Error();
 * ```
 */
export interface LocalConnectorEntry {
  /** An executable path (relative to the config file) or a name on PATH. */
  localExecutable: string;
  /** Arguments that go before every verb, e.g. a script path. */
  args?: string[];
  /** Working directory of the process (relative paths are relative to the config file). */
  cwd?: string;
  /** Environment variables for the connector process. */
  env?: Record<string, string>;
}

/**
 * How an image connector runs on the Docker Engine.
 *
 * @example Half a CPU and 512 MiB, no network
 * ```ts
 * import type { ImageDockerOptions } from "./server_config.ts";
 * const docker: ImageDockerOptions = { network: false, memory: "512m", cpus: 0.5 };
 * if (docker.network !== false) throw new Error();
 * ```
 */
export interface ImageDockerOptions {
  /**
   * The engine: `unix:///path`, `tcp://host:port`, or a socket path.
   * @default the `DOCKER_HOST` environment variable, else `unix:///var/run/docker.sock`
   */
  host?: string;
  /** `false`: no network; `true`: the engine's default bridge; a string: that network. @default false */
  network?: boolean | string;
  /** Memory limit: bytes, or a size such as `"512m"` or `"2g"`. @default no limit */
  memory?: number | string;
  /** CPU limit in CPUs, e.g. `1.5`. @default no limit */
  cpus?: number;
  /** Pull the image when the engine does not have it. @default false */
  pull?: boolean;
}

/**
 * A connector run from a Docker image, through the Docker Engine API (`DockerExecutor`).
 *
 * @example An image with limits
 * ```ts
 * import type { ImageConnectorEntry } from "./server_config.ts";
 * const postgres: ImageConnectorEntry = { image: "airbyte/source-postgres:3.6.0", docker: { memory: "1g" } };
 * if (!postgres.image.includes(":")) throw new Error();
 * ```
 */
export interface ImageConnectorEntry {
  /** A Docker image, run through the Docker Engine API (DockerExecutor). */
  image: string;
  /** Environment variables for the connector; visible in `docker inspect`, so never a secret. */
  env?: Record<string, string>;
  /** How the image runs: engine address, network, memory and CPU limits, pull when missing. */
  docker?: ImageDockerOptions;
}

/**
 * One allowlisted connector: exactly one of `pipUrl`, `localExecutable` or `image`, plus options.
 *
 * @example A pip-installed connector with an environment variable
 * ```ts
 * import type { ConnectorEntry } from "./server_config.ts";
 * const entry: ConnectorEntry = { pipUrl: "airbyte-source-faker==7.2.1", env: { TZ: "UTC" } };
 * if (!("pipUrl" in entry)) throw new Error();
 * ```
 */
export type ConnectorEntry = PipConnectorEntry | LocalConnectorEntry | ImageConnectorEntry;

/**
 * The server's limits, with defaults filled in.
 *
 * @example The defaults
 * ```ts
 * import { parseServerConfig, type ServerLimits } from "./server_config.ts";
 * const limits: ServerLimits = parseServerConfig({ connectors: { x: { localExecutable: "/bin/true" } } }).limits;
 * if (limits.runTimeoutSeconds !== 3600 || limits.requestBytes !== 4 * 1024 * 1024) throw new Error();
 * ```
 */
export interface ServerLimits {
  /** Runs at once; one more gets 429. @default 4 */
  concurrentRuns: number;
  /** Largest run request (config + catalog + state), in bytes; larger gets 413. @default 4 MiB */
  requestBytes: number;
  /** Largest chunk of `write` input posted at once, and longest input line, in bytes. @default 8 MiB */
  inputChunkBytes: number;
  /** A run still going after this long is ended (its stream ends with a 504 refusal); 0 = never. @default 3600 */
  runTimeoutSeconds: number;
  /** On SIGTERM, how long running runs get to finish before they are ended. @default 30 */
  drainSeconds: number;
}

/**
 * A validated server configuration (defaults filled in). Build one with
 * {@linkcode parseServerConfig} or {@linkcode loadServerConfig}.
 *
 * @example The smallest configuration
 * ```ts
 * import { parseServerConfig } from "./server_config.ts";
 * const config = parseServerConfig({ connectors: { "source-faker": { pipUrl: "airbyte-source-faker==7.2.1" } } });
 * if (config.limits.concurrentRuns !== 4 || config.port !== 8787) throw new Error();
 * ```
 */
export interface ServerConfig {
  /** The address to listen on. @default "127.0.0.1" */
  hostname: string;
  /** The port to listen on; 0 picks a free one. @default 8787 */
  port: number;
  /** The environment variable holding the bearer token. The token itself is never in this file. @default "AIRBYTE_TS_SERVER_TOKEN" */
  tokenEnv: string;
  /** Browser origins allowed to call the server (exact `scheme://host[:port]`); others get 403. @default [] */
  corsOrigins: string[];
  /** How much the server takes on. */
  limits: ServerLimits;
  /** Where per-run connector logs go; `false` keeps none. @default `<airbyte-ts home>/logs` */
  logDir?: string | false;
  /** The allowlist: the only connectors clients can run, by name. */
  connectors: Record<string, ConnectorEntry>;
}

/**
 * What {@linkcode parseServerConfig} accepts: a config with any defaulted field left out.
 *
 * @example Only what differs from the defaults
 * ```ts
 * import type { ServerConfigInput } from "./server_config.ts";
 * const input: ServerConfigInput = { port: 9000, limits: { concurrentRuns: 8 }, connectors: {} };
 * if (input.port !== 9000) throw new Error();
 * ```
 */
export interface ServerConfigInput {
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The port to listen on; 0 picks a free one. @default 8787 */
  port?: number;
  /** The environment variable holding the bearer token. @default "AIRBYTE_TS_SERVER_TOKEN" */
  tokenEnv?: string;
  /** Browser origins allowed to call the server. @default [] */
  corsOrigins?: string[];
  /** Limits that differ from the defaults. */
  limits?: Partial<ServerLimits>;
  /** Where per-run connector logs go; `false` keeps none. @default `<airbyte-ts home>/logs` */
  logDir?: string | false;
  /** The allowlist: the only connectors clients can run, by name. */
  connectors: Record<string, ConnectorEntry>;
}

const Env = z.record(z.string(), z.string());

const PipEntrySchema: z.ZodType<PipConnectorEntry, PipConnectorEntry> = schemaFor<PipConnectorEntry>()(
  z.strictObject({
    pipUrl: z.string().min(1),
    installSteps: z.array(z.array(z.string())).optional(),
    entrypoint: z.string().min(1).optional(),
    python: z.string().min(1).optional(),
    env: Env.optional(),
  }),
);

const LocalEntrySchema: z.ZodType<LocalConnectorEntry, LocalConnectorEntry> = schemaFor<
  LocalConnectorEntry
>()(z.strictObject({
  localExecutable: z.string().min(1),
  args: z.array(z.string()).optional(),
  cwd: z.string().optional(),
  env: Env.optional(),
}));

const ImageEntrySchema: z.ZodType<ImageConnectorEntry, ImageConnectorEntry> = schemaFor<
  ImageConnectorEntry
>()(z.strictObject({
  image: z.string().min(1),
  env: Env.optional(),
  docker: z.strictObject({
    host: z.string().optional(),
    network: z.union([z.boolean(), z.string()]).optional(),
    memory: z.union([z.number(), z.string()]).optional(),
    cpus: z.number().optional(),
    pull: z.boolean().optional(),
  }).optional(),
}));

const ConnectorEntrySchema: z.ZodType<ConnectorEntry, ConnectorEntry> = schemaFor<ConnectorEntry>()(
  z.union([PipEntrySchema, LocalEntrySchema, ImageEntrySchema]),
);

const MiB = 1024 * 1024;

const LimitsSchema: z.ZodType<ServerLimits, Partial<ServerLimits>> = schemaFor<
  ServerLimits,
  Partial<ServerLimits>
>()(z.strictObject({
  concurrentRuns: z.number().int().min(1).default(4),
  requestBytes: z.number().int().min(1024).default(4 * MiB),
  inputChunkBytes: z.number().int().min(1024).default(8 * MiB),
  runTimeoutSeconds: z.number().min(0).default(3600),
  drainSeconds: z.number().min(0).default(30),
}));

const ServerConfigSchema: z.ZodType<ServerConfig, ServerConfigInput> = schemaFor<
  ServerConfig,
  ServerConfigInput
>()(z.strictObject({
  hostname: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(8787),
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default("AIRBYTE_TS_SERVER_TOKEN"),
  corsOrigins: z.array(z.string().min(1)).default([]),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
  logDir: z.union([z.string().min(1), z.literal(false)]).optional(),
  connectors: z.record(z.string(), ConnectorEntrySchema),
}));

/**
 * Validate a server configuration object and fill in defaults. Relative paths are resolved against
 * `baseDir` when given.
 *
 * @param input The configuration, e.g. parsed from the config file.
 * @param baseDir The directory relative `localExecutable`, `cwd`, local `pipUrl` and `logDir` paths
 *   are taken from.
 * @returns The validated configuration.
 * @throws {InvalidArgumentError} naming every field that is wrong.
 *
 * @example A connector name with a slash is refused
 * ```ts
 * import { parseServerConfig } from "./server_config.ts";
 * try {
 *   parseServerConfig({ connectors: { "../x": { localExecutable: "/bin/true" } } });
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e as Error).message.includes("'../x'")) throw e;
 * }
 * ```
 */
export function parseServerConfig(input: unknown, baseDir?: string): ServerConfig {
  const parsed = ServerConfigSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) =>
      `  ${issue.path.length ? `$.${issue.path.join(".")}` : "$"}: ${issue.message}`
    );
    throw new InvalidArgumentError(`Invalid server configuration:\n${lines.join("\n")}`, {
      guidance: "Fix the listed fields of the server's config file (see `airbyte-ts serve --help`).",
    });
  }
  const config = parsed.data;
  const names = Object.keys(config.connectors);
  const bad = names.filter((name) => !CONNECTOR_NAME.test(name));
  if (bad.length) {
    throw new InvalidArgumentError(
      `Invalid connector name${bad.length > 1 ? "s" : ""} in the server configuration: ${
        bad.map((n) => `'${n}'`).join(", ")
      }.`,
      { guidance: "Use letters, digits, '_', '-' and single dots, such as 'source-faker' or 'source-x.v2'." },
    );
  }
  if (names.length === 0) {
    throw new InvalidArgumentError("Cannot serve with an empty allowlist: 'connectors' names no connector.", {
      guidance:
        'Add connectors, e.g. "connectors": { "source-faker": { "pipUrl": "airbyte-source-faker==7.2.1" } }.',
    });
  }
  for (const origin of config.corsOrigins) {
    if (origin !== "null" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new InvalidArgumentError(`Invalid CORS origin '${origin}' in the server configuration.`, {
        guidance: "Give origins as 'scheme://host[:port]' with no path, e.g. 'https://app.example.com'.",
      });
    }
  }
  if (baseDir !== undefined) resolvePaths(config, baseDir);
  return config;
}

/**
 * Read and validate a server configuration file (JSON). Relative paths in it are taken from the
 * file's directory.
 *
 * @param path The config file.
 * @param runtime The runtime to read it with. @default the detected runtime
 * @returns The validated configuration.
 * @throws {InvalidArgumentError} when the file is missing, not JSON, or invalid.
 *
 * @example Load the config next to the program
 * ```ts ignore
 * import { loadServerConfig } from "./server_config.ts";
 * const config = await loadServerConfig("./airbyte-serve.json");
 * console.log(Object.keys(config.connectors));
 * ```
 */
export async function loadServerConfig(path: string, runtime?: Runtime): Promise<ServerConfig> {
  const rt = runtime ?? await getRuntime();
  let text: string;
  try {
    text = await rt.readTextFile(path);
  } catch (error) {
    throw new InvalidArgumentError(`Cannot read the server configuration '${path}'.`, {
      guidance: "Pass the path of an existing JSON file.",
      cause: error,
    });
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(
      `Cannot parse the server configuration '${path}': ${(error as Error).message}.`,
      { guidance: "The file must be one JSON object.", cause: error },
    );
  }
  const absolute = path.startsWith("/") ? path : rt.joinPath(rt.cwd(), path);
  return parseServerConfig(input, absolute.slice(0, absolute.lastIndexOf("/")) || "/");
}

function isRelativePath(value: string): boolean {
  return value.startsWith("./") || value.startsWith("../");
}

function resolve(baseDir: string, value: string): string {
  const parts = `${baseDir}/${value}`.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

function resolvePaths(config: ServerConfig, baseDir: string): void {
  for (const entry of Object.values(config.connectors)) {
    if ("pipUrl" in entry && isRelativePath(entry.pipUrl)) entry.pipUrl = resolve(baseDir, entry.pipUrl);
    if ("localExecutable" in entry) {
      if (isRelativePath(entry.localExecutable)) {
        entry.localExecutable = resolve(baseDir, entry.localExecutable);
      }
      if (entry.cwd !== undefined && !entry.cwd.startsWith("/")) entry.cwd = resolve(baseDir, entry.cwd);
    }
  }
  if (typeof config.logDir === "string" && !config.logDir.startsWith("/")) {
    config.logDir = resolve(baseDir, config.logDir);
  }
}
