/**
 * The wire protocol between {@linkcode RemoteExecutor} and `airbyte-ts serve`, in one place so the
 * client and the server cannot drift apart.
 *
 * A run is `POST /v1/connectors/<name>/<verb>`. Its body is the run request, one JSON object
 * (`{"config":…,"catalog":…,"state":…}`); for `write` the destination's input lines may follow it,
 * one per line, in the same streamed body. Clients that cannot stream a request body (browsers over
 * HTTP/1.1) send the header `x-airbyte-ts-input: chunks` instead and post the input lines in
 * numbered chunks to `POST /v1/runs/<id>/input`.
 *
 * The response of an admitted run is `200` NDJSON:
 *   1. one start line `{"type":"AIRBYTE_TS_RUN_START","run":"<id>",…}` (with `\n`), sent at once;
 *   2. the connector's stdout, byte for byte (a `\n` is added if its last line lacked one);
 *   3. one end line `{"type":"AIRBYTE_TS_RUN_END","run":"<id>","ok":…}` with no `\n` after it.
 * The end line is always last and carries the outcome: the connector's exit, or the typed error of
 * a failed run (the same error a local run throws). Its run id, which the connector never sees,
 * tells it apart from anything a connector prints. A body that ends without it was cut off.
 *
 * Refusals (auth, allowlist, limits, malformed requests) are non-200 answers with a JSON body
 * `{"error": WireError}`; no connector is started for them.
 *
 * @module
 */
import {
  AirbyteError,
  type AirbyteErrorOptions,
  CacheError,
  ConfigValidationError,
  ConnectorCheckFailedError,
  ConnectorFailedError,
  ConnectorInstallError,
  DestinationFailedError,
  type ErrorCode,
  ExecutorUnavailableError,
  InvalidArgumentError,
  NoStreamsSelectedError,
  ProtocolError,
  type RemoteRefusalReason,
  RemoteRefusedError,
  RuntimeCapabilityError,
  StreamNotFoundError,
  SubprocessFailedError,
} from "../../errors.ts";

/** The protocol version in every start line; a client refuses a server that speaks another. */
export const PROTOCOL_VERSION = 1;
/** The connector verbs a server runs. */
export const VERBS = ["spec", "check", "discover", "read", "write"] as const;
/** One of {@linkcode VERBS}. */
export type Verb = typeof VERBS[number];
/** Response header with the run id (also in the start line). */
export const RUN_HEADER = "x-airbyte-ts-run";
/** Request header: `chunks` when `write` input comes through `POST /v1/runs/<id>/input`. */
export const INPUT_MODE_HEADER = "x-airbyte-ts-input";
/** Request header of an input chunk: its number, from 0. */
export const SEQ_HEADER = "x-airbyte-ts-seq";
/** Request header of the last input chunk: `1`. */
export const LAST_HEADER = "x-airbyte-ts-last";
/** The `type` of the start line. */
export const START_TYPE = "AIRBYTE_TS_RUN_START";
/** The `type` of the end line. */
export const END_TYPE = "AIRBYTE_TS_RUN_END";
/** The run request's fields and the connector file flags they become; nothing else is accepted. */
export const FILE_FIELDS = { config: "--config", catalog: "--catalog", state: "--state" } as const;
/** Which run request fields each verb needs and allows. */
export const VERB_FIELDS: Record<Verb, { required: (keyof typeof FILE_FIELDS)[]; allowed: string[] }> = {
  spec: { required: [], allowed: [] },
  check: { required: ["config"], allowed: ["config"] },
  discover: { required: ["config"], allowed: ["config"] },
  read: { required: ["config", "catalog"], allowed: ["config", "catalog", "state"] },
  write: { required: ["config", "catalog"], allowed: ["config", "catalog"] },
};

/**
 * Connector names a server accepts in a path: letters, digits, `_`, `-` and single dots between
 * them, at most 128 characters. No slash, no `..`, no shell character can pass.
 */
export const CONNECTOR_NAME = /^(?=.{1,128}$)[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;

/** The start line of a run's response. */
export interface RunStart {
  type: typeof START_TYPE;
  run: string;
  connector: string;
  verb: Verb;
  protocol: number;
}

/** The end line of a run's response. */
export interface RunEnd {
  type: typeof END_TYPE;
  run: string;
  /** True when the connector exited 0 and the server saw no error. */
  ok: boolean;
  /** The connector's exit code, when it exited. */
  exitCode?: number | null;
  /** Why the run failed (only when `ok` is false). */
  error?: WireError;
  /** The connector's last stderr lines, masked on the server. */
  logTail?: string[];
}

/** An error as it travels: enough to rebuild the same typed error on the client. */
export interface WireError {
  code: string;
  name?: string;
  message: string;
  guidance?: string;
  context?: Record<string, unknown>;
  /** {@linkcode RemoteRefusedError} only. */
  status?: number;
  reason?: RemoteRefusalReason;
  /** {@linkcode ConnectorFailedError} only. */
  failureType?: string;
  internalMessage?: string;
  /** {@linkcode ConfigValidationError} only. */
  issues?: { path: string; message: string }[];
  /** {@linkcode StreamNotFoundError} only. */
  availableStreams?: string[];
}

/**
 * Turn an error into its wire form. An error that is not an `AirbyteError` (a bug) travels as a
 * server error without its stack: the client learns that it happened, not the server's internals.
 */
export function errorToWire(error: unknown): WireError {
  if (!(error instanceof AirbyteError)) {
    return {
      code: "REMOTE_REFUSED",
      name: "RemoteRefusedError",
      status: 500,
      reason: "server_error",
      message: "The remote executor server failed unexpectedly while running the connector.",
      guidance: "See the server's log; run again, and report it if it keeps happening.",
    };
  }
  const wire: WireError = {
    code: error.code,
    name: error.name,
    message: error.summary,
    guidance: error.guidance,
    context: error.context,
  };
  if (error instanceof RemoteRefusedError) {
    wire.status = error.status;
    wire.reason = error.reason;
  }
  if (error instanceof ConnectorFailedError) {
    wire.failureType = error.failureType;
    wire.internalMessage = error.internalMessage;
  }
  if (error instanceof ConfigValidationError) wire.issues = error.issues;
  if (error instanceof StreamNotFoundError) wire.availableStreams = error.availableStreams;
  return wire;
}

type Plain = new (message: string, options?: AirbyteErrorOptions) => AirbyteError;

const PLAIN: Partial<Record<ErrorCode, Plain>> = {
  CONNECTOR_INSTALL_FAILED: ConnectorInstallError,
  CONNECTOR_CHECK_FAILED: ConnectorCheckFailedError,
  SUBPROCESS_FAILED: SubprocessFailedError,
  EXECUTOR_UNAVAILABLE: ExecutorUnavailableError,
  PROTOCOL_ERROR: ProtocolError,
  INVALID_ARGUMENT: InvalidArgumentError,
  DESTINATION_FAILED: DestinationFailedError,
};

/** Rebuild the typed error a wire error describes (the same class a local run would throw). */
export function errorFromWire(wire: WireError): AirbyteError {
  const context = (wire.context ?? {}) as AirbyteErrorOptions["context"];
  const options: AirbyteErrorOptions = { guidance: wire.guidance, context };
  const code = wire.code as ErrorCode;
  const Plain = PLAIN[code];
  if (Plain) return new Plain(wire.message, options);
  switch (code) {
    case "REMOTE_REFUSED":
      return new RemoteRefusedError(wire.status ?? 500, wire.reason ?? "server_error", wire.message, options);
    case "CONNECTOR_FAILED":
      return new ConnectorFailedError(wire.message, {
        ...options,
        failureType: wire.failureType,
        internalMessage: wire.internalMessage,
      });
    case "CONFIG_INVALID":
      return new ConfigValidationError(String(context?.connector ?? "connector"), wire.issues ?? [], {
        context,
      });
    case "STREAM_NOT_FOUND":
      return new StreamNotFoundError(String(context?.stream ?? "?"), wire.availableStreams ?? [], options);
    case "NO_STREAMS_SELECTED":
      return new NoStreamsSelectedError(String(context?.connector ?? "connector"), options);
    case "RUNTIME_UNSUPPORTED":
    case "PERMISSION_DENIED":
      return new RuntimeCapabilityError(code, wire.message, options);
    case "CACHE_ERROR":
      return new CacheError(wire.message, options);
    default:
      // A code without a class of its own here (the server speaks the same protocol version).
      return new AirbyteError(code, wire.message, options);
  }
}

/** Is `value` an object that looks like a {@linkcode WireError}? */
export function isWireError(value: unknown): value is WireError {
  const v = value as WireError;
  return !!v && typeof v === "object" && typeof v.code === "string" && typeof v.message === "string";
}
