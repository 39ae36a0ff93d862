/**
 * `RemoteExecutor`: run a connector on an `airbyte-ts serve` server, over HTTP, with `fetch` and
 * web streams only, so it works in Deno, Node, browsers and edge runtimes (Cloudflare Workers)
 * that cannot start processes themselves.
 *
 * @module
 */
import {
  AirbyteError,
  ExecutorUnavailableError,
  InvalidArgumentError,
  RemoteRefusedError,
} from "../../errors.ts";
import { detectRuntimeKey } from "../../runtime/detect.ts";
import type { ExecuteOptions, Executor } from "../executor.ts";
import { RunBody } from "./_run_body.ts";
import {
  errorFromWire,
  FILE_FIELDS,
  INPUT_MODE_HEADER,
  isWireError,
  LAST_HEADER,
  SEQ_HEADER,
  type Verb,
  VERBS,
} from "./_wire.ts";

/**
 * How `write` input reaches the server: `stream` (one streamed request body), `chunks` (a series
 * of posts, for browsers) or `auto`.
 *
 * @example Force chunks, e.g. behind a proxy that buffers request bodies
 * ```ts
 * import type { UploadMode } from "./remote_executor.ts";
 * const upload: UploadMode = "chunks";
 * if (upload !== "chunks") throw new Error();
 * ```
 */
export type UploadMode = "auto" | "stream" | "chunks";

/**
 * Options for {@linkcode RemoteExecutor}.
 *
 * @example A server, its token and a connector
 * ```ts
 * import type { RemoteExecutorOptions } from "./remote_executor.ts";
 * const options: RemoteExecutorOptions = { url: "http://127.0.0.1:8787", token: "…", connector: "source-faker" };
 * if (options.connector !== "source-faker") throw new Error();
 * ```
 */
export interface RemoteExecutorOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** The server's bearer token. Keep it out of URLs, logs and source code. */
  token: string;
  /** The connector's name in the server's allowlist, e.g. `source-faker`. */
  connector: string;
  /**
   * How `write` sends its input: `stream` as one streamed request body (Deno, Node, Workers),
   * `chunks` as a series of posts (browsers, which cannot stream uploads over HTTP/1.1).
   * @default "auto" (chunks in browsers, stream elsewhere)
   */
  upload?: UploadMode;
  /** Attempts for spec, check and discover on transient network errors. @default 3 */
  attempts?: number;
  /** The first retry's delay; each further one doubles it. @default 250 */
  retryDelayMs?: number;
  /** Largest input chunk in `chunks` mode, in bytes. @default 1 MiB */
  chunkBytes?: number;
  /** The fetch to use (a Worker's service binding, a proxy-aware fetch). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Verbs whose runs change nothing, so a run that failed in transit can simply run again. */
const IDEMPOTENT = new Set<Verb>(["spec", "check", "discover"]);
const encoder = new TextEncoder();

/**
 * Runs a connector on a remote executor server. Its stdout streams back as it is produced (no
 * whole-response buffering for reads); aborting, or stopping the iteration early, ends the
 * connector on the server. `spec`, `check` and `discover` are retried on transient network
 * errors; `read` and `write` never are. A failed run throws the same typed error a local run
 * would (`SubprocessFailedError` with the exit code and log tail, ...), and a refusal (token,
 * allowlist, limits) throws `RemoteRefusedError` with the HTTP status and what to change.
 *
 * @example Read faker's spec through a server
 * ```ts ignore
 * import { RemoteExecutor } from "../../../mod.ts";
 * const executor = new RemoteExecutor({ url: "http://127.0.0.1:8787", token: "…", connector: "source-faker" });
 * for await (const chunk of executor.execute(["spec"])) console.log(new TextDecoder().decode(chunk));
 * ```
 *
 * @example The label names the server and the connector
 * ```ts
 * import { RemoteExecutor } from "./remote_executor.ts";
 * const executor = new RemoteExecutor({ url: "http://127.0.0.1:8787/", token: "t", connector: "source-faker" });
 * if (executor.name !== "remote:source-faker@127.0.0.1:8787") throw new Error(executor.name);
 * ```
 */
export class RemoteExecutor implements Executor {
  /** `remote:<connector>@<host>`. */
  readonly name: string;
  /** The connector's name on the server. */
  readonly connector: string;
  readonly #base: URL;
  readonly #token: string;
  readonly #upload: UploadMode;
  readonly #attempts: number;
  readonly #retryDelayMs: number;
  readonly #chunkBytes: number;
  readonly #fetch: typeof fetch;
  #logTail: string[] = [];

  /**
   * An executor for one connector on an `airbyte-ts serve` server; nothing is sent until the first run.
   *
   * @param options The server, its token and the connector; see {@linkcode RemoteExecutorOptions}.
   * @throws {InvalidArgumentError} when the URL is not http(s) or the token is missing.
   */
  constructor(options: RemoteExecutorOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      base = new URL("invalid:");
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new InvalidArgumentError(`Cannot use '${options.url}' as a remote executor URL.`, {
        guidance: "Give the server's http(s) base URL, e.g. 'http://127.0.0.1:8787'.",
      });
    }
    if (!options.token) {
      throw new InvalidArgumentError(`Cannot call the remote executor at '${base.host}' without a token.`, {
        guidance: "Pass `remote: { url, token }` with the token the server was started with.",
      });
    }
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    this.#base = base;
    this.#token = options.token;
    this.connector = options.connector;
    this.name = `remote:${options.connector}@${base.host}`;
    this.#upload = options.upload ?? "auto";
    this.#attempts = Math.max(1, options.attempts ?? 3);
    this.#retryDelayMs = options.retryDelayMs ?? 250;
    this.#chunkBytes = options.chunkBytes ?? 1024 * 1024;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The connector's last stderr lines of the most recent run, as the server sent them (masked). */
  lastLogLines(): string[] {
    return [...this.#logTail];
  }

  /**
   * Run `args[0]` on the server and yield the connector's stdout bytes as they arrive.
   *
   * @param args `[verb]`; config, catalog and state come as `options.files`.
   * @param options Files, stdin lines (`write`), abort signal.
   * @returns The connector's stdout, chunk by chunk.
   * @throws {RemoteRefusedError} when the server refuses the run or ends it for a limit.
   * @throws {SubprocessFailedError} when the connector exits non-zero on the server.
   */
  async *execute(
    args: string[],
    options: ExecuteOptions = {},
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const verb = this.#verbOf(args);
    const head = this.#runRequest(options.files ?? {});
    options.signal?.throwIfAborted();
    if (!IDEMPOTENT.has(verb)) {
      yield* this.#run(verb, head, options);
      return;
    }
    // Small outputs, run again on a transient failure: gathered, and passed on once complete.
    for (let attempt = 1;; attempt++) {
      const chunks: Uint8Array[] = [];
      try {
        for await (const chunk of this.#run(verb, head, options)) chunks.push(chunk);
      } catch (error) {
        if (attempt >= this.#attempts || !isTransient(error) || options.signal?.aborted) throw error;
        await sleep(this.#retryDelayMs * 2 ** (attempt - 1), options.signal);
        continue;
      }
      yield* chunks;
      return;
    }
  }

  #verbOf(args: string[]): Verb {
    const [verb, ...extra] = args;
    if (!VERBS.includes(verb as Verb) || extra.length) {
      throw new InvalidArgumentError(
        `Cannot run '${args.join(" ")}' on a remote executor: it runs one verb, with files for its inputs.`,
        {
          guidance: `Use one of ${
            VERBS.map((v) => `'${v}'`).join(", ")
          }, with config/catalog/state as files.`,
        },
      );
    }
    return verb as Verb;
  }

  /** The run request's JSON text, built from the file contents (already JSON) without re-parsing. */
  #runRequest(files: Record<string, string>): string {
    const fields: string[] = [];
    for (const [flag, content] of Object.entries(files)) {
      const field = (Object.keys(FILE_FIELDS) as (keyof typeof FILE_FIELDS)[]).find((k) =>
        FILE_FIELDS[k] === flag
      );
      if (!field) {
        throw new InvalidArgumentError(`Cannot send '${flag}' to a remote executor.`, {
          guidance: "A remote run takes '--config', '--catalog' and '--state' only.",
        });
      }
      fields.push(`${JSON.stringify(field)}:${content}`);
    }
    return `{${fields.join(",")}}`;
  }

  async *#run(
    verb: Verb,
    head: string,
    options: ExecuteOptions,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    this.#logTail = [];
    const controller = new AbortController();
    const outer = options.signal;
    const onAbort = () => controller.abort(outer!.reason);
    outer?.addEventListener("abort", onAbort, { once: true });
    const uploadMode = verb === "write" && options.stdin ? this.#uploadMode() : undefined;
    const input: InputState = {};
    let body: RunBody | undefined;
    let finished = false;
    let uploading: Promise<void> | undefined;
    try {
      const response = await this.#post(verb, head, options.stdin, uploadMode, input, controller.signal);
      body = new RunBody(response.body!, this.#base.host);
      const first = await body.readStart();
      if (uploadMode === "chunks") {
        uploading = this.#uploadChunks(body.start!.run, options.stdin!, input, controller);
      }
      yield* body.stdout(first);
      finished = true;
      const end = body.end!;
      this.#logTail = end.logTail ?? [];
      // Stderr does not stream back; the server sends its last lines with the outcome.
      for (const line of this.#logTail) options.onStderr?.(line);
      if (input.error !== undefined) throw input.error;
      if (!end.ok) {
        const error = end.error ? errorFromWire(end.error) : unexplained(this.#base.host);
        if (error.context.logTail === undefined && this.#logTail.length) {
          (error.context as Record<string, unknown>).logTail = this.#logTail;
        }
        throw error;
      }
    } catch (error) {
      if (outer?.aborted) throw outer.reason;
      if (input.error !== undefined) throw input.error;
      throw asTransportError(error, this.#base.host, verb);
    } finally {
      outer?.removeEventListener("abort", onAbort);
      if (!finished) {
        // Stopped early, aborted or failed in transit: make sure the server ends the connector.
        controller.abort();
        await body?.cancel();
        if (body?.start) await this.#cancelRun(body.start.run);
      }
      // The run is over: input still pending has nowhere to go.
      input.stop?.();
      if (uploading) {
        controller.abort();
        await uploading.catch(() => {});
      }
    }
  }

  #uploadMode(): "stream" | "chunks" {
    if (this.#upload !== "auto") return this.#upload;
    const key = detectRuntimeKey();
    const ua = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
    return key === "deno" || key === "node" || ua === "Cloudflare-Workers" ? "stream" : "chunks";
  }

  async #post(
    verb: Verb,
    head: string,
    stdin: AsyncIterable<string> | undefined,
    uploadMode: "stream" | "chunks" | undefined,
    input: InputState,
    signal: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      "content-type": uploadMode === "stream" ? "application/x-ndjson" : "application/json",
    };
    let body: BodyInit = head;
    const init: RequestInit & { duplex?: "half" } = { method: "POST", headers, signal };
    if (uploadMode === "stream") {
      body = inputStream(head, stdin!, input);
      init.duplex = "half";
    } else if (uploadMode === "chunks") headers[INPUT_MODE_HEADER] = "chunks";
    init.body = body;
    const url = new URL(`v1/connectors/${encodeURIComponent(this.connector)}/${verb}`, this.#base);
    const response = await this.#fetch(url, init);
    if (response.ok && response.body) return response;
    throw await refusal(response, this.#base.host);
  }

  /** Post the input lines in numbered chunks, each after the previous one was taken. */
  async #uploadChunks(
    run: string,
    stdin: AsyncIterable<string>,
    input: InputState,
    controller: AbortController,
  ): Promise<void> {
    const url = new URL(`v1/runs/${encodeURIComponent(run)}/input`, this.#base);
    let seq = 0;
    const send = async (text: string, last: boolean) => {
      const response = await this.#fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.#token}`,
          "content-type": "application/x-ndjson",
          [SEQ_HEADER]: String(seq++),
          ...(last ? { [LAST_HEADER]: "1" } : {}),
        },
        body: text,
        signal: controller.signal,
      });
      if (response.status === 204) return true;
      const error = await refusal(response, this.#base.host);
      // The run ended on the server: its own response says why.
      if (error instanceof RemoteRefusedError && error.reason === "run_not_found") return false;
      throw error;
    };
    const source = batches(stdin, this.#chunkBytes, input);
    input.stop = () => void source.return(undefined).catch(() => {});
    try {
      for await (const batch of source) {
        if (!(await send(batch, false))) return;
      }
      await send("", true);
    } catch (error) {
      if (controller.signal.aborted) return;
      input.error ??= error;
      controller.abort(error);
    }
  }

  async #cancelRun(run: string): Promise<void> {
    try {
      const response = await this.#fetch(new URL(`v1/runs/${encodeURIComponent(run)}`, this.#base), {
        method: "DELETE",
        headers: { authorization: `Bearer ${this.#token}` },
        signal: AbortSignal.timeout(5_000),
      });
      await response.body?.cancel();
    } catch {
      // Best effort: the closed connection already tells the server.
    }
  }
}

/** The input side of a `write`: an error from the caller's stdin source ends the run. */
interface InputState {
  error?: unknown;
  /** Stop taking lines from the caller's source (the run is over). */
  stop?: () => void;
}

/** The streamed request body of a `write`: the run request line, then the input lines. */
function inputStream(
  head: string,
  stdin: AsyncIterable<string>,
  input: InputState,
): ReadableStream<Uint8Array> {
  const source = batches(stdin, 256 * 1024, input)[Symbol.asyncIterator]();
  input.stop = () => void source.return?.(undefined).catch(() => {});
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(head + "\n"));
    },
    async pull(controller) {
      try {
        const next = await source.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await source.return?.(undefined);
    },
  }, { highWaterMark: 1 });
}

/**
 * Input lines gathered into texts of up to `maxBytes` ("line\n" each). A batch is handed on as
 * soon as the source has nothing more at once, so a slow source's lines are not held back.
 */
async function* batches(
  stdin: AsyncIterable<string>,
  maxBytes: number,
  input: InputState,
): AsyncGenerator<string> {
  const iterator = stdin[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<string>> | undefined;
  try {
    for (;;) {
      const parts: string[] = [];
      let size = 0;
      next ??= iterator.next();
      let result = await next;
      next = undefined;
      // One timer per batch: it fires only once the source waits on something outside this task.
      const pause = tick();
      while (!result.done) {
        parts.push(result.value, "\n");
        size += result.value.length + 1;
        if (size >= maxBytes) break;
        next = iterator.next();
        const ready = await Promise.race([next, pause]);
        if (ready === TICK) break;
        next = undefined;
        result = ready as IteratorResult<string>;
      }
      if (parts.length) yield parts.join("");
      if (result.done) return;
    }
  } catch (error) {
    input.error ??= error;
    throw error;
  } finally {
    // Ended early (the run is over): let the caller's source end too (a source run feeding a
    // destination stops its connector).
    void iterator.return?.()?.catch?.(() => {});
  }
}

const TICK = Symbol("tick");
function tick(): Promise<typeof TICK> {
  return new Promise((resolve) => setTimeout(() => resolve(TICK), 0));
}

/** A non-200 answer as a typed error (a refusal names its status and the fix). */
async function refusal(response: Response, host: string): Promise<AirbyteError> {
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    payload = undefined;
  }
  const wire = (payload as { error?: unknown })?.error;
  if (isWireError(wire)) return errorFromWire(wire);
  const status = response.status;
  return new RemoteRefusedError(
    status,
    status >= 500 ? "server_error" : "bad_request",
    `The remote executor at ${host} answered ${status} ${response.statusText}.`,
    {
      guidance: status === 502 || status === 503 || status === 504
        ? "A proxy or the server is unavailable; try again later."
        : "Check that 'remote.url' points at an 'airbyte-ts serve' server.",
      context: { transient: status === 502 || status === 503 || status === 504 },
    },
  );
}

/** A fetch or stream failure as an error that names the server and says what happened. */
function asTransportError(error: unknown, host: string, verb: Verb): unknown {
  if (error instanceof AirbyteError) return error;
  const message = (error as Error)?.message ?? String(error);
  return new ExecutorUnavailableError(
    `Cannot reach the remote executor at ${host} for '${verb}': ${message}`,
    {
      guidance: IDEMPOTENT.has(verb)
        ? "Check that the server runs and the URL is right."
        : "Check that the server runs and the URL is right. A read or write that broke off is not retried " +
          "on its own: run it again (an incremental read continues from its last committed state).",
      context: { transient: true },
      cause: error,
    },
  );
}

function unexplained(host: string): AirbyteError {
  return new RemoteRefusedError(500, "server_error", `The run on ${host} failed without saying why.`);
}

/** Network failures, and answers from a server or proxy that is briefly unavailable. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof AirbyteError)) return true;
  return error.context.transient === true;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
