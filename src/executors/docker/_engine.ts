/**
 * A small client for the Docker Engine HTTP API (which podman serves too), on the runtime's own
 * HTTP client (`Runtime.httpRequest`) and, for attach, a raw socket (`Runtime.connect`): attach
 * is an HTTP/1.1 upgrade after which the socket carries the container's stdin one way and its
 * framed stdout/stderr the other.
 *
 * The API version is negotiated once with `GET /version`: the engine's version, capped at the
 * newest this client knows. Unreachable engines and API failures become
 * `ExecutorUnavailableError`s that name the address.
 *
 * @module
 */
import { AirbyteError, ExecutorUnavailableError } from "../../errors.ts";
import type { Runtime, SocketConnection, SocketHttpResponse } from "../../runtime/runtime.ts";
import { DOCKER_HOST_GUIDANCE, type EngineAddress } from "./engine_address.ts";

/** The newest API version this client speaks; newer engines are asked for this one. */
const CLIENT_MAX_API = "1.45";
/** The oldest engine API with everything used here (1.25: `wait` conditions, `NanoCpus`). */
const CLIENT_MIN_API = "1.25";
/** A response head larger than this is not an HTTP response. */
const MAX_HEAD_BYTES = 64 * 1024;

/** What `GET /version` said, plus the version this client will use. */
export interface EngineInfo {
  /** The API version used in request paths, e.g. `1.41`. */
  apiVersion: string;
  /** The engine's own product and version, e.g. `Podman Engine 4.3.1` or `Docker Engine 27.1.1`. */
  product: string;
}

/** Options for one API call. */
export interface EngineRequest {
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body (sent with `Content-Type: application/json`). */
  json?: unknown;
  /** A raw body with its content type. */
  body?: { bytes: Uint8Array; contentType: string };
  signal?: AbortSignal;
}

/** An attach connection after the upgrade: the socket, and output bytes that came with the reply head. */
export interface Attachment {
  connection: SocketConnection;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Stream bytes that arrived in the same read as the response head. */
  head: Uint8Array;
}

/** Compare dotted API versions numerically (`1.9` < `1.41`). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * One engine, reached over one address. Cheap to make; negotiates on first use.
 *
 * @example Talk to the engine named by DOCKER_HOST
 * ```ts ignore
 * import { DockerEngine } from "./_engine.ts";
 * import { parseDockerHost } from "./engine_address.ts";
 * import { getRuntime } from "../../runtime/detect.ts";
 * const rt = await getRuntime();
 * const engine = new DockerEngine(rt, parseDockerHost(rt.env("DOCKER_HOST")));
 * console.log((await engine.info()).product);
 * ```
 */
export class DockerEngine {
  /** The address, as parsed. */
  readonly address: EngineAddress;
  readonly #rt: Runtime;
  #info?: Promise<EngineInfo>;

  constructor(rt: Runtime, address: EngineAddress) {
    this.#rt = rt;
    this.address = address;
  }

  /** Negotiate the API version (once; a failure is retried on the next call). */
  info(): Promise<EngineInfo> {
    this.#info ??= this.#negotiate().catch((error) => {
      this.#info = undefined;
      throw error;
    });
    return this.#info;
  }

  /**
   * Call the API and return the response, whatever its status.
   *
   * @param method HTTP method.
   * @param path Path below the version prefix, e.g. `/containers/create`.
   * @param options Query, body, abort signal.
   */
  async request(method: string, path: string, options: EngineRequest = {}): Promise<SocketHttpResponse> {
    const { apiVersion } = await this.info();
    return await this.#send(method, `/v${apiVersion}${path}${queryString(options.query)}`, options);
  }

  /**
   * Call the API, fail on an error status, and parse the JSON answer (`undefined` for no body).
   *
   * @param what What the call does, for the error message ("create a container").
   * @throws {ExecutorUnavailableError} with `context.status` when the engine answers 4xx/5xx.
   */
  async json<T>(what: string, method: string, path: string, options: EngineRequest = {}): Promise<T> {
    const response = await this.request(method, path, options);
    const text = await readText(response.body);
    if (response.status >= 400) throw this.apiError(what, response.status, text);
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Like {@linkcode DockerEngine.json} for calls whose answer is not needed; 404 can be allowed.
   */
  async call(
    what: string,
    method: string,
    path: string,
    options: EngineRequest & { allow404?: boolean } = {},
  ) {
    const response = await this.request(method, path, options);
    const text = await readText(response.body);
    if (response.status === 404 && options.allow404) return 404;
    if (response.status >= 400) throw this.apiError(what, response.status, text);
    return response.status;
  }

  /**
   * Attach to a created container's streams with an HTTP upgrade on a raw connection. Resolves
   * once the engine has accepted, so nothing the container writes after `start` is missed.
   *
   * @param id The container.
   * @param stdin Also attach stdin (the container must have been created with `OpenStdin`).
   */
  async attach(id: string, stdin: boolean): Promise<Attachment> {
    const { apiVersion } = await this.info();
    const query = queryString({ stream: 1, stdout: 1, stderr: 1, stdin: stdin ? 1 : undefined });
    const path = `/v${apiVersion}/containers/${encodeURIComponent(id)}/attach${query}`;
    let connection: SocketConnection;
    try {
      connection = await this.#rt.connect(this.address.socket);
    } catch (error) {
      throw this.unreachable(error);
    }
    const reader = connection.readable.getReader();
    try {
      const writer = connection.writable.getWriter();
      await writer.write(
        new TextEncoder().encode(
          `POST ${path} HTTP/1.1\r\nHost: docker\r\nContent-Type: text/plain\r\n` +
            "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
        ),
      );
      writer.releaseLock();
      const { status, headers, rest } = await readResponseHead(reader);
      if (status !== 101 && status !== 200) {
        const length = Number(headers["content-length"] ?? rest.length);
        const body = await readAtLeast(reader, rest, Math.min(length, MAX_HEAD_BYTES));
        throw this.apiError("attach to the container", status, new TextDecoder().decode(body));
      }
      return { connection, reader, head: rest };
    } catch (error) {
      connection.close();
      if (error instanceof AirbyteError) throw error;
      throw this.unreachable(error);
    }
  }

  /** The error for an engine that cannot be reached at all. */
  unreachable(cause: unknown): ExecutorUnavailableError {
    const reason = describeCause(cause);
    return new ExecutorUnavailableError(
      `Cannot reach the Docker engine at ${this.address.display}: ${reason}.`,
      { guidance: DOCKER_HOST_GUIDANCE, context: { dockerHost: this.address.display }, cause },
    );
  }

  /** The error for an API call the engine refused. */
  apiError(what: string, status: number, body: string): ExecutorUnavailableError {
    const message = engineMessage(body);
    return new ExecutorUnavailableError(
      `The Docker engine at ${this.address.display} could not ${what}: ${message} (HTTP ${status}).`,
      { context: { dockerHost: this.address.display, status, engineMessage: message } },
    );
  }

  async #negotiate(): Promise<EngineInfo> {
    const response = await this.#send("GET", "/version", {});
    const text = await readText(response.body);
    if (response.status !== 200) throw this.apiError("report its version", response.status, text);
    let version: { ApiVersion?: string; Version?: string; Components?: { Name?: string }[] };
    try {
      version = JSON.parse(text);
    } catch (cause) {
      throw new ExecutorUnavailableError(
        `The service at ${this.address.display} is not a Docker engine: GET /version did not answer JSON.`,
        { guidance: DOCKER_HOST_GUIDANCE, context: { dockerHost: this.address.display }, cause },
      );
    }
    const engineApi = version.ApiVersion ?? CLIENT_MIN_API;
    if (compareApiVersions(engineApi, CLIENT_MIN_API) < 0) {
      throw new ExecutorUnavailableError(
        `The Docker engine at ${this.address.display} speaks API ${engineApi}; at least ${CLIENT_MIN_API} is needed.`,
        {
          guidance: "Upgrade the engine (Docker 1.13+, or podman 3+).",
          context: { dockerHost: this.address.display },
        },
      );
    }
    const apiVersion = compareApiVersions(engineApi, CLIENT_MAX_API) > 0 ? CLIENT_MAX_API : engineApi;
    const product = `${version.Components?.[0]?.Name ?? "Docker Engine"} ${version.Version ?? ""}`.trim();
    return { apiVersion, product };
  }

  async #send(method: string, path: string, options: EngineRequest): Promise<SocketHttpResponse> {
    const headers: Record<string, string> = {};
    let body: Uint8Array | string | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.body) {
      headers["content-type"] = options.body.contentType;
      body = options.body.bytes;
    }
    try {
      return await this.#rt.httpRequest(this.address.socket, {
        method,
        path,
        headers,
        body,
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted || error instanceof AirbyteError) throw error;
      throw this.unreachable(error);
    }
  }
}

function queryString(query: EngineRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value === true ? 1 : value === false ? 0 : value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The engine's `{"message": ...}`, or the body itself. */
function engineMessage(body: string): string {
  try {
    const parsed = JSON.parse(body);
    if (typeof parsed?.message === "string") return parsed.message;
  } catch {
    // Not JSON: show the text.
  }
  return body.trim().slice(0, 500) || "(no message)";
}

function describeCause(cause: unknown): string {
  const error = cause as { code?: string; message?: string; cause?: unknown };
  const code = error?.code ?? (error?.cause as { code?: string } | undefined)?.code;
  const message = String(error?.message ?? cause);
  if (code === "ENOENT" || /no such file|not ?found/i.test(message)) return "no socket at that path";
  if (code === "ECONNREFUSED" || /refused/i.test(message)) return "connection refused";
  if (code === "EACCES" || /permission denied/i.test(message)) {
    return "permission denied on the socket (is this user in the engine's group?)";
  }
  return message;
}

/** Read a whole (small) body as text. */
export async function readText(body: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(body).text();
}

/** Read an HTTP/1.1 response head from a raw connection; what follows it is returned as `rest`. */
async function readResponseHead(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<{ status: number; headers: Record<string, string>; rest: Uint8Array }> {
  let buffer: Uint8Array = new Uint8Array(0);
  for (;;) {
    const end = indexOfHeadEnd(buffer);
    if (end >= 0) {
      const head = new TextDecoder().decode(buffer.subarray(0, end));
      const [statusLine, ...lines] = head.split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      if (!status) throw new Error(`not an HTTP response: '${statusLine.slice(0, 80)}'`);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      return { status, headers, rest: buffer.subarray(end + 4) };
    }
    if (buffer.length > MAX_HEAD_BYTES) throw new Error("the response head is too large");
    const { done, value } = await reader.read();
    if (done) throw new Error("the engine closed the connection before answering");
    buffer = concat(buffer, value);
  }
}

/** Read until at least `n` bytes (counting `first`) or the end. */
async function readAtLeast(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
  n: number,
): Promise<Uint8Array> {
  let buffer = first;
  while (buffer.length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer = concat(buffer, value);
  }
  return buffer;
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
