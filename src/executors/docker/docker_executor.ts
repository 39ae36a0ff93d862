/**
 * Run a connector image through the Docker Engine HTTP API (Docker, or podman's compatible
 * service): no `docker` CLI, no mounted temp dir. Per run: create a container (no network unless
 * asked, optional memory and CPU limits, nothing secret in its `Env` or `Cmd`), put the config,
 * catalog and state files into it as a tar (0600, owned by the connector's user), attach its
 * streams (stdin too for a destination), start it, stream stdout as it arrives, wait for the exit
 * code, and remove it: after success, failure, an abort or an early `break` alike.
 *
 * @module
 */
import {
  AirbyteError,
  ConnectorInstallError,
  ExecutorUnavailableError,
  InvalidArgumentError,
  SubprocessFailedError,
} from "../../errors.ts";
import { LineSplitter } from "../../protocol/line_splitter.ts";
import { getRuntime } from "../../runtime/detect.ts";
import { logsDir } from "../../runtime/paths.ts";
import type { AppendFile, Runtime } from "../../runtime/runtime.ts";
import type { ExecuteOptions, Executor } from "../executor.ts";
import { StderrTail } from "../_stderr_tail.ts";
import { openRunLog } from "../_run_log.ts";
import { pumpStdinLines } from "../_stdin_pump.ts";
import { containerFiles, type FileOwner, firstFileText, resolveOwner } from "./_container_files.ts";
import { type Attachment, DockerEngine, readText } from "./_engine.ts";
import { FrameDemuxer } from "./_frames.ts";
import { parseDockerHost } from "./engine_address.ts";

/** Seconds a connector gets to exit after SIGTERM (abort, early break) before the engine kills it. */
const DEFAULT_STOP_SECONDS = 2;
/** Tries for putting the files into a container when the engine fails with a 5xx. */
const PUT_ATTEMPTS = 3;
/** Longest stderr line kept; longer ones are skipped. */
const STDERR_MAX_LINE_BYTES = 1024 * 1024;
/** Labels on every container this executor makes (find leftovers with `label=io.airbyte-ts`). */
export const CONTAINER_LABEL = "io.airbyte-ts";
/** `<hostname>:<pid>` of the process that made the container, to find orphans after a hard kill. */
const OWNER_LABEL = `${CONTAINER_LABEL}.owner`;

/**
 * How containers are run; the `docker` option of `getSource`/`getDestination` takes the same.
 *
 * @example A source that needs its API: network on, half a gigabyte, one CPU
 * ```ts
 * import type { DockerRunOptions } from "./docker_executor.ts";
 * const options: DockerRunOptions = { network: true, memory: "512m", cpus: 1 };
 * if (options.network !== true) throw new Error();
 * ```
 */
export interface DockerRunOptions {
  /**
   * The engine: `unix:///path`, `tcp://host:port`, or a socket path.
   * @default the `DOCKER_HOST` environment variable, else `unix:///var/run/docker.sock`
   */
  host?: string;
  /**
   * Networking. `false`: none at all (the container only has loopback); `true`: the engine's
   * default bridge; a string: that network mode or network name (`"host"`, `"my-net"`). A source
   * that calls an API needs it; a destination writing to a mounted directory does not.
   * @default false
   */
  network?: boolean | string;
  /** Memory limit: bytes, or a size such as `"512m"` or `"2g"`. @default no limit */
  memory?: number | string;
  /** CPU limit in CPUs, e.g. `1.5`. @default no limit */
  cpus?: number;
  /**
   * Environment variables for the connector. They are visible in `docker inspect`: never put a
   * secret here (secrets belong in the config, which goes in as a private file).
   */
  env?: Record<string, string>;
  /** Bind mounts, `"/host/dir:/container/dir[:ro]"` (e.g. a directory a destination writes to). */
  binds?: string[];
  /**
   * The command to run instead of the image's `AIRBYTE_ENTRYPOINT` (or, without one, its
   * `ENTRYPOINT`).
   */
  entrypoint?: string[];
  /** Run as this user (`name`, `uid`, `uid:gid`) instead of the image's. */
  user?: string;
  /**
   * Run a tiny init process as PID 1 (`docker run --init`; podman needs `catatonit`) that passes
   * signals on: a connector that is PID 1 ignores SIGTERM, so stopping it early would always wait
   * for the grace period and a SIGKILL.
   * @default true
   */
  init?: boolean;
  /** Pull the image (`POST /images/create`) when the engine does not have it. @default false */
  pull?: boolean;
  /**
   * Seconds between SIGTERM and SIGKILL when a run is cut short (abort, early `break`).
   * @default 2
   */
  stopTimeoutSeconds?: number;
}

/**
 * Options for {@linkcode DockerExecutor}: the image, plus how to run it.
 *
 * @example Faker, with network and a logical name
 * ```ts
 * import type { DockerExecutorOptions } from "./docker_executor.ts";
 * const options: DockerExecutorOptions = { image: "airbyte/source-faker:6.2.0", name: "faker", network: true };
 * if (options.name !== "faker") throw new Error();
 * ```
 */
export interface DockerExecutorOptions extends DockerRunOptions {
  /** The connector image, e.g. `airbyte/source-faker:6.2.0`. */
  image: string;
  /** The connector's name, for logs and errors. @default the image's last path part without tag */
  name?: string;
  /** The runtime whose HTTP client and sockets are used. @default the detected runtime */
  runtime?: Runtime;
  /** Where per-run stderr logs go; `false` keeps none. @default `logsDir(runtime)` */
  logDir?: string | false;
}

/** What the executor needs to know about its image, read once. */
interface ImageFacts {
  id: string;
  /** The entrypoint to set on the container, or `undefined` to keep the image's. */
  entrypoint?: string[];
  user: string;
  workingDir: string;
}

/**
 * Runs a connector image on a Docker engine (or podman) through the Engine HTTP API, in Deno and
 * Node. Its output is the connector's stdout bytes, as they arrive.
 *
 * @example Read a connector's spec from its image
 * ```ts ignore
 * import { DockerExecutor } from "./docker_executor.ts";
 * const faker = new DockerExecutor({ image: "airbyte/source-faker:6.2.0" });
 * const chunks: Uint8Array[] = [];
 * for await (const chunk of faker.execute(["spec"])) chunks.push(chunk);
 * ```
 *
 * @example The label names the mechanism and the image
 * ```ts
 * import { DockerExecutor } from "./docker_executor.ts";
 * const faker = new DockerExecutor({ image: "airbyte/source-faker:6.2.0" });
 * if (faker.name !== "docker:airbyte/source-faker:6.2.0") throw new Error(faker.name);
 * if (faker.connectorName !== "source-faker") throw new Error(faker.connectorName);
 * ```
 */
export class DockerExecutor implements Executor {
  /** `docker:<image>`. */
  readonly name: string;
  /** The connector's name, for logs and errors. */
  readonly connectorName: string;
  /** The image run. */
  readonly image: string;
  readonly #options: DockerExecutorOptions;
  readonly #memory?: number;
  #engine?: Promise<DockerEngine>;
  #facts?: Promise<ImageFacts>;
  #owner?: Promise<FileOwner>;
  #tail = new StderrTail();
  #logFile?: string;

  /**
   * An executor for one image; nothing is contacted until the first run or `ensureInstalled()`.
   *
   * @param options The image and how to run it; see {@linkcode DockerExecutorOptions}.
   * @throws {InvalidArgumentError} for an empty image name or an unreadable memory size.
   */
  constructor(options: DockerExecutorOptions) {
    if (!options.image?.trim()) {
      throw new InvalidArgumentError("A Docker executor needs an image name.", {
        guidance: "Pass `dockerImage`, e.g. 'airbyte/source-faker:6.2.0'.",
      });
    }
    this.#options = options;
    this.image = options.image.trim();
    this.name = `docker:${this.image}`;
    this.connectorName = options.name ?? defaultConnectorName(this.image);
    this.#memory = options.memory === undefined ? undefined : parseMemory(options.memory);
    if (options.cpus !== undefined && !(options.cpus > 0)) {
      throw new InvalidArgumentError(`Invalid CPU limit ${options.cpus}: it must be a positive number.`);
    }
  }

  /** The engine address in use (`unix://...` or `tcp://...`), once the runtime is known. */
  async engineAddress(): Promise<string> {
    return (await this.#getEngine()).address.display;
  }

  /** The last stderr lines of the most recent run, masked, oldest first. */
  lastLogLines(): string[] {
    return this.#tail.lines();
  }

  /** The stderr log file of the most recent run, if one was written. */
  get lastLogFile(): string | undefined {
    return this.#logFile;
  }

  /**
   * Check that the engine answers and has the image, pulling it when `pull` is on. Idempotent.
   *
   * @throws {ExecutorUnavailableError} when the engine cannot be reached.
   * @throws {ConnectorInstallError} when the image is missing (and not pulled) or the pull fails.
   */
  async ensureInstalled(): Promise<void> {
    await this.#imageFacts();
  }

  /**
   * Run the connector in a fresh container and yield its stdout bytes as they arrive.
   *
   * @param args The verb and its arguments, e.g. `["read"]`; the `files` flags are appended.
   * @param options stdin lines, abort signal, private files and a stderr callback.
   * @returns The connector's stdout, chunk by chunk.
   * @throws {SubprocessFailedError} when the connector exits non-zero (with its last log lines).
   * @throws {ExecutorUnavailableError} when the engine cannot be reached or refuses a call.
   * @throws {ConnectorInstallError} when the image is missing.
   */
  async *execute(args: string[], options: ExecuteOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const { signal } = options;
    signal?.throwIfAborted();
    const rt = this.#options.runtime ?? await getRuntime();
    const engine = await this.#getEngine();
    const facts = await this.#imageFacts();
    signal?.throwIfAborted();
    const verb = args[0] ?? "";
    const tail = new StderrTail();
    this.#tail = tail;
    this.#logFile = undefined;
    const withStdin = options.stdin !== undefined;

    let containerId: string | undefined;
    let run: ContainerRun | undefined;
    let exited = false;
    try {
      const files = options.files && Object.keys(options.files).length > 0 ? options.files : undefined;
      const filesParent = facts.workingDir === "/airbyte" || facts.workingDir.startsWith("/airbyte/")
        ? "/airbyte"
        : "/";
      const fileArgs = files ? containerFiles(files, filesParent, { uid: 0, gid: 0 }).args : [];
      await reapOrphans(rt, engine);
      containerId = await this.#create(engine, facts, [...args, ...fileArgs], withStdin, signal);
      if (files) {
        const owner = await this.#fileOwner(engine, facts, containerId);
        const { tar } = containerFiles(files, filesParent, owner);
        await this.#putFiles(engine, containerId, filesParent, tar, signal);
      }
      signal?.throwIfAborted();

      const attachment = await engine.attach(containerId, withStdin);
      const logFile = this.#logPath(rt, containerId);
      this.#logFile = logFile;
      run = new ContainerRun(
        attachment,
        tail,
        options.onStderr,
        logFile ? openRunLog(rt, logFile) : undefined,
      );
      run.stopOn(signal);
      await engine.call("start the container", "POST", `/containers/${containerId}/start`, { signal });
      if (options.stdin) run.pumpStdin(options.stdin);

      for await (const chunk of run.stdout()) {
        signal?.throwIfAborted();
        yield chunk;
      }
      signal?.throwIfAborted();
      const status = await engine.json<{ StatusCode?: number; Error?: { Message?: string } | null }>(
        "wait for the container",
        "POST",
        `/containers/${containerId}/wait`,
        { signal },
      );
      exited = true;
      await run.finishStderr();
      signal?.throwIfAborted();
      if (run.inputError !== undefined) throw run.inputError;
      const code = status?.StatusCode ?? -1;
      if (code !== 0) throw await this.#failure(engine, containerId, verb, code, tail, logFile);
    } finally {
      // Reached on success, failure, abort and when the consumer stops early.
      run?.close();
      if (containerId) await this.#remove(engine, containerId, !exited);
      await run?.closeLog();
    }
  }

  #getEngine(): Promise<DockerEngine> {
    this.#engine ??= (async () => {
      const rt = this.#options.runtime ?? await getRuntime();
      const host = this.#options.host ?? rt.env("DOCKER_HOST");
      return new DockerEngine(rt, parseDockerHost(host));
    })();
    return this.#engine;
  }

  #imageFacts(): Promise<ImageFacts> {
    // A failure (engine down, image missing) is forgotten so that a later call can try again.
    this.#facts ??= this.#inspectImage().catch((error) => {
      this.#facts = undefined;
      throw error;
    });
    return this.#facts;
  }

  async #inspectImage(): Promise<ImageFacts> {
    const engine = await this.#getEngine();
    // Slashes stay as they are, as the docker CLI sends them: `/images/airbyte/source-x:1/json`.
    const path = `/images/${this.image.split("/").map(encodeURIComponent).join("/")}/json`;
    let response = await engine.request("GET", path);
    if (response.status === 404) {
      await response.body.cancel();
      if (!this.#options.pull) throw this.#missingImage(engine);
      await this.#pull(engine);
      response = await engine.request("GET", path);
    }
    const text = await readText(response.body);
    if (response.status === 404) throw this.#missingImage(engine);
    if (response.status >= 400) {
      throw engine.apiError(`inspect the image '${this.image}'`, response.status, text);
    }
    const inspected = JSON.parse(text) as {
      Id: string;
      Config?: { Env?: string[] | null; Entrypoint?: string[] | null; User?: string; WorkingDir?: string };
    };
    const config = inspected.Config ?? {};
    const airbyteEntrypoint = (config.Env ?? []).find((e) => e.startsWith("AIRBYTE_ENTRYPOINT="))
      ?.slice("AIRBYTE_ENTRYPOINT=".length).trim();
    let entrypoint: string[] | undefined = this.#options.entrypoint;
    // Airbyte's convention: AIRBYTE_ENTRYPOINT names the connector command; the image's own
    // ENTRYPOINT is the fallback.
    if (!entrypoint && airbyteEntrypoint) entrypoint = airbyteEntrypoint.split(/\s+/);
    if (!entrypoint && !(config.Entrypoint && config.Entrypoint.length > 0)) {
      throw new ConnectorInstallError(
        `Docker image '${this.image}' has neither an AIRBYTE_ENTRYPOINT variable nor an ENTRYPOINT: ` +
          "there is no connector command to run.",
        {
          guidance: "Use an Airbyte connector image, or pass `docker: { entrypoint: [...] }`.",
          context: { connector: this.connectorName, image: this.image },
        },
      );
    }
    return {
      id: inspected.Id,
      entrypoint,
      user: this.#options.user ?? config.User ?? "",
      workingDir: config.WorkingDir || "/",
    };
  }

  async #pull(engine: DockerEngine): Promise<void> {
    const lastPart = this.image.slice(this.image.lastIndexOf("/") + 1);
    const tagged = lastPart.includes(":") || lastPart.includes("@");
    // Without a tag the API would pull every tag of the repository.
    const query = { fromImage: this.image, tag: tagged ? undefined : "latest" };
    let failure: string | undefined;
    let response;
    try {
      response = await engine.request("POST", "/images/create", { query });
      // Progress arrives as JSON lines; an error can come at any point with status 200.
      const text = await readText(response.body);
      if (response.status >= 400) failure = engineMessageOf(text);
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        try {
          const event = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
          if (event.error || event.errorDetail?.message) failure = event.errorDetail?.message ?? event.error;
        } catch {
          // Not a JSON line: ignore it.
        }
      }
    } catch (error) {
      if (error instanceof AirbyteError) throw error;
      failure = String((error as Error)?.message ?? error);
    }
    if (failure === undefined) return;
    const unreachable =
      /dial tcp|lookup |no such host|connection refused|network is unreachable|i\/o timeout|timeout|TLS handshake|pinging container registry|connect:/i
        .test(failure);
    throw new ConnectorInstallError(
      unreachable
        ? `Cannot pull Docker image '${this.image}': the registry could not be reached (${failure}).`
        : `Cannot pull Docker image '${this.image}': ${failure}.`,
      {
        guidance: unreachable
          ? "Check the engine's network and registry settings, or load the image yourself (docker load / podman load)."
          : "Check the image name and tag, and that the registry allows this engine to pull it.",
        context: { connector: this.connectorName, image: this.image, dockerHost: engine.address.display },
      },
    );
  }

  #missingImage(engine: DockerEngine): ConnectorInstallError {
    return new ConnectorInstallError(
      `Docker image '${this.image}' is not on the engine at ${engine.address.display}.`,
      {
        guidance: `Pull or load it first ('docker pull ${this.image}', 'podman load'), ` +
          "or pass `docker: { pull: true }` to pull it from its registry.",
        context: { connector: this.connectorName, image: this.image, dockerHost: engine.address.display },
      },
    );
  }

  /**
   * The uid/gid that will own the files: the container user, resolved once per executor. Names
   * (and a bare uid's primary group) are looked up in the image's /etc/passwd and /etc/group, read
   * from the created container `id` before it starts.
   */
  #fileOwner(engine: DockerEngine, facts: ImageFacts, id: string): Promise<FileOwner> {
    this.#owner ??= this.#resolveOwner(engine, facts, id).catch((error) => {
      this.#owner = undefined;
      throw error;
    });
    return this.#owner;
  }

  async #resolveOwner(engine: DockerEngine, facts: ImageFacts, id: string): Promise<FileOwner> {
    const needsLookup = !(facts.user === "" || /^\d+:\d+$/.test(facts.user));
    const passwd = needsLookup ? await readContainerFile(engine, id, "/etc/passwd") : undefined;
    const group = needsLookup ? await readContainerFile(engine, id, "/etc/group") : undefined;
    const owner = resolveOwner(facts.user, passwd, group);
    if ("missing" in owner) {
      throw new ConnectorInstallError(
        `Cannot find the ${owner.missing} that image '${this.image}' runs as.`,
        {
          guidance: "Pass `docker: { user: 'uid:gid' }` with numbers.",
          context: { connector: this.connectorName, image: this.image },
        },
      );
    }
    return owner;
  }

  async #create(
    engine: DockerEngine,
    facts: ImageFacts,
    cmd: string[],
    withStdin: boolean,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const o = this.#options;
    const network = o.network === true ? "bridge" : typeof o.network === "string" ? o.network : "none";
    const rt = o.runtime ?? await getRuntime();
    const identity = rt.processIdentity();
    const owner = identity ? `${identity.hostname}:${identity.pid}` : undefined;
    const body: Record<string, unknown> = {
      Image: facts.id,
      Cmd: cmd,
      ...(facts.entrypoint ? { Entrypoint: facts.entrypoint } : {}),
      ...(o.user !== undefined ? { User: o.user } : {}),
      Env: Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: {
        [CONTAINER_LABEL]: "connector",
        [`${CONTAINER_LABEL}.connector`]: this.connectorName,
        ...(owner ? { [OWNER_LABEL]: owner } : {}),
      },
      AttachStdin: withStdin,
      OpenStdin: withStdin,
      StdinOnce: withStdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      HostConfig: {
        NetworkMode: network,
        Init: o.init ?? true,
        ...(this.#memory !== undefined ? { Memory: this.#memory } : {}),
        ...(o.cpus !== undefined ? { NanoCpus: Math.round(o.cpus * 1e9) } : {}),
        ...(o.binds?.length ? { Binds: o.binds } : {}),
        // Output is read through attach; a log copy would only fill the engine's disk.
        LogConfig: { Type: "none", Config: {} },
      },
    };
    const name = `airbyte-ts-${this.connectorName.replace(/[^A-Za-z0-9_.-]/g, "_")}-${randomSuffix()}`;
    const response = await engine.request("POST", "/containers/create", {
      query: { name },
      json: body,
      signal,
    });
    const text = await readText(response.body);
    if (response.status === 404) throw this.#missingImage(engine);
    if (response.status >= 400) {
      const error = engine.apiError("create a container", response.status, text);
      if ((o.init ?? true) && /\binit\b|catatonit|docker-init/i.test(text)) {
        throw new ExecutorUnavailableError(error.message, {
          guidance: "The engine has no init binary: install it (podman: the 'catatonit' package) " +
            "or pass `docker: { init: false }`.",
          context: error.context,
        });
      }
      throw error;
    }
    return (JSON.parse(text) as { Id: string }).Id;
  }

  async #putFiles(
    engine: DockerEngine,
    id: string,
    parent: string,
    tar: Uint8Array,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    for (let attempt = 1;; attempt++) {
      try {
        await engine.call(
          `put the connector's files into '${parent}' in the container`,
          "PUT",
          `/containers/${id}/archive`,
          { query: { path: parent }, body: { bytes: tar, contentType: "application/x-tar" }, signal },
        );
        return;
      } catch (error) {
        // podman extracts through a helper process, which now and then loses its input pipe under
        // load ("passing bulk input to subprocess: write |1: broken pipe", HTTP 500). Extracting
        // the same tar again is harmless.
        const status = (error as ExecutorUnavailableError).context?.status as number | undefined;
        if (attempt >= PUT_ATTEMPTS || status === undefined || status < 500 || signal?.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /** Stop (SIGTERM, then SIGKILL after the grace period) if still running, then remove. Never throws. */
  async #remove(engine: DockerEngine, id: string, running: boolean): Promise<void> {
    try {
      if (running) {
        const seconds = this.#options.stopTimeoutSeconds ?? DEFAULT_STOP_SECONDS;
        await engine.call("stop the container", "POST", `/containers/${id}/stop`, {
          query: { t: seconds },
          allow404: true,
        });
      }
    } catch {
      // Removal below kills it anyway.
    }
    try {
      await engine.call("remove the container", "DELETE", `/containers/${id}`, {
        query: { force: true, v: true },
        allow404: true,
      });
    } catch {
      // The engine went away; nothing more can be done from here.
    }
  }

  async #failure(
    engine: DockerEngine,
    id: string,
    verb: string,
    code: number,
    tail: StderrTail,
    logFile: string | undefined,
  ): Promise<SubprocessFailedError> {
    let oom = false;
    try {
      const state = await engine.json<{ State?: { OOMKilled?: boolean } }>(
        "inspect",
        "GET",
        `/containers/${id}/json`,
      );
      oom = state?.State?.OOMKilled === true;
    } catch {
      // The exit code alone still tells the story.
    }
    // Not every engine flags OOM kills (podman 4.3 does not): a SIGKILL (137) under a memory
    // limit is named as the likely cause either way.
    const limit = this.#options.memory;
    const likelyOom = !oom && code === 137 && limit !== undefined;
    const how = oom
      ? `was killed for running out of memory (limit ${limit})`
      : code === 137
      ? `was killed (exit code 137, SIGKILL)${
        likelyOom ? `, most likely for exceeding its memory limit of ${limit}` : ""
      }`
      : `exited with code ${code}`;
    return new SubprocessFailedError(
      `Connector '${this.connectorName}' (image '${this.image}') ${how} while running '${verb}'.`,
      {
        guidance: oom || likelyOom
          ? "Raise `docker: { memory }`."
          : logFile
          ? `The full stderr of this run is in '${logFile}'.`
          : undefined,
        context: {
          connector: this.connectorName,
          image: this.image,
          exitCode: code,
          oomKilled: oom || undefined,
          logTail: tail.lines(),
          logFile,
        },
      },
    );
  }

  #logPath(rt: Runtime, containerId: string): string | undefined {
    if (this.#options.logDir === false) return undefined;
    const dir = this.#options.logDir ?? logsDir(rt);
    const stamp = new Date().toISOString().replace(/:/g, "-");
    const safeName = this.connectorName.replace(/[^A-Za-z0-9_.-]/g, "_");
    return rt.joinPath(dir, `${safeName}-${stamp}-${containerId.slice(0, 12)}.log`);
  }
}

/**
 * The moving parts of one attached run: the demultiplexed output, the stderr drain, the stdin
 * pump, and the abort hook.
 */
class ContainerRun {
  readonly #attachment: Attachment;
  readonly #tail: StderrTail;
  readonly #onStderr?: (line: string) => void;
  readonly #log: Promise<AppendFile | undefined> | undefined;
  readonly #demuxer = new FrameDemuxer();
  readonly #stderrLines = new LineSplitter({
    maxLineBytes: STDERR_MAX_LINE_BYTES,
    onOversizedLine: (info) => this.#tail.push(`(skipped a stderr line of ${info.bytes} bytes)`),
  });
  #closed = false;
  #unhookAbort?: () => void;
  #logWrites: string[] = [];
  /** An error thrown by the stdin source (not a failed write): it ends the run. */
  inputError: unknown = undefined;

  constructor(
    attachment: Attachment,
    tail: StderrTail,
    onStderr: ((line: string) => void) | undefined,
    log: Promise<AppendFile | undefined> | undefined,
  ) {
    this.#attachment = attachment;
    this.#tail = tail;
    this.#onStderr = onStderr;
    this.#log = log;
  }

  /** stdout, as the chunks read carry it; stderr goes to the tail on the way. */
  async *stdout(): AsyncGenerator<Uint8Array, void, undefined> {
    const first = this.#take(this.#demuxer.push(this.#attachment.head));
    if (first) yield first;
    const reader = this.#attachment.reader;
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (this.#closed) return;
        throw error;
      }
      if (result.done) break;
      const out = this.#take(this.#demuxer.push(result.value));
      if (out) yield out;
    }
    const last = this.#take(this.#demuxer.end());
    if (last) yield last;
  }

  /** Route stderr pieces to the tail; return stdout pieces as one chunk (copied only when split). */
  #take(parts: { stdout: Uint8Array[]; stderr: Uint8Array[] }): Uint8Array | undefined {
    for (const piece of parts.stderr) {
      for (const raw of this.#stderrLines.push(piece)) this.#stderrLine(raw);
    }
    const { stdout } = parts;
    if (stdout.length === 0) return undefined;
    if (stdout.length === 1) return stdout[0];
    const out = new Uint8Array(stdout.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const piece of stdout) {
      out.set(piece, offset);
      offset += piece.length;
    }
    return out;
  }

  #stderrLine(raw: string): void {
    const line = this.#tail.push(raw);
    if (this.#log) this.#logWrites.push(line + "\n");
    try {
      this.#onStderr?.(line);
    } catch {
      // A faulty callback must not stop the output.
    }
  }

  /** The output has ended: the last stderr line without a newline still counts. */
  async finishStderr(): Promise<void> {
    for (const raw of this.#stderrLines.flush()) this.#stderrLine(raw);
    await this.#flushLog();
  }

  /** Write `source` lines to the container's stdin while stdout is read. */
  pumpStdin(source: AsyncIterable<string>): void {
    void pumpStdinLines(source, this.#attachment.connection.writable.getWriter(), {
      stopped: () => this.#closed,
      onSourceError: (error) => {
        this.inputError = error;
        this.close();
      },
    });
  }

  /** Cut the run short when `signal` aborts: the read ends at once; removal stops the container. */
  stopOn(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = () => this.close();
    signal.addEventListener("abort", onAbort, { once: true });
    this.#unhookAbort = () => signal.removeEventListener("abort", onAbort);
    if (signal.aborted) onAbort();
  }

  /** Close the connection (idempotent); a pending read ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unhookAbort?.();
    this.#attachment.reader.cancel().catch(() => {});
    this.#attachment.connection.close();
  }

  /** Write what is left to the log file and close it. */
  async closeLog(): Promise<void> {
    await this.#flushLog();
    const log = await this.#log;
    await log?.close().catch(() => {});
  }

  async #flushLog(): Promise<void> {
    if (!this.#log || this.#logWrites.length === 0) return;
    const log = await this.#log;
    log?.write(this.#logWrites.join(""));
    this.#logWrites = [];
  }
}

/** Engines already swept for orphans by this process. */
const sweptEngines = new Map<string, Promise<void>>();

/**
 * Remove containers this library made from a process on this machine that no longer runs: a
 * process killed outright (SIGKILL, an unhandled SIGTERM) never reaches its cleanup, and its
 * container would run on. Once per engine per process; failures are ignored (best effort).
 */
function reapOrphans(rt: Runtime, engine: DockerEngine): Promise<void> {
  const key = engine.address.display;
  let sweep = sweptEngines.get(key);
  if (!sweep) {
    sweep = (async () => {
      const me = rt.processIdentity();
      if (!me) return;
      const filters = JSON.stringify({ label: [OWNER_LABEL] });
      const containers = await engine.json<{ Id: string; Labels?: Record<string, string> }[]>(
        "list containers",
        "GET",
        "/containers/json",
        { query: { all: true, filters } },
      );
      for (const container of containers ?? []) {
        const [host, pid] = (container.Labels?.[OWNER_LABEL] ?? "").split(":");
        if (host !== me.hostname || !pid || Number(pid) === me.pid || rt.processAlive(Number(pid))) continue;
        await engine.call("remove an orphaned container", "DELETE", `/containers/${container.Id}`, {
          query: { force: true, v: true },
          allow404: true,
        });
      }
    })().catch(() => {});
    sweptEngines.set(key, sweep);
  }
  return sweep;
}

async function readContainerFile(
  engine: DockerEngine,
  id: string,
  path: string,
): Promise<string | undefined> {
  const response = await engine.request("GET", `/containers/${id}/archive`, { query: { path } });
  if (response.status !== 200) {
    await response.body.cancel();
    return undefined;
  }
  return firstFileText(new Uint8Array(await new Response(response.body).arrayBuffer()));
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function engineMessageOf(text: string): string {
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed?.message === "string") return parsed.message;
  } catch {
    // Not JSON.
  }
  return text.trim().slice(0, 500);
}

/** `airbyte/source-faker:6.2.0` → `source-faker`. */
function defaultConnectorName(image: string): string {
  const withoutDigest = image.split("@")[0];
  const last = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  return last.split(":")[0] || image;
}

/**
 * A memory size in bytes: a number, or `"512m"`, `"2g"`, `"1.5GiB"`, `"800k"` (powers of 1024,
 * as `docker run --memory` reads them).
 */
export function parseMemory(value: number | string): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value > 0) return Math.round(value);
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
    if (match) {
      const power = " kmgt".indexOf(match[2].toLowerCase() || " ");
      const bytes = Math.round(Number(match[1]) * 1024 ** power);
      if (bytes > 0) return bytes;
    }
  }
  throw new InvalidArgumentError(`Invalid memory limit '${value}'.`, {
    guidance: "Give bytes (536870912) or a size such as '512m' or '2g'.",
  });
}
