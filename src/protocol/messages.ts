/**
 * The Airbyte protocol (v0) messages as zod schemas, with their TypeScript types inferred from
 * them. Field names and enums follow `airbyte_protocol.yaml` of airbytehq/airbyte-protocol.
 *
 * Every object schema is loose: keys the schema does not know are kept, so a state message a
 * connector emits can be stored and handed back to it unchanged. Validation never transforms a
 * value, which is why {@linkcode parseAirbyteMessage} returns the input object itself (same key
 * order, same content) rather than zod's copy.
 *
 * @module
 */
import { z } from "zod";

/** A JSON object whose content the protocol leaves open (record data, state blobs, JSON Schemas). */
const JsonObjectSchema = z.record(z.string(), z.unknown());

/** Any JSON object. */
export type JsonObject = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Shared pieces

/**
 * Names a stream; `namespace` is optional.
 *
 * @example Validate a descriptor
 * ```ts
 * import { StreamDescriptorSchema } from "./messages.ts";
 * if (!StreamDescriptorSchema.safeParse({ name: "users" }).success) throw new Error();
 * ```
 */
export const StreamDescriptorSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().nullish(),
});
/** A stream's name and optional namespace. */
export type StreamDescriptor = z.infer<typeof StreamDescriptorSchema>;

/**
 * How a stream can be read: everything each time, or only what changed since the last state.
 *
 * @example Validate a sync mode
 * ```ts
 * import { SyncModeSchema } from "./messages.ts";
 * if (SyncModeSchema.parse("incremental") !== "incremental") throw new Error();
 * ```
 */
export const SyncModeSchema = z.enum(["full_refresh", "incremental"]);
/** `full_refresh` or `incremental`. */
export type SyncMode = z.infer<typeof SyncModeSchema>;

/**
 * How a destination writes a stream. The union of the modes protocol versions have defined
 * (`overwrite_dedup` comes from the platform, `update`/`soft_delete` from data activation).
 *
 * @example Validate a destination sync mode
 * ```ts
 * import { DestinationSyncModeSchema } from "./messages.ts";
 * if (!DestinationSyncModeSchema.safeParse("append_dedup").success) throw new Error();
 * ```
 */
export const DestinationSyncModeSchema = z.enum([
  "append",
  "overwrite",
  "append_dedup",
  "overwrite_dedup",
  "update",
  "soft_delete",
]);
/** One of the destination sync modes. */
export type DestinationSyncMode = z.infer<typeof DestinationSyncModeSchema>;

// ---------------------------------------------------------------------------------------------
// RECORD

/**
 * One change made to a record while syncing (a field nulled or truncated, and why).
 *
 * @example Validate a truncation change
 * ```ts
 * import { AirbyteRecordMessageMetaChangeSchema } from "./messages.ts";
 * const change = { field: "bio", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION" };
 * if (!AirbyteRecordMessageMetaChangeSchema.safeParse(change).success) throw new Error();
 * ```
 */
export const AirbyteRecordMessageMetaChangeSchema = z.looseObject({
  field: z.string(),
  change: z.enum(["NULLED", "TRUNCATED"]),
  reason: z.enum([
    "SOURCE_RECORD_SIZE_LIMITATION",
    "DESTINATION_RECORD_SIZE_LIMITATION",
    "PLATFORM_RECORD_SIZE_LIMITATION",
    "SOURCE_FIELD_SIZE_LIMITATION",
    "DESTINATION_FIELD_SIZE_LIMITATION",
    "PLATFORM_FIELD_SIZE_LIMITATION",
    "SOURCE_SERIALIZATION_ERROR",
    "DESTINATION_SERIALIZATION_ERROR",
    "PLATFORM_SERIALIZATION_ERROR",
    "SOURCE_RETRIEVAL_ERROR",
    "DESTINATION_TYPECAST_ERROR",
  ]),
});
/** A change made to a record's content mid-sync. */
export type AirbyteRecordMessageMetaChange = z.infer<typeof AirbyteRecordMessageMetaChangeSchema>;

/**
 * Information about a record added mid-sync.
 *
 * @example Validate a record's meta
 * ```ts
 * import { AirbyteRecordMessageMetaSchema } from "./messages.ts";
 * if (!AirbyteRecordMessageMetaSchema.safeParse({ changes: [] }).success) throw new Error();
 * ```
 */
export const AirbyteRecordMessageMetaSchema = z.looseObject({
  changes: z.array(AirbyteRecordMessageMetaChangeSchema).nullish(),
});
/** A record's `meta`. */
export type AirbyteRecordMessageMeta = z.infer<typeof AirbyteRecordMessageMetaSchema>;

/**
 * The body of a RECORD message: one row of one stream.
 *
 * @example Validate a record body
 * ```ts
 * import { AirbyteRecordMessageSchema } from "./messages.ts";
 * const record = { stream: "users", data: { id: 1 }, emitted_at: 1700000000000 };
 * if (!AirbyteRecordMessageSchema.safeParse(record).success) throw new Error();
 * ```
 */
export const AirbyteRecordMessageSchema = z.looseObject({
  stream: z.string(),
  namespace: z.string().nullish(),
  data: JsonObjectSchema,
  /** Epoch milliseconds. The spec says integer; a number is accepted. */
  emitted_at: z.number(),
  meta: AirbyteRecordMessageMetaSchema.nullish(),
});
/**
 * The body of a RECORD message.
 *
 * @example A record
 * ```ts
 * import type { AirbyteRecordMessage } from "./messages.ts";
 * const record: AirbyteRecordMessage = { stream: "users", data: { id: 1 }, emitted_at: 1700000000000 };
 * if (record.data.id !== 1) throw new Error();
 * ```
 */
export type AirbyteRecordMessage = z.infer<typeof AirbyteRecordMessageSchema>;

// ---------------------------------------------------------------------------------------------
// STATE

/**
 * Which field of a state message holds the state. Absent means LEGACY.
 *
 * @example Validate a state type
 * ```ts
 * import { AirbyteStateTypeSchema } from "./messages.ts";
 * if (!AirbyteStateTypeSchema.safeParse("GLOBAL").success) throw new Error();
 * ```
 */
export const AirbyteStateTypeSchema = z.enum(["GLOBAL", "STREAM", "LEGACY"]);
/** `GLOBAL`, `STREAM` or `LEGACY`. */
export type AirbyteStateType = z.infer<typeof AirbyteStateTypeSchema>;

/**
 * One stream's state.
 *
 * @example Validate a stream state
 * ```ts
 * import { AirbyteStreamStateSchema } from "./messages.ts";
 * const s = { stream_descriptor: { name: "users" }, stream_state: { cursor: "2024-01-01" } };
 * if (!AirbyteStreamStateSchema.safeParse(s).success) throw new Error();
 * ```
 */
export const AirbyteStreamStateSchema = z.looseObject({
  stream_descriptor: StreamDescriptorSchema,
  stream_state: JsonObjectSchema.nullish(),
});
/** One stream's state. */
export type AirbyteStreamState = z.infer<typeof AirbyteStreamStateSchema>;

/**
 * A state shared by all streams (for example a CDC position) plus each stream's own.
 *
 * @example Validate a global state
 * ```ts
 * import { AirbyteGlobalStateSchema } from "./messages.ts";
 * const g = { shared_state: { lsn: 42 }, stream_states: [] };
 * if (!AirbyteGlobalStateSchema.safeParse(g).success) throw new Error();
 * ```
 */
export const AirbyteGlobalStateSchema = z.looseObject({
  shared_state: JsonObjectSchema.nullish(),
  stream_states: z.array(AirbyteStreamStateSchema),
});
/** A GLOBAL state's body. */
export type AirbyteGlobalState = z.infer<typeof AirbyteGlobalStateSchema>;

/**
 * Counts attached to a state message by the source or the destination.
 *
 * @example Validate state stats
 * ```ts
 * import { AirbyteStateStatsSchema } from "./messages.ts";
 * if (!AirbyteStateStatsSchema.safeParse({ recordCount: 10.0 }).success) throw new Error();
 * ```
 */
export const AirbyteStateStatsSchema = z.looseObject({
  recordCount: z.number().nullish(),
  rejectedRecordCount: z.number().nullish(),
});
/** `sourceStats` / `destinationStats` of a state message. */
export type AirbyteStateStats = z.infer<typeof AirbyteStateStatsSchema>;

/**
 * The body of a STATE message. Which field is set depends on `type`: `stream` for STREAM,
 * `global` for GLOBAL, `data` for LEGACY (or when `type` is absent).
 *
 * @example A per-stream state
 * ```ts
 * import { AirbyteStateMessageSchema } from "./messages.ts";
 * const state = {
 *   type: "STREAM",
 *   stream: { stream_descriptor: { name: "users" }, stream_state: { updated_at: "2024-05-01" } },
 *   sourceStats: { recordCount: 3.0 },
 * };
 * if (!AirbyteStateMessageSchema.safeParse(state).success) throw new Error();
 * ```
 */
export const AirbyteStateMessageSchema = z.looseObject({
  type: AirbyteStateTypeSchema.nullish(),
  stream: AirbyteStreamStateSchema.nullish(),
  global: AirbyteGlobalStateSchema.nullish(),
  /** Deprecated: the LEGACY state blob. */
  data: JsonObjectSchema.nullish(),
  sourceStats: AirbyteStateStatsSchema.nullish(),
  destinationStats: AirbyteStateStatsSchema.nullish(),
});
/**
 * The body of a STATE message (STREAM, GLOBAL or LEGACY); unknown keys are kept.
 *
 * @example A STREAM state
 * ```ts
 * import type { AirbyteStateMessage } from "./messages.ts";
 * const state: AirbyteStateMessage = {
 *   type: "STREAM",
 *   stream: { stream_descriptor: { name: "users" }, stream_state: { updated_at: "2024-01-01" } },
 * };
 * if (state.type !== "STREAM") throw new Error();
 * ```
 */
export type AirbyteStateMessage = z.infer<typeof AirbyteStateMessageSchema>;

// ---------------------------------------------------------------------------------------------
// LOG

/**
 * A log line from the connector.
 *
 * @example Validate a log message
 * ```ts
 * import { AirbyteLogMessageSchema } from "./messages.ts";
 * if (!AirbyteLogMessageSchema.safeParse({ level: "INFO", message: "Starting" }).success) throw new Error();
 * ```
 */
export const AirbyteLogMessageSchema = z.looseObject({
  level: z.enum(["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"]),
  message: z.string(),
  stack_trace: z.string().nullish(),
});
/** The body of a LOG message. */
export type AirbyteLogMessage = z.infer<typeof AirbyteLogMessageSchema>;

// ---------------------------------------------------------------------------------------------
// SPEC

/**
 * What a connector needs as configuration (a JSON Schema) and what it supports.
 *
 * @example Validate a connector specification
 * ```ts
 * import { ConnectorSpecificationSchema } from "./messages.ts";
 * const spec = { connectionSpecification: { type: "object", properties: {} }, supportsIncremental: true };
 * if (!ConnectorSpecificationSchema.safeParse(spec).success) throw new Error();
 * ```
 */
export const ConnectorSpecificationSchema = z.looseObject({
  documentationUrl: z.string().nullish(),
  changelogUrl: z.string().nullish(),
  connectionSpecification: JsonObjectSchema,
  supportsIncremental: z.boolean().nullish(),
  supportsNormalization: z.boolean().nullish(),
  supportsDBT: z.boolean().nullish(),
  supported_destination_sync_modes: z.array(DestinationSyncModeSchema).nullish(),
  /** Deprecated in favour of `advanced_auth`. */
  authSpecification: JsonObjectSchema.nullish(),
  advanced_auth: JsonObjectSchema.nullish(),
  protocol_version: z.string().nullish(),
});
/**
 * The body of a SPEC message: the connector's config schema and capabilities.
 *
 * @example A minimal spec
 * ```ts
 * import type { ConnectorSpecification } from "./messages.ts";
 * const spec: ConnectorSpecification = { connectionSpecification: { type: "object", properties: {} } };
 * if (!spec.connectionSpecification) throw new Error();
 * ```
 */
export type ConnectorSpecification = z.infer<typeof ConnectorSpecificationSchema>;

// ---------------------------------------------------------------------------------------------
// CONNECTION_STATUS

/**
 * The outcome of `check`.
 *
 * @example Validate a failed check
 * ```ts
 * import { AirbyteConnectionStatusSchema } from "./messages.ts";
 * const status = { status: "FAILED", message: "Wrong password" };
 * if (!AirbyteConnectionStatusSchema.safeParse(status).success) throw new Error();
 * ```
 */
export const AirbyteConnectionStatusSchema = z.looseObject({
  status: z.enum(["SUCCEEDED", "FAILED"]),
  message: z.string().nullish(),
});
/** The body of a CONNECTION_STATUS message. */
export type AirbyteConnectionStatus = z.infer<typeof AirbyteConnectionStatusSchema>;

// ---------------------------------------------------------------------------------------------
// CATALOG

/**
 * A stream as discovered: its name, JSON Schema, and how it can be read.
 *
 * @example Validate a discovered stream
 * ```ts
 * import { AirbyteStreamSchema } from "./messages.ts";
 * const stream = {
 *   name: "users",
 *   json_schema: { type: "object", properties: { id: { type: "integer" } } },
 *   supported_sync_modes: ["full_refresh", "incremental"],
 *   source_defined_primary_key: [["id"]],
 * };
 * if (!AirbyteStreamSchema.safeParse(stream).success) throw new Error();
 * ```
 */
export const AirbyteStreamSchema = z.looseObject({
  name: z.string(),
  json_schema: JsonObjectSchema,
  supported_sync_modes: z.array(SyncModeSchema),
  source_defined_cursor: z.boolean().nullish(),
  default_cursor_field: z.array(z.string()).nullish(),
  source_defined_primary_key: z.array(z.array(z.string())).nullish(),
  namespace: z.string().nullish(),
  is_resumable: z.boolean().nullish(),
  is_file_based: z.boolean().nullish(),
});
/**
 * A discovered stream: its name, JSON Schema, sync modes and keys.
 *
 * @example A stream with a primary key
 * ```ts
 * import type { AirbyteStream } from "./messages.ts";
 * const stream: AirbyteStream = {
 *   name: "users",
 *   json_schema: { type: "object", properties: { id: { type: "integer" } } },
 *   supported_sync_modes: ["full_refresh", "incremental"],
 *   source_defined_primary_key: [["id"]],
 * };
 * if (stream.supported_sync_modes.length !== 2) throw new Error();
 * ```
 */
export type AirbyteStream = z.infer<typeof AirbyteStreamSchema>;

/**
 * The streams a source offers, as returned by `discover`.
 *
 * @example Validate an empty catalog
 * ```ts
 * import { AirbyteCatalogSchema } from "./messages.ts";
 * if (!AirbyteCatalogSchema.safeParse({ streams: [] }).success) throw new Error();
 * ```
 */
export const AirbyteCatalogSchema = z.looseObject({
  streams: z.array(AirbyteStreamSchema),
});
/**
 * The body of a CATALOG message: the streams a source offers.
 *
 * @example A one-stream catalog
 * ```ts
 * import type { AirbyteCatalog } from "./messages.ts";
 * const catalog: AirbyteCatalog = { streams: [{ name: "users", json_schema: {}, supported_sync_modes: ["full_refresh"] }] };
 * if (catalog.streams[0].name !== "users") throw new Error();
 * ```
 */
export type AirbyteCatalog = z.infer<typeof AirbyteCatalogSchema>;

// ---------------------------------------------------------------------------------------------
// TRACE

/**
 * Why a connector failed: a message for people, the internal error, and who is to blame.
 *
 * @example Validate a configuration error
 * ```ts
 * import { AirbyteErrorTraceMessageSchema } from "./messages.ts";
 * const error = { message: "Bad API key", failure_type: "config_error" };
 * if (!AirbyteErrorTraceMessageSchema.safeParse(error).success) throw new Error();
 * ```
 */
export const AirbyteErrorTraceMessageSchema = z.looseObject({
  message: z.string(),
  internal_message: z.string().nullish(),
  stack_trace: z.string().nullish(),
  failure_type: z.enum(["system_error", "config_error", "transient_error"]).nullish(),
  stream_descriptor: StreamDescriptorSchema.nullish(),
});
/** The `error` of an ERROR trace. */
export type AirbyteErrorTraceMessage = z.infer<typeof AirbyteErrorTraceMessageSchema>;

/**
 * A guess at how much a stream (or the whole sync) will produce.
 *
 * @example Validate a row estimate
 * ```ts
 * import { AirbyteEstimateTraceMessageSchema } from "./messages.ts";
 * const estimate = { name: "users", type: "STREAM", row_estimate: 1000 };
 * if (!AirbyteEstimateTraceMessageSchema.safeParse(estimate).success) throw new Error();
 * ```
 */
export const AirbyteEstimateTraceMessageSchema = z.looseObject({
  name: z.string(),
  type: z.enum(["STREAM", "SYNC"]),
  namespace: z.string().nullish(),
  row_estimate: z.number().nullish(),
  byte_estimate: z.number().nullish(),
});
/** The `estimate` of an ESTIMATE trace. */
export type AirbyteEstimateTraceMessage = z.infer<typeof AirbyteEstimateTraceMessageSchema>;

/**
 * Where a stream is in its sync.
 *
 * @example Validate a stream status
 * ```ts
 * import { AirbyteStreamStatusSchema } from "./messages.ts";
 * if (!AirbyteStreamStatusSchema.safeParse("COMPLETE").success) throw new Error();
 * ```
 */
export const AirbyteStreamStatusSchema = z.enum(["STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"]);
/** `STARTED`, `RUNNING`, `COMPLETE` or `INCOMPLETE`. */
export type AirbyteStreamStatus = z.infer<typeof AirbyteStreamStatusSchema>;

/**
 * A stream's status change, with optional reasons (such as being rate limited).
 *
 * @example Validate a stream status trace
 * ```ts
 * import { AirbyteStreamStatusTraceMessageSchema } from "./messages.ts";
 * const status = { stream_descriptor: { name: "users" }, status: "RUNNING" };
 * if (!AirbyteStreamStatusTraceMessageSchema.safeParse(status).success) throw new Error();
 * ```
 */
export const AirbyteStreamStatusTraceMessageSchema = z.looseObject({
  stream_descriptor: StreamDescriptorSchema,
  status: AirbyteStreamStatusSchema,
  reasons: z
    .array(
      z.looseObject({
        type: z.enum(["RATE_LIMITED"]),
        rate_limited: z.looseObject({ quota_reset: z.number().nullish() }).nullish(),
      }),
    )
    .nullish(),
});
/** The `stream_status` of a STREAM_STATUS trace. */
export type AirbyteStreamStatusTraceMessage = z.infer<typeof AirbyteStreamStatusTraceMessageSchema>;

/**
 * A usage event specific to the connector.
 *
 * @example Validate an analytics event
 * ```ts
 * import { AirbyteAnalyticsTraceMessageSchema } from "./messages.ts";
 * if (!AirbyteAnalyticsTraceMessageSchema.safeParse({ type: "cursor-indexed", value: "2" }).success) {
 *   throw new Error();
 * }
 * ```
 */
export const AirbyteAnalyticsTraceMessageSchema = z.looseObject({
  type: z.string(),
  value: z.string().nullish(),
});
/** The `analytics` of an ANALYTICS trace. */
export type AirbyteAnalyticsTraceMessage = z.infer<typeof AirbyteAnalyticsTraceMessageSchema>;

/**
 * The body of a TRACE message. `type` says which of `error`, `estimate`, `stream_status` or
 * `analytics` is set.
 *
 * @example An error trace
 * ```ts
 * import { AirbyteTraceMessageSchema } from "./messages.ts";
 * const trace = { type: "ERROR", emitted_at: 1700000000000, error: { message: "Boom" } };
 * if (!AirbyteTraceMessageSchema.safeParse(trace).success) throw new Error();
 * ```
 */
export const AirbyteTraceMessageSchema = z.looseObject({
  type: z.enum(["ERROR", "ESTIMATE", "STREAM_STATUS", "ANALYTICS"]),
  emitted_at: z.number(),
  error: AirbyteErrorTraceMessageSchema.nullish(),
  estimate: AirbyteEstimateTraceMessageSchema.nullish(),
  stream_status: AirbyteStreamStatusTraceMessageSchema.nullish(),
  analytics: AirbyteAnalyticsTraceMessageSchema.nullish(),
});
/** The body of a TRACE message. */
export type AirbyteTraceMessage = z.infer<typeof AirbyteTraceMessageSchema>;

// ---------------------------------------------------------------------------------------------
// CONTROL

/**
 * A message to the orchestrator; today only CONNECTOR_CONFIG (persist an updated config, such
 * as a refreshed OAuth token).
 *
 * @example Validate a config update
 * ```ts
 * import { AirbyteControlMessageSchema } from "./messages.ts";
 * const control = { type: "CONNECTOR_CONFIG", emitted_at: 1, connectorConfig: { config: { token: "t" } } };
 * if (!AirbyteControlMessageSchema.safeParse(control).success) throw new Error();
 * ```
 */
export const AirbyteControlMessageSchema = z.looseObject({
  type: z.enum(["CONNECTOR_CONFIG"]),
  emitted_at: z.number(),
  connectorConfig: z.looseObject({ config: JsonObjectSchema }).nullish(),
});
/** The body of a CONTROL message. */
export type AirbyteControlMessage = z.infer<typeof AirbyteControlMessageSchema>;

// ---------------------------------------------------------------------------------------------
// DESTINATION_CATALOG

/**
 * The objects a destination can write to, and how.
 *
 * @example Validate a destination catalog
 * ```ts
 * import { DestinationCatalogSchema } from "./messages.ts";
 * const catalog = {
 *   operations: [{ object_name: "contacts", sync_mode: "update", json_schema: {}, matching_keys: [["id"]] }],
 * };
 * if (!DestinationCatalogSchema.safeParse(catalog).success) throw new Error();
 * ```
 */
export const DestinationCatalogSchema = z.looseObject({
  operations: z.array(
    z.looseObject({
      object_name: z.string(),
      sync_mode: DestinationSyncModeSchema,
      json_schema: JsonObjectSchema,
      matching_keys: z.array(z.array(z.string())).nullish(),
    }),
  ),
});
/** The body of a DESTINATION_CATALOG message. */
export type DestinationCatalog = z.infer<typeof DestinationCatalogSchema>;

// ---------------------------------------------------------------------------------------------
// The envelope

/**
 * Any Airbyte message, discriminated on `type`; each variant requires its body field.
 *
 * @example Narrow on type
 * ```ts
 * import { AirbyteMessageSchema } from "./messages.ts";
 * const msg = AirbyteMessageSchema.parse({ type: "LOG", log: { level: "INFO", message: "hi" } });
 * if (msg.type !== "LOG" || msg.log.message !== "hi") throw new Error();
 * ```
 */
export const AirbyteMessageSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("RECORD"), record: AirbyteRecordMessageSchema }),
  z.looseObject({ type: z.literal("STATE"), state: AirbyteStateMessageSchema }),
  z.looseObject({ type: z.literal("LOG"), log: AirbyteLogMessageSchema }),
  z.looseObject({ type: z.literal("SPEC"), spec: ConnectorSpecificationSchema }),
  z.looseObject({ type: z.literal("CONNECTION_STATUS"), connectionStatus: AirbyteConnectionStatusSchema }),
  z.looseObject({ type: z.literal("CATALOG"), catalog: AirbyteCatalogSchema }),
  z.looseObject({ type: z.literal("TRACE"), trace: AirbyteTraceMessageSchema }),
  z.looseObject({ type: z.literal("CONTROL"), control: AirbyteControlMessageSchema }),
  z.looseObject({ type: z.literal("DESTINATION_CATALOG"), destination_catalog: DestinationCatalogSchema }),
]);
/**
 * Any Airbyte message; narrow it on `type`.
 *
 * @example Narrow a message on its type
 * ```ts
 * import { type AirbyteMessage, AirbyteMessageSchema } from "./messages.ts";
 * const msg: AirbyteMessage = AirbyteMessageSchema.parse({ type: "LOG", log: { level: "INFO", message: "hi" } });
 * if (msg.type === "LOG" && msg.log.message !== "hi") throw new Error();
 * ```
 */
export type AirbyteMessage = z.infer<typeof AirbyteMessageSchema>;

/** The value of `AirbyteMessage.type`. */
export type AirbyteMessageType = AirbyteMessage["type"];

/**
 * The message variant of one type, e.g. `AirbyteMessageOf<"STATE">` has a required `state`.
 *
 * @example Type a RECORD message
 * ```ts
 * import type { AirbyteMessageOf } from "./messages.ts";
 * const msg: AirbyteMessageOf<"RECORD"> = { type: "RECORD", record: { stream: "s", data: {}, emitted_at: 0 } };
 * if (msg.record.stream !== "s") throw new Error();
 * ```
 */
export type AirbyteMessageOf<T extends AirbyteMessageType> = Extract<AirbyteMessage, { type: T }>;

/**
 * Every message type the protocol defines, in the spec's order.
 *
 * @example List the types
 * ```ts
 * import { AIRBYTE_MESSAGE_TYPES } from "./messages.ts";
 * if (AIRBYTE_MESSAGE_TYPES[0] !== "RECORD" || !AIRBYTE_MESSAGE_TYPES.includes("TRACE")) throw new Error();
 * ```
 */
export const AIRBYTE_MESSAGE_TYPES: readonly AirbyteMessageType[] = [
  "RECORD",
  "STATE",
  "LOG",
  "SPEC",
  "CONNECTION_STATUS",
  "CATALOG",
  "TRACE",
  "CONTROL",
  "DESTINATION_CATALOG",
];

const knownTypes = new Set<string>(AIRBYTE_MESSAGE_TYPES);

/**
 * Is `value` one of the protocol's message types?
 *
 * @example Check message types
 * ```ts
 * import { isAirbyteMessageType } from "./messages.ts";
 * if (!isAirbyteMessageType("TRACE") || isAirbyteMessageType("trace")) throw new Error();
 * ```
 */
export function isAirbyteMessageType(value: unknown): value is AirbyteMessageType {
  return typeof value === "string" && knownTypes.has(value);
}

/** The result of {@linkcode parseAirbyteMessage}. */
export type AirbyteMessageValidation =
  | { success: true; message: AirbyteMessage }
  | { success: false; issues: string };

/**
 * Validate an already-parsed JSON value as an Airbyte message with the full zod schema. On
 * success the input object itself is returned (validation does not copy or reorder it), so its
 * unknown keys and key order survive.
 *
 * @param value A value produced by `JSON.parse`.
 * @returns `{ success: true, message }`, or `{ success: false, issues }` with a one-line summary.
 *
 * @example Keep unknown keys
 * ```ts
 * import { parseAirbyteMessage } from "./messages.ts";
 * const input = { type: "STATE", state: { type: "LEGACY", data: { a: 1 }, extra: true } };
 * const result = parseAirbyteMessage(input);
 * if (!result.success || result.message !== input) throw new Error();
 * ```
 */
export function parseAirbyteMessage(value: unknown): AirbyteMessageValidation {
  const result = AirbyteMessageSchema.safeParse(value);
  if (result.success) return { success: true, message: value as AirbyteMessage };
  return { success: false, issues: summarizeIssues(result.error) };
}

/** One line naming each problem by path, e.g. `record.stream: expected string`. */
function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
