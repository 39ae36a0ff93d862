/**
 * Install a Python connector with pip into its own venv (`<home>/venvs/<name>`), then run it as
 * a subprocess. A marker file records what was installed, so a second run starts at once; a lock
 * directory keeps parallel processes from installing into the same venv at the same time.
 *
 * @module
 */
import { AirbyteError, ConnectorInstallError } from "../errors.ts";
import { maskSecrets, redactUrlCredentials, registerUrlCredentials } from "../secrets.ts";
import { getRuntime } from "../runtime/detect.ts";
import { airbyteHome } from "../runtime/paths.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { ExecuteOptions, Executor } from "./executor.ts";
import { SubprocessExecutor } from "./subprocess.ts";
import { assertConnectorName } from "./connector_name.ts";

/** The marker file inside a venv: what was installed there, and when. */
const MARKER_FILE = ".airbyte-ts.json";
/** Lines of pip output kept in an install error. */
const PIP_TAIL_LINES = 20;
/** The lock holder rewrites its lock file this often... */
const LOCK_HEARTBEAT_MS = 5_000;
/** ...so a lock not refreshed for this long belongs to a process that died. */
const LOCK_STALE_MS = 60_000;
/** How long to wait for another process's install before giving up. */
const LOCK_WAIT_MS = 30 * 60_000;
const LOCK_POLL_MS = 250;

/**
 * Options for {@linkcode VenvExecutor}.
 *
 * @example faker 7.2.1 from PyPI
 * ```ts
 * import type { VenvExecutorOptions } from "./venv.ts";
 * const options: VenvExecutorOptions = { name: "source-faker", pipUrl: "airbyte-source-faker==7.2.1" };
 * if (options.name !== "source-faker") throw new Error();
 * ```
 */
export interface VenvExecutorOptions {
  /** The connector name; also the venv directory's name, e.g. `source-faker`. */
  name: string;
  /** What to `pip install`: a requirement (`airbyte-source-faker==7.2.1`) or a local project directory. */
  pipUrl: string;
  /** The console script to run, inside the venv's `bin/`. @default the connector name */
  entrypoint?: string;
  /** The Python that creates the venv. @default "python3" */
  python?: string;
  /** The airbyte-ts home holding `venvs/` and `logs/`. @default `airbyteHome(runtime)` */
  home?: string;
  /** Install when missing or outdated; with `false`, a missing install is an error. @default true */
  install?: boolean;
  /** Environment variables added for the connector process. */
  env?: Record<string, string>;
  /** The runtime to use. @default the detected runtime */
  runtime?: Runtime;
  /**
   * `pip install` argument lists run in order instead of the single `[pipUrl]`. For connectors whose
   * published metadata cannot resolve (airbyte-source-file 0.6.0 pins a `smart-open` release that
   * does not exist): install it with `--no-deps`, then its real dependencies.
   * @default [[pipUrl]]
   */
  installSteps?: string[][];
}

/** What {@linkcode VenvExecutor} writes to `<venv>/.airbyte-ts.json`. */
interface InstallMarker {
  /** The pip URL, URL credentials masked. */
  pipUrl: string;
  /** SHA-256 of what was installed (pip URL and steps): compared without keeping credentials on disk. */
  installKey?: string;
  installedAt: string;
}

/**
 * Runs a Python connector from an isolated venv, pip-installing it on first use.
 *
 * @example Install a connector and read its spec
 * ```ts ignore
 * import { VenvExecutor } from "./venv.ts";
 * import { splitLines } from "../protocol/line_splitter.ts";
 * const faker = new VenvExecutor({ name: "source-faker", pipUrl: "airbyte-source-faker==7.2.1" });
 * await faker.ensureInstalled();
 * for await (const line of splitLines(faker.execute(["spec"]))) console.log(line);
 * ```
 *
 * @example The label names the mechanism and the connector
 * ```ts
 * import { VenvExecutor } from "./venv.ts";
 * const faker = new VenvExecutor({ name: "source-faker", pipUrl: "airbyte-source-faker==7.2.1" });
 * if (faker.name !== "venv:source-faker") throw new Error(faker.name);
 * ```
 */
export class VenvExecutor implements Executor {
  /** `venv:<connector name>`. */
  readonly name: string;
  /** The connector name. */
  readonly connectorName: string;
  /** The requirement or local path that pip installs. */
  readonly pipUrl: string;
  readonly #entrypoint: string;
  readonly #python: string;
  readonly #home?: string;
  readonly #install: boolean;
  readonly #env?: Record<string, string>;
  readonly #runtime?: Runtime;
  readonly #steps: string[][];
  /** What the marker records: the pip URL, plus the steps when they are not the default. */
  readonly #installKey: string;
  #installing?: Promise<SubprocessExecutor>;
  #subprocess?: SubprocessExecutor;

  /**
   * Describe the connector's venv; nothing is installed until `ensureInstalled` or `execute`.
   *
   * @param options The connector, what to install and where; see {@linkcode VenvExecutorOptions}.
   */
  constructor(options: VenvExecutorOptions) {
    assertConnectorName(options.name);
    if (options.entrypoint !== undefined) assertConnectorName(options.entrypoint, "entrypoint");
    // `https://user:TOKEN@host/…` requirements: the token is masked wherever it could show.
    registerUrlCredentials(options.pipUrl);
    for (const step of options.installSteps ?? []) for (const arg of step) registerUrlCredentials(arg);
    this.connectorName = options.name;
    this.name = `venv:${options.name}`;
    this.pipUrl = options.pipUrl;
    this.#entrypoint = options.entrypoint ?? options.name;
    this.#python = options.python ?? "python3";
    this.#home = options.home;
    this.#install = options.install ?? true;
    this.#env = options.env;
    this.#runtime = options.runtime;
    this.#steps = options.installSteps ?? [[options.pipUrl]];
    this.#installKey = options.installSteps
      ? `${options.pipUrl} ${JSON.stringify(options.installSteps)}`
      : options.pipUrl;
  }

  /**
   * Make sure the venv exists and holds `pipUrl`. Fast when the marker says it is already there;
   * safe to call from parallel processes.
   *
   * @throws {ConnectorInstallError} when the venv cannot be created or pip fails.
   */
  async ensureInstalled(): Promise<void> {
    await this.#ready();
  }

  /** The last stderr lines of the most recent run, masked. */
  lastLogLines(): string[] {
    return this.#subprocess?.lastLogLines() ?? [];
  }

  /**
   * Install if needed, then run the connector and yield its stdout bytes as they are read.
   *
   * @param args The verb and its arguments, e.g. `["read"]`.
   * @param options stdin lines, abort signal, private files, stderr callback.
   * @returns The connector's stdout, chunk by chunk.
   */
  async *execute(args: string[], options: ExecuteOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const subprocess = await this.#ready();
    yield* subprocess.execute(args, options);
  }

  #ready(): Promise<SubprocessExecutor> {
    // A failed attempt is forgotten so that a later call can try again.
    this.#installing ??= this.#installOnce().catch((error) => {
      this.#installing = undefined;
      throw error;
    });
    return this.#installing;
  }

  async #installOnce(): Promise<SubprocessExecutor> {
    const rt = this.#runtime ?? await getRuntime();
    const home = this.#home ?? airbyteHome(rt);
    const venv = rt.joinPath(home, "venvs", this.connectorName);
    const binary = rt.joinPath(venv, "bin", this.#entrypoint);
    if (!(await this.#isCurrent(rt, venv, binary))) {
      if (!this.#install) {
        throw new ConnectorInstallError(
          `Cannot run '${this.connectorName}': it is not installed in '${venv}' and installing is turned off.`,
          {
            guidance: "Pass 'install: true' (the default), or install it yourself into that venv.",
            context: { connector: this.connectorName, pipUrl: this.#shownPipUrl },
          },
        );
      }
      await rt.mkdir(rt.joinPath(home, "venvs"));
      const release = await acquireLock(rt, `${venv}.lock`, this.connectorName);
      try {
        // Another process may have finished the same install while we waited for the lock.
        if (!(await this.#isCurrent(rt, venv, binary))) await this.#installInto(rt, venv, binary, home);
      } finally {
        await release();
      }
    }
    this.#subprocess = new SubprocessExecutor({
      command: binary,
      name: this.connectorName,
      env: this.#env,
      runtime: rt,
      logDir: rt.joinPath(home, "logs"),
    });
    return this.#subprocess;
  }

  /** Is `pipUrl` installed (marker matches, entry point present, local project unchanged)? */
  async #isCurrent(rt: Runtime, venv: string, binary: string): Promise<boolean> {
    const markerPath = rt.joinPath(venv, MARKER_FILE);
    let marker: InstallMarker;
    try {
      marker = JSON.parse(await rt.readTextFile(markerPath));
    } catch {
      return false;
    }
    // Markers written before installKey existed hold the pip URL itself.
    const same = marker.installKey !== undefined
      ? marker.installKey === await sha256(this.#installKey)
      : marker.pipUrl === this.#installKey;
    if (!same || !(await rt.exists(binary))) return false;
    if (await isLocalProject(rt, this.pipUrl)) return !(await hasFilesNewerThan(rt, this.pipUrl, markerPath));
    return true;
  }

  async #installInto(rt: Runtime, venv: string, binary: string, home: string): Promise<void> {
    const python = rt.joinPath(venv, "bin", "python");
    if (!(await rt.exists(python))) {
      const created = await runTool(rt, this.#python, ["-m", "venv", venv], this.connectorName);
      if (created.code !== 0) {
        throw new ConnectorInstallError(
          `Cannot create a Python venv for '${this.connectorName}' at '${venv}' with '${this.#python}'.`,
          {
            guidance: "Install Python 3.10+ with its venv module (e.g. 'apt-get install python3-venv'), " +
              "or pass 'python' with the interpreter to use.",
            context: { connector: this.connectorName, exitCode: created.code, logTail: tailOf(created) },
          },
        );
      }
    }
    // A failed upgrade must not leave the old marker vouching for a half-changed venv.
    await rt.remove(rt.joinPath(venv, MARKER_FILE));
    for (const step of this.#steps) await this.#pipInstall(rt, python, step, home);
    if (!(await rt.exists(binary))) {
      throw new ConnectorInstallError(
        `Cannot run '${this.connectorName}': 'pip install ${this.#shownPipUrl}' worked but installed no '${this.#entrypoint}' command.`,
        {
          guidance: `Pass 'entrypoint' with the name of the package's console script (see '${venv}/bin').`,
          context: { connector: this.connectorName, pipUrl: this.#shownPipUrl },
        },
      );
    }
    const marker: InstallMarker = {
      pipUrl: this.#shownPipUrl,
      installKey: await sha256(this.#installKey),
      installedAt: new Date().toISOString(),
    };
    await rt.writeTextFile(rt.joinPath(venv, MARKER_FILE), JSON.stringify(marker, null, 2) + "\n");
  }

  /** The pip URL as messages show it: URL credentials masked. */
  get #shownPipUrl(): string {
    return redactUrlCredentials(this.pipUrl);
  }

  async #pipInstall(rt: Runtime, python: string, step: string[], home: string): Promise<void> {
    const pip = await runTool(
      rt,
      python,
      ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", ...step],
      this.connectorName,
    );
    if (pip.code !== 0) {
      const logFile = await saveLog(rt, rt.joinPath(home, "logs"), `${this.connectorName}-pip`, pip);
      throw new ConnectorInstallError(
        `Cannot install '${this.connectorName}': 'pip install ${
          redactUrlCredentials(step.join(" "))
        }' failed with exit code ${pip.code}.`,
        {
          guidance:
            "Check that the requirement names a package on PyPI (and a version that exists), or a local " +
            "directory with a pyproject.toml, and that PyPI is reachable." +
            (logFile ? ` pip's full output is in '${logFile}'.` : ""),
          context: {
            connector: this.connectorName,
            pipUrl: this.#shownPipUrl,
            exitCode: pip.code,
            logTail: tailOf(pip),
            logFile,
          },
        },
      );
    }
  }
}

type ToolResult = { code: number | null; stdout: string; stderr: string };

/** Run an install tool; a missing interpreter becomes a `ConnectorInstallError`. */
async function runTool(rt: Runtime, command: string, args: string[], connector: string): Promise<ToolResult> {
  try {
    return await rt.run(command, args);
  } catch (error) {
    if (error instanceof AirbyteError) throw error;
    throw new ConnectorInstallError(`Cannot install '${connector}': cannot run '${command}'.`, {
      guidance: "Install Python 3.10+ (with venv and pip), or pass 'python' with the interpreter to use.",
      context: { connector },
      cause: error,
    });
  }
}

function tailOf(result: ToolResult): string[] {
  const lines = shownOutput(result).split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
  return lines.slice(-PIP_TAIL_LINES);
}

/** A tool's output as logs and errors show it: secrets and URL credentials masked. */
function shownOutput(result: ToolResult): string {
  return redactUrlCredentials(maskSecrets(`${result.stdout}\n${result.stderr}`));
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function saveLog(
  rt: Runtime,
  dir: string,
  label: string,
  result: ToolResult,
): Promise<string | undefined> {
  try {
    await rt.mkdir(dir);
    const path = rt.joinPath(dir, `${label}-${new Date().toISOString().replace(/:/g, "-")}.log`);
    await rt.writeTextFile(path, shownOutput(result), { mode: 0o600 });
    return path;
  } catch {
    return undefined;
  }
}

/** A `pipUrl` naming a directory on disk (a project with a pyproject.toml), not a requirement. */
async function isLocalProject(rt: Runtime, pipUrl: string): Promise<boolean> {
  if (!pipUrl.includes("/")) return false;
  return await rt.exists(rt.joinPath(pipUrl, "pyproject.toml")).catch(() => false);
}

/** Did anything in the project change since it was installed? */
async function hasFilesNewerThan(rt: Runtime, dir: string, reference: string): Promise<boolean> {
  const found = await rt.run("find", [
    dir,
    "-type",
    "f",
    "-newer",
    reference,
    "-not",
    "-path",
    "*/__pycache__/*",
    "-print",
    "-quit",
  ]).catch(() => undefined);
  // Without `find` we cannot tell: reinstall, which is correct, only slower.
  return !found || found.code !== 0 || found.stdout.trim() !== "";
}

/**
 * Take the install lock `<venv>.lock`: a directory (creating one is atomic) holding a file the
 * owner refreshes every few seconds. A lock left unrefreshed for a minute belongs to a process
 * that died, and is taken over.
 *
 * @returns A function that releases the lock.
 */
async function acquireLock(rt: Runtime, lockDir: string, connector: string): Promise<() => Promise<void>> {
  const ownerFile = rt.joinPath(lockDir, "owner.json");
  const token = crypto.randomUUID();
  const stamp = () => JSON.stringify({ token, refreshedAt: Date.now() });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let ownerMissingSince: number | undefined;
  for (;;) {
    // `mkdir` without -p fails when the directory exists: the one atomic step available here.
    const made = await rt.run("mkdir", [lockDir]);
    if (made.code === 0) {
      await rt.writeTextFile(ownerFile, stamp());
      const heartbeat = setInterval(
        () => void rt.writeTextFile(ownerFile, stamp()).catch(() => {}),
        LOCK_HEARTBEAT_MS,
      );
      return async () => {
        clearInterval(heartbeat);
        await rt.remove(lockDir);
      };
    }
    const owner = await readOwner(rt, ownerFile);
    // No owner file: its owner is between `mkdir` and writing it, or died right there.
    if (owner === undefined) ownerMissingSince ??= Date.now();
    else ownerMissingSince = undefined;
    const staleSince = owner?.refreshedAt ?? ownerMissingSince!;
    if (Date.now() - staleSince > LOCK_STALE_MS) {
      // Only break the lock we judged stale, not one a faster waiter has just taken.
      if ((await readOwner(rt, ownerFile))?.token === owner?.token) await rt.remove(lockDir);
      ownerMissingSince = undefined;
      continue;
    }
    if (Date.now() > deadline) {
      throw new ConnectorInstallError(
        `Cannot install '${connector}': another process has held the install lock '${lockDir}' for too long.`,
        {
          guidance:
            `If no other airbyte-ts process is installing '${connector}', remove '${lockDir}' and retry.`,
          context: { connector },
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

async function readOwner(
  rt: Runtime,
  ownerFile: string,
): Promise<{ token: string; refreshedAt: number } | undefined> {
  try {
    return JSON.parse(await rt.readTextFile(ownerFile));
  } catch {
    return undefined;
  }
}
