/**
 * The error hierarchy. Every error a user can catch extends {@linkcode AirbyteError} and carries a
 * string-literal `code`, an actionable `message`, optional `guidance`, and a `context` object
 * (connector, stream, exit code, last log lines). Secrets are masked in all of them.
 *
 * @module
 */
import { maskSecrets } from "./secrets.ts";

/**
 * Every error code this library raises; branch on `error.code`.
 *
 * @example Branch on a code
 * ```ts
 * import { type ErrorCode, StreamNotFoundError } from "./errors.ts";
 * const code: ErrorCode = new StreamNotFoundError("x", []).code;
 * if (code !== "STREAM_NOT_FOUND") throw new Error();
 * ```
 */
export type ErrorCode =
  | "CONNECTOR_INSTALL_FAILED"
  | "CONNECTOR_CHECK_FAILED"
  | "CONNECTOR_FAILED"
  | "SUBPROCESS_FAILED"
  | "CONFIG_INVALID"
  | "STREAM_NOT_FOUND"
  | "NO_STREAMS_SELECTED"
  | "EXECUTOR_UNAVAILABLE"
  | "PROTOCOL_ERROR"
  | "INVALID_ARGUMENT"
  | "RUNTIME_UNSUPPORTED"
  | "PERMISSION_DENIED"
  | "CACHE_ERROR"
  | "CACHE_LOCKED"
  | "CACHE_CONNECTION_FAILED"
  | "CACHE_PERMISSION_DENIED"
  | "DESTINATION_FAILED"
  | "REMOTE_REFUSED"
  | "ABORTED";

/**
 * Extra facts attached to an error. Values are masked before they are stored.
 *
 * @example Read the connector and exit code of a failure
 * ```ts
 * import { SubprocessFailedError } from "./errors.ts";
 * const e = new SubprocessFailedError("Connector 'source-x' exited with code 1.", { context: { connector: "source-x", exitCode: 1 } });
 * if (e.context.exitCode !== 1 || e.context.connector !== "source-x") throw new Error();
 * ```
 */
export interface ErrorContext {
  /** The connector involved. */
  connector?: string;
  /** The stream involved. */
  stream?: string;
  /** The connector's exit code (null when a signal ended it). */
  exitCode?: number | null;
  /** The connector's last stderr / log lines, newest last. */
  logTail?: string[];
  /** Anything else worth knowing (a path, a status, a holder). */
  [key: string]: unknown;
}

/**
 * Options shared by every error constructor.
 *
 * @example Guidance and a cause
 * ```ts
 * import { CacheError, type AirbyteErrorOptions } from "./errors.ts";
 * const options: AirbyteErrorOptions = { guidance: "Free some disk space.", cause: new Error("ENOSPC") };
 * if (new CacheError("Cannot write the cache.", options).guidance !== "Free some disk space.") throw new Error();
 * ```
 */
export interface AirbyteErrorOptions {
  /** What the user can do about it. */
  guidance?: string;
  /** Facts about where it happened (masked when stored). */
  context?: ErrorContext;
  /** The error underneath. */
  cause?: unknown;
}

function maskDeep(value: unknown): unknown {
  if (typeof value === "string") return maskSecrets(value);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)]));
  }
  return value;
}

/**
 * Base class of every error raised by airbyte-ts.
 *
 * @example Catch by code
 * ```ts
 * import { AirbyteError, StreamNotFoundError } from "./errors.ts";
 * try {
 *   throw new StreamNotFoundError("nope", ["users"]);
 * } catch (e) {
 *   if (!(e instanceof AirbyteError) || e.code !== "STREAM_NOT_FOUND") throw e;
 * }
 * ```
 */
export class AirbyteError extends Error {
  /** A stable code to branch on. */
  readonly code: ErrorCode;
  /** What the user can do about it. */
  readonly guidance?: string;
  /** Facts about where it happened; secrets masked. */
  readonly context: ErrorContext;
  /** The message alone, masked, without the guidance and log lines that `message` appends. */
  readonly summary: string;

  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param code The stable code callers branch on.
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(code: ErrorCode, message: string, options: AirbyteErrorOptions = {}) {
    const context = maskDeep(options.context ?? {}) as ErrorContext;
    const guidance = options.guidance ? maskSecrets(options.guidance) : undefined;
    const summary = maskSecrets(message);
    let full = summary;
    if (guidance) full += `\nGuidance: ${guidance}`;
    if (context.logTail?.length) {
      full += `\nLast log lines:\n  ${context.logTail.slice(-10).join("\n  ")}`;
    }
    super(full, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.guidance = guidance;
    this.context = context;
    this.summary = summary;
  }
}

/**
 * Installing a connector failed (pip, image pull, missing binary).
 *
 * @example Create one and branch on its code
 * ```ts
 * import { ConnectorInstallError } from "./errors.ts";
 * const e = new ConnectorInstallError("Cannot install 'source-x'", { context: { connector: "source-x" } });
 * if (e.code !== "CONNECTOR_INSTALL_FAILED") throw new Error();
 * ```
 */
export class ConnectorInstallError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("CONNECTOR_INSTALL_FAILED", message, options);
  }
}

/**
 * A connector's `check` reported FAILED.
 *
 * @example Create one and branch on its code
 * ```ts
 * import { ConnectorCheckFailedError } from "./errors.ts";
 * const e = new ConnectorCheckFailedError("Check failed for 'source-x': bad key");
 * if (e.code !== "CONNECTOR_CHECK_FAILED") throw new Error();
 * ```
 */
export class ConnectorCheckFailedError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("CONNECTOR_CHECK_FAILED", message, options);
  }
}

/**
 * The connector emitted a TRACE message of type ERROR.
 *
 * @example Create one and branch on its code
 * ```ts
 * import { ConnectorFailedError } from "./errors.ts";
 * const e = new ConnectorFailedError("boom", { failureType: "config_error" });
 * if (e.failureType !== "config_error") throw new Error();
 * ```
 */
export class ConnectorFailedError extends AirbyteError {
  /** `system_error`, `config_error` or `transient_error`, as the connector reported it. */
  readonly failureType?: string;
  /** The connector's internal message, if any. */
  readonly internalMessage?: string;
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context and cause, plus the TRACE error's `failureType` and `internalMessage`.
   */
  constructor(
    message: string,
    options: AirbyteErrorOptions & { failureType?: string; internalMessage?: string } = {},
  ) {
    super("CONNECTOR_FAILED", message, options);
    this.failureType = options.failureType;
    this.internalMessage = options.internalMessage ? maskSecrets(options.internalMessage) : undefined;
  }
}

/**
 * A connector process exited with a non-zero code (or was killed by a signal).
 *
 * @example Create one and branch on its code
 * ```ts
 * import { SubprocessFailedError } from "./errors.ts";
 * const e = new SubprocessFailedError("exited 1", { context: { exitCode: 1 } });
 * if (e.context.exitCode !== 1) throw new Error();
 * ```
 */
export class SubprocessFailedError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("SUBPROCESS_FAILED", message, options);
  }
}

/**
 * One problem found while validating a config.
 *
 * @example The issue of a missing field
 * ```ts
 * import type { ConfigIssue } from "./errors.ts";
 * const issue: ConfigIssue = { path: "$.count", message: "is required" };
 * if (issue.path !== "$.count") throw new Error();
 * ```
 */
export interface ConfigIssue {
  /** JSON path of the offending value, e.g. `$.count`. */
  path: string;
  /** What is wrong with it. */
  message: string;
}

/**
 * A config did not match the connector's JSON Schema.
 *
 * @example Create one and branch on its code
 * ```ts
 * import { ConfigValidationError } from "./errors.ts";
 * const e = new ConfigValidationError("source-faker", [{ path: "$.count", message: "must be integer" }]);
 * if (!e.message.includes("$.count")) throw new Error();
 * ```
 */
export class ConfigValidationError extends AirbyteError {
  /** Every problem found, each with its JSON path. */
  readonly issues: ConfigIssue[];
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param connector The connector whose config failed.
   * @param issues Each problem, with its JSON path.
   * @param options Guidance, context and cause.
   */
  constructor(connector: string, issues: ConfigIssue[], options: AirbyteErrorOptions = {}) {
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join("\n");
    super("CONFIG_INVALID", `Invalid config for '${connector}':\n${lines}`, {
      guidance: "Fix the listed fields; `source.configSpec` holds the connector's JSON Schema.",
      ...options,
      context: { connector, ...options.context },
    });
    this.issues = issues.map((i) => ({ path: i.path, message: maskSecrets(i.message) }));
  }
}

/**
 * A stream name that the connector does not offer.
 *
 * @example Create one and branch on its code
 * ```ts
 * import { StreamNotFoundError } from "./errors.ts";
 * const e = new StreamNotFoundError("userz", ["users", "products"]);
 * if (!e.message.includes("users")) throw new Error();
 * ```
 */
export class StreamNotFoundError extends AirbyteError {
  /** The streams the connector or cache does have. */
  readonly availableStreams: string[];
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param stream The stream name(s) not found.
   * @param available The streams there are.
   * @param options Guidance, context and cause.
   */
  constructor(stream: string | string[], available: string[], options: AirbyteErrorOptions = {}) {
    const names = Array.isArray(stream) ? stream : [stream];
    super(
      "STREAM_NOT_FOUND",
      `Cannot find stream${names.length > 1 ? "s" : ""} ${names.map((n) => `'${n}'`).join(", ")}. ` +
        `Available streams: ${available.map((n) => `'${n}'`).join(", ") || "(none)"}.`,
      { guidance: "Pick streams from `await source.getAvailableStreams()`.", ...options },
    );
    this.availableStreams = available;
  }
}

/**
 * A read was asked for with no stream selected.
 *
 * @example Create one and branch on its code
 * ```ts
 * import { NoStreamsSelectedError } from "./errors.ts";
 * if (new NoStreamsSelectedError("source-x").code !== "NO_STREAMS_SELECTED") throw new Error();
 * ```
 */
export class NoStreamsSelectedError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param connector The source with nothing selected.
   * @param options Guidance, context and cause.
   */
  constructor(connector: string, options: AirbyteErrorOptions = {}) {
    super("NO_STREAMS_SELECTED", `Cannot read from '${connector}': no streams are selected.`, {
      guidance: "Call `source.selectStreams([...])` or `source.selectAllStreams()`, or pass `streams`.",
      ...options,
      context: { connector, ...options.context },
    });
  }
}

/**
 * The chosen executor cannot run here (browser without a remote, missing Docker engine, ...).
 *
 * @example Create one and branch on its code
 * ```ts
 * import { ExecutorUnavailableError } from "./errors.ts";
 * if (new ExecutorUnavailableError("no").code !== "EXECUTOR_UNAVAILABLE") throw new Error();
 * ```
 */
export class ExecutorUnavailableError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("EXECUTOR_UNAVAILABLE", message, options);
  }
}

/**
 * A connector broke the Airbyte protocol in a way that cannot be skipped.
 *
 * @example Create one and branch on its code
 * ```ts
 * import { ProtocolError } from "./errors.ts";
 * if (new ProtocolError("no SPEC message").code !== "PROTOCOL_ERROR") throw new Error();
 * ```
 */
export class ProtocolError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("PROTOCOL_ERROR", message, options);
  }
}

/**
 * A caller passed arguments that cannot work together.
 *
 * @example Create one and branch on its code
 * ```ts
 * import { InvalidArgumentError } from "./errors.ts";
 * if (new InvalidArgumentError("x").code !== "INVALID_ARGUMENT") throw new Error();
 * ```
 */
export class InvalidArgumentError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("INVALID_ARGUMENT", message, options);
  }
}

/**
 * The current runtime lacks a capability (spawning in a browser) or a permission (Deno flags).
 *
 * @example Create one and branch on its code
 * ```ts
 * import { RuntimeCapabilityError } from "./errors.ts";
 * const e = new RuntimeCapabilityError("PERMISSION_DENIED", "Cannot spawn", { guidance: "add --allow-run" });
 * if (e.guidance !== "add --allow-run") throw new Error();
 * ```
 */
export class RuntimeCapabilityError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   */
  constructor(
    code: "RUNTIME_UNSUPPORTED" | "PERMISSION_DENIED",
    message: string,
    options?: AirbyteErrorOptions,
  ) {
    super(code, message, options);
  }
}

/**
 * The DuckDB cache could not do what was asked (open, write, query).
 *
 * @example Create one and branch on its code
 * ```ts
 * import { CacheError } from "./errors.ts";
 * if (new CacheError("x").code !== "CACHE_ERROR") throw new Error();
 * ```
 */
export class CacheError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("CACHE_ERROR", message, options);
  }
}

/**
 * Why a cache server could not be reached or would not let us in.
 *
 * @example Create one and branch on its code
 * ```ts
 * import type { CacheConnectionFailure } from "./errors.ts";
 * const reason: CacheConnectionFailure = "unreachable";
 * if (reason !== "unreachable") throw new Error();
 * ```
 */
export type CacheConnectionFailure =
  | "authentication_failed"
  | "unreachable"
  | "database_not_found"
  | "tls"
  | "rejected";

/**
 * A cache server (PostgreSQL) could not be reached, refused the credentials, or has no such
 * database. `reason` says which; the password never appears in the message or context.
 *
 * @example Branch on the reason
 * ```ts
 * import { CacheConnectionError } from "./errors.ts";
 * const e = new CacheConnectionError("authentication_failed", "Cannot log in to 'postgres://u:****@db/x'.");
 * if (e.code !== "CACHE_CONNECTION_FAILED" || e.reason !== "authentication_failed") throw new Error();
 * ```
 */
export class CacheConnectionError extends AirbyteError {
  /** What went wrong: credentials, network, a missing database, TLS, or another refusal. */
  readonly reason: CacheConnectionFailure;
  /**
   * A connection failure of one kind.
   *
   * @param reason What went wrong.
   * @param message What could not be done, naming the server with its password masked.
   * @param options Guidance, context and cause.
   */
  constructor(reason: CacheConnectionFailure, message: string, options?: AirbyteErrorOptions) {
    super("CACHE_CONNECTION_FAILED", message, options);
    this.reason = reason;
  }
}

/**
 * The cache server refused an operation for lack of a privilege (creating a schema or table,
 * writing a table another role owns).
 *
 * @example Tell a missing privilege apart
 * ```ts
 * import { CachePermissionError } from "./errors.ts";
 * if (new CachePermissionError("no").code !== "CACHE_PERMISSION_DENIED") throw new Error();
 * ```
 */
export class CachePermissionError extends AirbyteError {
  /**
   * A refusal for lack of a privilege.
   *
   * @param message What was refused, naming the server with its password masked.
   * @param options Guidance (the GRANT to give), context and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("CACHE_PERMISSION_DENIED", message, options);
  }
}

/**
 * Another process holds the cache file for writing. `context.holder` tells which (pid, host,
 * since when).
 *
 * @example Tell the user who holds the cache
 * ```ts
 * import { CacheLockedError } from "./errors.ts";
 * const e = new CacheLockedError("/tmp/c.duckdb", { pid: 42, hostname: "box", startedAt: "2026-01-01T00:00:00Z" });
 * if (e.code !== "CACHE_LOCKED" || !e.message.includes("42")) throw new Error(e.message);
 * ```
 */
export class CacheLockedError extends AirbyteError {
  /** The process holding the lock, as its lock file says. */
  readonly holder: { pid: number; hostname: string; startedAt: string };

  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param path The cache file.
   * @param holder The lock holder, as its lock file says.
   * @param options Guidance and cause.
   */
  constructor(
    path: string,
    holder: { pid: number; hostname: string; startedAt: string },
    options: AirbyteErrorOptions = {},
  ) {
    super(
      "CACHE_LOCKED",
      `Cannot open the cache '${path}': process ${holder.pid} on '${holder.hostname}' has held it ` +
        `since ${holder.startedAt}.`,
      {
        guidance: options.guidance ??
          "Wait for that process to finish (or stop it), use another cache path, or pass `lockTimeoutMs` to wait.",
        context: { path, holder, ...options.context },
        cause: options.cause,
      },
    );
    this.holder = holder;
  }
}

/**
 * A destination connector failed while writing.
 *
 * @example Create one and branch on its code
 * ```ts
 * import { DestinationFailedError } from "./errors.ts";
 * if (new DestinationFailedError("x").code !== "DESTINATION_FAILED") throw new Error();
 * ```
 */
export class DestinationFailedError extends AirbyteError {
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   * @param options Guidance, context (masked) and cause.
   */
  constructor(message: string, options?: AirbyteErrorOptions) {
    super("DESTINATION_FAILED", message, options);
  }
}

/**
 * Why a remote executor server refused a request or ended a run early.
 *
 * @example Retry only when the server was busy
 * ```ts
 * import { RemoteRefusedError } from "./errors.ts";
 * const e = new RemoteRefusedError(429, "busy", "busy");
 * const retry = e.reason === "busy" || e.reason === "draining";
 * if (!retry) throw new Error();
 * ```
 */
export type RemoteRefusalReason =
  | "unauthorized"
  | "forbidden"
  | "origin_not_allowed"
  | "connector_not_allowed"
  | "bad_connector_name"
  | "bad_request"
  | "too_large"
  | "busy"
  | "draining"
  | "run_timeout"
  | "run_not_found"
  | "server_error";

/**
 * A remote executor server (`airbyte-ts serve`) refused a request (authentication, allowlist, a
 * limit) or ended a run because of one of its limits. `status` is the HTTP status it answered
 * with; the message says which limit or rule it was and `guidance` what to change.
 *
 * @example Branch on the status
 * ```ts
 * import { RemoteRefusedError } from "./errors.ts";
 * const e = new RemoteRefusedError(429, "busy", "The server runs 4 connectors already.");
 * if (e.code !== "REMOTE_REFUSED" || e.status !== 429) throw new Error();
 * ```
 */
export class RemoteRefusedError extends AirbyteError {
  /** The HTTP status the server answered with (or would have, for a run it ended). */
  readonly status: number;
  /** Which rule or limit it was. */
  readonly reason: RemoteRefusalReason;
  /**
   * Create the error; the message, guidance and context are masked.
   *
   * @param message What went wrong, stating the action and the values in quotes.
   */
  constructor(
    status: number,
    reason: RemoteRefusalReason,
    message: string,
    options: AirbyteErrorOptions = {},
  ) {
    super("REMOTE_REFUSED", message, { ...options, context: { status, reason, ...options.context } });
    this.status = status;
    this.reason = reason;
  }
}
