/**
 * The Airbyte protocol (v0) messages: a TypeScript interface for each, and a zod schema that
 * validates it. Field names and enums follow `airbyte_protocol.yaml` of airbytehq/airbyte-protocol.
 *
 * The interfaces are the contract; each schema must match its interface exactly, and the
 * compiler checks that it does (`schemaFor`). Every object is loose: keys the protocol adds later
 * are kept (the interfaces say so with an index signature), so a state message a connector emits
 * can be stored and handed back to it unchanged. Validation never transforms a value, which is why
 * {@linkcode parseAirbyteMessage} returns the input object itself (same key order, same content)
 * rather than zod's copy.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { schemaFor } from "./_schema_for.ts";

/**
 * Any JSON object: record data, state blobs, JSON Schemas, configs.
 *
 * @example A record's data
 * ```ts
 * import type { JsonObject } from "./messages.ts";
 * const data: JsonObject = { id: 1, tags: ["a"] };
 * if (data.id !== 1) throw new Error();
 * ```
 */
export type JsonObject = Record<string, unknown>;

/** A JSON object whose content the protocol leaves open. */
const JsonObjectSchema: z.ZodType<JsonObject, JsonObject> = schemaFor<JsonObject>()(
  z.record(z.string(), z.unknown()),
);

// ---------------------------------------------------------------------------------------------
// Shared pieces

/**
 * A stream's name and optional namespace.
 *
 * @example Name a stream in a schema
 * ```ts
 * import type { StreamDescriptor } from "./messages.ts";
 * const users: StreamDescriptor = { name: "users", namespace: "public" };
 * if (users.name !== "users") throw new Error();
 * ```
 */
export interface StreamDescriptor {
  /** The stream's name. */
  name: string;
  /** The stream's namespace (a database schema, for example); absent or `null` for none. */
  namespace?: string | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

/**
 * Names a stream; `namespace` is optional.
 *
 * @example Validate a descriptor
 * ```ts
 * import { StreamDescriptorSchema } from "./messages.ts";
 * if (!StreamDescriptorSchema.safeParse({ name: "users" }).success) throw new Error();
 * ```
 */
export const StreamDescriptorSchema: z.ZodType<StreamDescriptor, StreamDescriptor> = schemaFor<
  StreamDescriptor
>()(z.looseObject({
  name: z.string(),
  namespace: z.string().nullish(),
}));

/**
 * `full_refresh` or `incremental`: everything each time, or only what changed since the last state.
 *
 * @example Pick a sync mode
 * ```ts
 * import type { SyncMode } from "./messages.ts";
 * const mode: SyncMode = "incremental";
 * if (mode !== "incremental") throw new Error();
 * ```
 */
export type SyncMode = "full_refresh" | "incremental";

/**
 * How a stream can be read: everything each time, or only what changed since the last state.
 *
 * @example Validate a sync mode
 * ```ts
 * import { SyncModeSchema } from "./messages.ts";
 * if (SyncModeSchema.parse("incremental") !== "incremental") throw new Error();
 * ```
 */
export const SyncModeSchema: z.ZodType<SyncMode, SyncMode> = schemaFor<SyncMode>()(
  z.enum(["full_refresh", "incremental"]),
);

/**
 * How a destination writes a stream. The union of the modes protocol versions have defined
 * (`overwrite_dedup` comes from the platform, `update`/`soft_delete` from data activation).
 *
 * @example Pick a destination sync mode
 * ```ts
 * import type { DestinationSyncMode } from "./messages.ts";
 * const mode: DestinationSyncMode = "append_dedup";
 * if (!mode.endsWith("_dedup")) throw new Error();
 * ```
 */
export type DestinationSyncMode =
  | "append"
  | "overwrite"
  | "append_dedup"
  | "overwrite_dedup"
  | "update"
  | "soft_delete";

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
export const DestinationSyncModeSchema: z.ZodType<DestinationSyncMode, DestinationSyncMode> = schemaFor<
  DestinationSyncMode
>()(z.enum([
  "append",
  "overwrite",
  "append_dedup",
  "overwrite_dedup",
  "update",
  "soft_delete",
]));

// ---------------------------------------------------------------------------------------------
// RECORD

/**
 * A change made to a record's content mid-sync: a field nulled or truncated, and why.
 *
 * @example A truncated field
 * ```ts
 * import type { AirbyteRecordMessageMetaChange } from "./messages.ts";
 * const change: AirbyteRecordMessageMetaChange = {
 *   field: "bio", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION",
 * };
 * if (change.change !== "TRUNCATED") throw new Error();
 * ```
 */
export interface AirbyteRecordMessageMetaChange {
  /** The field that changed (its path, dot-separated). */
  field: string;
  /** What was done to it. */
  change: "NULLED" | "TRUNCATED";
  /** Why, and which party did it. */
  reason:
    | "SOURCE_RECORD_SIZE_LIMITATION"
    | "DESTINATION_RECORD_SIZE_LIMITATION"
    | "PLATFORM_RECORD_SIZE_LIMITATION"
    | "SOURCE_FIELD_SIZE_LIMITATION"
    | "DESTINATION_FIELD_SIZE_LIMITATION"
    | "PLATFORM_FIELD_SIZE_LIMITATION"
    | "SOURCE_SERIALIZATION_ERROR"
    | "DESTINATION_SERIALIZATION_ERROR"
    | "PLATFORM_SERIALIZATION_ERROR"
    | "SOURCE_RETRIEVAL_ERROR"
    | "DESTINATION_TYPECAST_ERROR";
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteRecordMessageMetaChangeSchema: z.ZodType<
  AirbyteRecordMessageMetaChange,
  AirbyteRecordMessageMetaChange
> = schemaFor<AirbyteRecordMessageMetaChange>()(z.looseObject({
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
}));

/**
 * A record's `meta`: information about the record added mid-sync.
 *
 * @example A record whose field was nulled
 * ```ts
 * import type { AirbyteRecordMessageMeta } from "./messages.ts";
 * const meta: AirbyteRecordMessageMeta = {
 *   changes: [{ field: "avatar", change: "NULLED", reason: "SOURCE_FIELD_SIZE_LIMITATION" }],
 * };
 * if (meta.changes?.length !== 1) throw new Error();
 * ```
 */
export interface AirbyteRecordMessageMeta {
  /** Changes made to the record's content. */
  changes?: AirbyteRecordMessageMetaChange[] | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

/**
 * Information about a record added mid-sync.
 *
 * @example Validate a record's meta
 * ```ts
 * import { AirbyteRecordMessageMetaSchema } from "./messages.ts";
 * if (!AirbyteRecordMessageMetaSchema.safeParse({ changes: [] }).success) throw new Error();
 * ```
 */
export const AirbyteRecordMessageMetaSchema: z.ZodType<AirbyteRecordMessageMeta, AirbyteRecordMessageMeta> =
  schemaFor<AirbyteRecordMessageMeta>()(z.looseObject({
    changes: z.array(AirbyteRecordMessageMetaChangeSchema).nullish(),
  }));

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
export interface AirbyteRecordMessage {
  /** The stream the record belongs to. */
  stream: string;
  /** The stream's namespace, if it has one. */
  namespace?: string | null;
  /** The record's content. */
  data: JsonObject;
  /** When the record was read, in epoch milliseconds. The spec says integer; a number is accepted. */
  emitted_at: number;
  /** Changes made to the record mid-sync. */
  meta?: AirbyteRecordMessageMeta | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteRecordMessageSchema: z.ZodType<AirbyteRecordMessage, AirbyteRecordMessage> = schemaFor<
  AirbyteRecordMessage
>()(z.looseObject({
  stream: z.string(),
  namespace: z.string().nullish(),
  data: JsonObjectSchema,
  emitted_at: z.number(),
  meta: AirbyteRecordMessageMetaSchema.nullish(),
}));

// ---------------------------------------------------------------------------------------------
// STATE

/**
 * `GLOBAL`, `STREAM` or `LEGACY`: which field of a state message holds the state.
 *
 * @example Tell per-stream state apart
 * ```ts
 * import type { AirbyteStateType } from "./messages.ts";
 * const perStream = (type: AirbyteStateType) => type === "STREAM";
 * if (!perStream("STREAM") || perStream("GLOBAL")) throw new Error();
 * ```
 */
export type AirbyteStateType = "GLOBAL" | "STREAM" | "LEGACY";

/**
 * Which field of a state message holds the state. Absent means LEGACY.
 *
 * @example Validate a state type
 * ```ts
 * import { AirbyteStateTypeSchema } from "./messages.ts";
 * if (!AirbyteStateTypeSchema.safeParse("GLOBAL").success) throw new Error();
 * ```
 */
export const AirbyteStateTypeSchema: z.ZodType<AirbyteStateType, AirbyteStateType> = schemaFor<
  AirbyteStateType
>()(z.enum(["GLOBAL", "STREAM", "LEGACY"]));

/**
 * One stream's state.
 *
 * @example A cursor for the users stream
 * ```ts
 * import type { AirbyteStreamState } from "./messages.ts";
 * const s: AirbyteStreamState = { stream_descriptor: { name: "users" }, stream_state: { cursor: "2024-01-01" } };
 * if (s.stream_descriptor.name !== "users") throw new Error();
 * ```
 */
export interface AirbyteStreamState {
  /** The stream this state belongs to. */
  stream_descriptor: StreamDescriptor;
  /** The connector's state for the stream, opaque to everyone else. */
  stream_state?: JsonObject | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteStreamStateSchema: z.ZodType<AirbyteStreamState, AirbyteStreamState> = schemaFor<
  AirbyteStreamState
>()(z.looseObject({
  stream_descriptor: StreamDescriptorSchema,
  stream_state: JsonObjectSchema.nullish(),
}));

/**
 * A GLOBAL state's body: a state shared by all streams plus each stream's own.
 *
 * @example A CDC position with one stream's state
 * ```ts
 * import type { AirbyteGlobalState } from "./messages.ts";
 * const g: AirbyteGlobalState = {
 *   shared_state: { lsn: 42 },
 *   stream_states: [{ stream_descriptor: { name: "users" }, stream_state: { pk: 10 } }],
 * };
 * if (g.stream_states.length !== 1) throw new Error();
 * ```
 */
export interface AirbyteGlobalState {
  /** The state all streams share, such as a CDC log position. */
  shared_state?: JsonObject | null;
  /** Each stream's own state. */
  stream_states: AirbyteStreamState[];
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteGlobalStateSchema: z.ZodType<AirbyteGlobalState, AirbyteGlobalState> = schemaFor<
  AirbyteGlobalState
>()(z.looseObject({
  shared_state: JsonObjectSchema.nullish(),
  stream_states: z.array(AirbyteStreamStateSchema),
}));

/**
 * `sourceStats` / `destinationStats` of a state message: counts since the previous state.
 *
 * @example Ten records behind this state
 * ```ts
 * import type { AirbyteStateStats } from "./messages.ts";
 * const stats: AirbyteStateStats = { recordCount: 10 };
 * if (stats.recordCount !== 10) throw new Error();
 * ```
 */
export interface AirbyteStateStats {
  /** Records emitted (source) or committed (destination) since the previous state. */
  recordCount?: number | null;
  /** Records the destination rejected since the previous state. */
  rejectedRecordCount?: number | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

/**
 * Counts attached to a state message by the source or the destination.
 *
 * @example Validate state stats
 * ```ts
 * import { AirbyteStateStatsSchema } from "./messages.ts";
 * if (!AirbyteStateStatsSchema.safeParse({ recordCount: 10.0 }).success) throw new Error();
 * ```
 */
export const AirbyteStateStatsSchema: z.ZodType<AirbyteStateStats, AirbyteStateStats> = schemaFor<
  AirbyteStateStats
>()(z.looseObject({
  recordCount: z.number().nullish(),
  rejectedRecordCount: z.number().nullish(),
}));

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
export interface AirbyteStateMessage {
  /** Which of `stream`, `global` or `data` holds the state; absent means LEGACY. */
  type?: AirbyteStateType | null;
  /** The state of one stream (STREAM). */
  stream?: AirbyteStreamState | null;
  /** The shared state and every stream's own (GLOBAL). */
  global?: AirbyteGlobalState | null;
  /** Deprecated: the LEGACY state blob. */
  data?: JsonObject | null;
  /** What the source counted since the previous state. */
  sourceStats?: AirbyteStateStats | null;
  /** What the destination counted since the previous state. */
  destinationStats?: AirbyteStateStats | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteStateMessageSchema: z.ZodType<AirbyteStateMessage, AirbyteStateMessage> = schemaFor<
  AirbyteStateMessage
>()(z.looseObject({
  type: AirbyteStateTypeSchema.nullish(),
  stream: AirbyteStreamStateSchema.nullish(),
  global: AirbyteGlobalStateSchema.nullish(),
  data: JsonObjectSchema.nullish(),
  sourceStats: AirbyteStateStatsSchema.nullish(),
  destinationStats: AirbyteStateStatsSchema.nullish(),
}));

// ---------------------------------------------------------------------------------------------
// LOG

/**
 * The body of a LOG message: a log line from the connector.
 *
 * @example A warning
 * ```ts
 * import type { AirbyteLogMessage } from "./messages.ts";
 * const log: AirbyteLogMessage = { level: "WARN", message: "Rate limited, retrying" };
 * if (log.level !== "WARN") throw new Error();
 * ```
 */
export interface AirbyteLogMessage {
  /** The log level. */
  level: "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";
  /** The log line. */
  message: string;
  /** A stack trace, for errors. */
  stack_trace?: string | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

/**
 * A log line from the connector.
 *
 * @example Validate a log message
 * ```ts
 * import { AirbyteLogMessageSchema } from "./messages.ts";
 * if (!AirbyteLogMessageSchema.safeParse({ level: "INFO", message: "Starting" }).success) throw new Error();
 * ```
 */
export const AirbyteLogMessageSchema: z.ZodType<AirbyteLogMessage, AirbyteLogMessage> = schemaFor<
  AirbyteLogMessage
>()(z.looseObject({
  level: z.enum(["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"]),
  message: z.string(),
  stack_trace: z.string().nullish(),
}));

// ---------------------------------------------------------------------------------------------
// SPEC

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
export interface ConnectorSpecification {
  /** Where the connector's documentation lives. */
  documentationUrl?: string | null;
  /** Where its changelog lives. */
  changelogUrl?: string | null;
  /** The JSON Schema its config must satisfy. */
  connectionSpecification: JsonObject;
  /** Whether the source can read incrementally. */
  supportsIncremental?: boolean | null;
  /** Whether the destination supports normalization (deprecated by the protocol). */
  supportsNormalization?: boolean | null;
  /** Whether the destination supports dbt (deprecated by the protocol). */
  supportsDBT?: boolean | null;
  /** The sync modes a destination supports. */
  supported_destination_sync_modes?: DestinationSyncMode[] | null;
  /** Deprecated in favour of `advanced_auth`. */
  authSpecification?: JsonObject | null;
  /** How the connector's OAuth flow maps onto its config. */
  advanced_auth?: JsonObject | null;
  /** The protocol version the connector speaks, e.g. `0.2.0`. */
  protocol_version?: string | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const ConnectorSpecificationSchema: z.ZodType<ConnectorSpecification, ConnectorSpecification> =
  schemaFor<ConnectorSpecification>()(z.looseObject({
    documentationUrl: z.string().nullish(),
    changelogUrl: z.string().nullish(),
    connectionSpecification: JsonObjectSchema,
    supportsIncremental: z.boolean().nullish(),
    supportsNormalization: z.boolean().nullish(),
    supportsDBT: z.boolean().nullish(),
    supported_destination_sync_modes: z.array(DestinationSyncModeSchema).nullish(),
    authSpecification: JsonObjectSchema.nullish(),
    advanced_auth: JsonObjectSchema.nullish(),
    protocol_version: z.string().nullish(),
  }));

// ---------------------------------------------------------------------------------------------
// CONNECTION_STATUS

/**
 * The body of a CONNECTION_STATUS message: the outcome of `check`.
 *
 * @example A failed check
 * ```ts
 * import type { AirbyteConnectionStatus } from "./messages.ts";
 * const status: AirbyteConnectionStatus = { status: "FAILED", message: "Wrong password" };
 * if (status.status === "SUCCEEDED") throw new Error();
 * ```
 */
export interface AirbyteConnectionStatus {
  /** Whether the connector could connect with the config. */
  status: "SUCCEEDED" | "FAILED";
  /** Why it failed, for people. */
  message?: string | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteConnectionStatusSchema: z.ZodType<AirbyteConnectionStatus, AirbyteConnectionStatus> =
  schemaFor<AirbyteConnectionStatus>()(z.looseObject({
    status: z.enum(["SUCCEEDED", "FAILED"]),
    message: z.string().nullish(),
  }));

// ---------------------------------------------------------------------------------------------
// CATALOG

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
export interface AirbyteStream {
  /** The stream's name. */
  name: string;
  /** The JSON Schema of its records. */
  json_schema: JsonObject;
  /** How it can be read. */
  supported_sync_modes: SyncMode[];
  /** Whether the source decides the cursor (then `default_cursor_field` is it). */
  source_defined_cursor?: boolean | null;
  /** The cursor's path, when the source suggests or defines one. */
  default_cursor_field?: string[] | null;
  /** Paths of the primary key's fields (each path a list of keys), when the source defines one. */
  source_defined_primary_key?: string[][] | null;
  /** The stream's namespace, if it has one. */
  namespace?: string | null;
  /** Whether an interrupted full refresh can resume where it stopped. */
  is_resumable?: boolean | null;
  /** Whether the stream carries files as well as records. */
  is_file_based?: boolean | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteStreamSchema: z.ZodType<AirbyteStream, AirbyteStream> = schemaFor<AirbyteStream>()(
  z.looseObject({
    name: z.string(),
    json_schema: JsonObjectSchema,
    supported_sync_modes: z.array(SyncModeSchema),
    source_defined_cursor: z.boolean().nullish(),
    default_cursor_field: z.array(z.string()).nullish(),
    source_defined_primary_key: z.array(z.array(z.string())).nullish(),
    namespace: z.string().nullish(),
    is_resumable: z.boolean().nullish(),
    is_file_based: z.boolean().nullish(),
  }),
);

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
export interface AirbyteCatalog {
  /** The streams. */
  streams: AirbyteStream[];
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

/**
 * The streams a source offers, as returned by `discover`.
 *
 * @example Validate an empty catalog
 * ```ts
 * import { AirbyteCatalogSchema } from "./messages.ts";
 * if (!AirbyteCatalogSchema.safeParse({ streams: [] }).success) throw new Error();
 * ```
 */
export const AirbyteCatalogSchema: z.ZodType<AirbyteCatalog, AirbyteCatalog> = schemaFor<AirbyteCatalog>()(
  z.looseObject({
    streams: z.array(AirbyteStreamSchema),
  }),
);

// ---------------------------------------------------------------------------------------------
// TRACE

/**
 * The `error` of an ERROR trace: why a connector failed.
 *
 * @example A configuration error
 * ```ts
 * import type { AirbyteErrorTraceMessage } from "./messages.ts";
 * const error: AirbyteErrorTraceMessage = { message: "Bad API key", failure_type: "config_error" };
 * if (error.failure_type !== "config_error") throw new Error();
 * ```
 */
export interface AirbyteErrorTraceMessage {
  /** What went wrong, for people. */
  message: string;
  /** The internal error message, for developers. */
  internal_message?: string | null;
  /** The stack trace. */
  stack_trace?: string | null;
  /** Who is to blame: the connector (`system_error`), the config, or a passing condition. */
  failure_type?: "system_error" | "config_error" | "transient_error" | null;
  /** The stream the error is about, if it is about one. */
  stream_descriptor?: StreamDescriptor | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteErrorTraceMessageSchema: z.ZodType<AirbyteErrorTraceMessage, AirbyteErrorTraceMessage> =
  schemaFor<AirbyteErrorTraceMessage>()(z.looseObject({
    message: z.string(),
    internal_message: z.string().nullish(),
    stack_trace: z.string().nullish(),
    failure_type: z.enum(["system_error", "config_error", "transient_error"]).nullish(),
    stream_descriptor: StreamDescriptorSchema.nullish(),
  }));

/**
 * The `estimate` of an ESTIMATE trace: how much a stream (or the whole sync) will produce.
 *
 * @example A stream of about 1000 rows
 * ```ts
 * import type { AirbyteEstimateTraceMessage } from "./messages.ts";
 * const estimate: AirbyteEstimateTraceMessage = { name: "users", type: "STREAM", row_estimate: 1000 };
 * if (estimate.row_estimate !== 1000) throw new Error();
 * ```
 */
export interface AirbyteEstimateTraceMessage {
  /** The stream's name (for a SYNC estimate, whatever the connector chose). */
  name: string;
  /** Whether this estimates one stream or the whole sync. */
  type: "STREAM" | "SYNC";
  /** The stream's namespace, if it has one. */
  namespace?: string | null;
  /** Records expected. */
  row_estimate?: number | null;
  /** Bytes expected. */
  byte_estimate?: number | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteEstimateTraceMessageSchema: z.ZodType<
  AirbyteEstimateTraceMessage,
  AirbyteEstimateTraceMessage
> = schemaFor<AirbyteEstimateTraceMessage>()(z.looseObject({
  name: z.string(),
  type: z.enum(["STREAM", "SYNC"]),
  namespace: z.string().nullish(),
  row_estimate: z.number().nullish(),
  byte_estimate: z.number().nullish(),
}));

/**
 * `STARTED`, `RUNNING`, `COMPLETE` or `INCOMPLETE`: where a stream is in its sync.
 *
 * @example Tell finished streams apart
 * ```ts
 * import type { AirbyteStreamStatus } from "./messages.ts";
 * const ended = (status: AirbyteStreamStatus) => status === "COMPLETE" || status === "INCOMPLETE";
 * if (!ended("COMPLETE") || ended("RUNNING")) throw new Error();
 * ```
 */
export type AirbyteStreamStatus = "STARTED" | "RUNNING" | "COMPLETE" | "INCOMPLETE";

/**
 * Where a stream is in its sync.
 *
 * @example Validate a stream status
 * ```ts
 * import { AirbyteStreamStatusSchema } from "./messages.ts";
 * if (!AirbyteStreamStatusSchema.safeParse("COMPLETE").success) throw new Error();
 * ```
 */
export const AirbyteStreamStatusSchema: z.ZodType<AirbyteStreamStatus, AirbyteStreamStatus> = schemaFor<
  AirbyteStreamStatus
>()(z.enum(["STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"]));

/**
 * The details of a `RATE_LIMITED` stream status reason.
 *
 * @example Limited until a moment
 * ```ts
 * import type { AirbyteStreamStatusRateLimited } from "./messages.ts";
 * const limited: AirbyteStreamStatusRateLimited = { quota_reset: 1700000060000 };
 * if (!limited.quota_reset) throw new Error();
 * ```
 */
export interface AirbyteStreamStatusRateLimited {
  /** When the quota resets, in epoch milliseconds. */
  quota_reset?: number | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

const AirbyteStreamStatusRateLimitedSchema: z.ZodType<
  AirbyteStreamStatusRateLimited,
  AirbyteStreamStatusRateLimited
> = schemaFor<AirbyteStreamStatusRateLimited>()(z.looseObject({ quota_reset: z.number().nullish() }));

/**
 * Why a stream has its status, such as being rate limited.
 *
 * @example Rate limited
 * ```ts
 * import type { AirbyteStreamStatusReason } from "./messages.ts";
 * const reason: AirbyteStreamStatusReason = { type: "RATE_LIMITED", rate_limited: { quota_reset: 1700000060000 } };
 * if (reason.type !== "RATE_LIMITED") throw new Error();
 * ```
 */
export interface AirbyteStreamStatusReason {
  /** The kind of reason. */
  type: "RATE_LIMITED";
  /** The details when `type` is `RATE_LIMITED`. */
  rate_limited?: AirbyteStreamStatusRateLimited | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

const AirbyteStreamStatusReasonSchema: z.ZodType<AirbyteStreamStatusReason, AirbyteStreamStatusReason> =
  schemaFor<AirbyteStreamStatusReason>()(z.looseObject({
    type: z.enum(["RATE_LIMITED"]),
    rate_limited: AirbyteStreamStatusRateLimitedSchema.nullish(),
  }));

/**
 * The `stream_status` of a STREAM_STATUS trace: a stream's status change.
 *
 * @example A stream that completed
 * ```ts
 * import type { AirbyteStreamStatusTraceMessage } from "./messages.ts";
 * const status: AirbyteStreamStatusTraceMessage = { stream_descriptor: { name: "users" }, status: "COMPLETE" };
 * if (status.status !== "COMPLETE") throw new Error();
 * ```
 */
export interface AirbyteStreamStatusTraceMessage {
  /** The stream. */
  stream_descriptor: StreamDescriptor;
  /** Its new status. */
  status: AirbyteStreamStatus;
  /** Why, such as being rate limited. */
  reasons?: AirbyteStreamStatusReason[] | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteStreamStatusTraceMessageSchema: z.ZodType<
  AirbyteStreamStatusTraceMessage,
  AirbyteStreamStatusTraceMessage
> = schemaFor<AirbyteStreamStatusTraceMessage>()(z.looseObject({
  stream_descriptor: StreamDescriptorSchema,
  status: AirbyteStreamStatusSchema,
  reasons: z.array(AirbyteStreamStatusReasonSchema).nullish(),
}));

/**
 * The `analytics` of an ANALYTICS trace: a usage event specific to the connector.
 *
 * @example An analytics event
 * ```ts
 * import type { AirbyteAnalyticsTraceMessage } from "./messages.ts";
 * const event: AirbyteAnalyticsTraceMessage = { type: "cursor-indexed", value: "2" };
 * if (event.type !== "cursor-indexed") throw new Error();
 * ```
 */
export interface AirbyteAnalyticsTraceMessage {
  /** The event's name. */
  type: string;
  /** Its value. */
  value?: string | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteAnalyticsTraceMessageSchema: z.ZodType<
  AirbyteAnalyticsTraceMessage,
  AirbyteAnalyticsTraceMessage
> = schemaFor<AirbyteAnalyticsTraceMessage>()(z.looseObject({
  type: z.string(),
  value: z.string().nullish(),
}));

/**
 * The body of a TRACE message. `type` says which of `error`, `estimate`, `stream_status` or
 * `analytics` is set.
 *
 * @example An error trace
 * ```ts
 * import type { AirbyteTraceMessage } from "./messages.ts";
 * const trace: AirbyteTraceMessage = { type: "ERROR", emitted_at: 1700000000000, error: { message: "Boom" } };
 * if (trace.error?.message !== "Boom") throw new Error();
 * ```
 */
export interface AirbyteTraceMessage {
  /** Which of the fields below is set. */
  type: "ERROR" | "ESTIMATE" | "STREAM_STATUS" | "ANALYTICS";
  /** When the trace was emitted, in epoch milliseconds. */
  emitted_at: number;
  /** The failure (ERROR). */
  error?: AirbyteErrorTraceMessage | null;
  /** The estimate (ESTIMATE). */
  estimate?: AirbyteEstimateTraceMessage | null;
  /** The status change (STREAM_STATUS). */
  stream_status?: AirbyteStreamStatusTraceMessage | null;
  /** The usage event (ANALYTICS). */
  analytics?: AirbyteAnalyticsTraceMessage | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteTraceMessageSchema: z.ZodType<AirbyteTraceMessage, AirbyteTraceMessage> = schemaFor<
  AirbyteTraceMessage
>()(z.looseObject({
  type: z.enum(["ERROR", "ESTIMATE", "STREAM_STATUS", "ANALYTICS"]),
  emitted_at: z.number(),
  error: AirbyteErrorTraceMessageSchema.nullish(),
  estimate: AirbyteEstimateTraceMessageSchema.nullish(),
  stream_status: AirbyteStreamStatusTraceMessageSchema.nullish(),
  analytics: AirbyteAnalyticsTraceMessageSchema.nullish(),
}));

// ---------------------------------------------------------------------------------------------
// CONTROL

/**
 * The `connectorConfig` of a CONNECTOR_CONFIG control message: the config to persist.
 *
 * @example A refreshed token
 * ```ts
 * import type { AirbyteControlConnectorConfigMessage } from "./messages.ts";
 * const update: AirbyteControlConnectorConfigMessage = { config: { token: "new" } };
 * if (update.config.token !== "new") throw new Error();
 * ```
 */
export interface AirbyteControlConnectorConfigMessage {
  /** The connector's whole updated config. */
  config: JsonObject;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

const AirbyteControlConnectorConfigMessageSchema: z.ZodType<
  AirbyteControlConnectorConfigMessage,
  AirbyteControlConnectorConfigMessage
> = schemaFor<AirbyteControlConnectorConfigMessage>()(z.looseObject({ config: JsonObjectSchema }));

/**
 * The body of a CONTROL message: a message to the orchestrator.
 *
 * @example A config update
 * ```ts
 * import type { AirbyteControlMessage } from "./messages.ts";
 * const control: AirbyteControlMessage = { type: "CONNECTOR_CONFIG", emitted_at: 1, connectorConfig: { config: {} } };
 * if (control.type !== "CONNECTOR_CONFIG") throw new Error();
 * ```
 */
export interface AirbyteControlMessage {
  /** The kind of control message; today only `CONNECTOR_CONFIG`. */
  type: "CONNECTOR_CONFIG";
  /** When it was emitted, in epoch milliseconds. */
  emitted_at: number;
  /** The config to persist (CONNECTOR_CONFIG). */
  connectorConfig?: AirbyteControlConnectorConfigMessage | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const AirbyteControlMessageSchema: z.ZodType<AirbyteControlMessage, AirbyteControlMessage> = schemaFor<
  AirbyteControlMessage
>()(z.looseObject({
  type: z.enum(["CONNECTOR_CONFIG"]),
  emitted_at: z.number(),
  connectorConfig: AirbyteControlConnectorConfigMessageSchema.nullish(),
}));

// ---------------------------------------------------------------------------------------------
// DESTINATION_CATALOG

/**
 * One object a destination can write to, and how.
 *
 * @example Upsert contacts by id
 * ```ts
 * import type { DestinationOperation } from "./messages.ts";
 * const op: DestinationOperation = { object_name: "contacts", sync_mode: "update", json_schema: {}, matching_keys: [["id"]] };
 * if (op.sync_mode !== "update") throw new Error();
 * ```
 */
export interface DestinationOperation {
  /** The destination object's name. */
  object_name: string;
  /** How records are written to it. */
  sync_mode: DestinationSyncMode;
  /** The JSON Schema of the records it takes. */
  json_schema: JsonObject;
  /** Paths of the fields that identify a record, for `update` and `soft_delete`. */
  matching_keys?: string[][] | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

const DestinationOperationSchema: z.ZodType<DestinationOperation, DestinationOperation> = schemaFor<
  DestinationOperation
>()(z.looseObject({
  object_name: z.string(),
  sync_mode: DestinationSyncModeSchema,
  json_schema: JsonObjectSchema,
  matching_keys: z.array(z.array(z.string())).nullish(),
}));

/**
 * The body of a DESTINATION_CATALOG message: the objects a destination can write to.
 *
 * @example One writable object
 * ```ts
 * import type { DestinationCatalog } from "./messages.ts";
 * const catalog: DestinationCatalog = { operations: [{ object_name: "contacts", sync_mode: "append", json_schema: {} }] };
 * if (catalog.operations.length !== 1) throw new Error();
 * ```
 */
export interface DestinationCatalog {
  /** The objects and how each can be written. */
  operations: DestinationOperation[];
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

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
export const DestinationCatalogSchema: z.ZodType<DestinationCatalog, DestinationCatalog> = schemaFor<
  DestinationCatalog
>()(z.looseObject({
  operations: z.array(DestinationOperationSchema),
}));

// ---------------------------------------------------------------------------------------------
// The envelope

/**
 * Any Airbyte message; narrow it on `type`. Each variant requires its body field; other keys are
 * kept.
 *
 * @example Narrow a message on its type
 * ```ts
 * import { type AirbyteMessage, AirbyteMessageSchema } from "./messages.ts";
 * const msg: AirbyteMessage = AirbyteMessageSchema.parse({ type: "LOG", log: { level: "INFO", message: "hi" } });
 * if (msg.type === "LOG" && msg.log.message !== "hi") throw new Error();
 * ```
 */
export type AirbyteMessage =
  | { type: "RECORD"; record: AirbyteRecordMessage; [key: string]: unknown }
  | { type: "STATE"; state: AirbyteStateMessage; [key: string]: unknown }
  | { type: "LOG"; log: AirbyteLogMessage; [key: string]: unknown }
  | { type: "SPEC"; spec: ConnectorSpecification; [key: string]: unknown }
  | { type: "CONNECTION_STATUS"; connectionStatus: AirbyteConnectionStatus; [key: string]: unknown }
  | { type: "CATALOG"; catalog: AirbyteCatalog; [key: string]: unknown }
  | { type: "TRACE"; trace: AirbyteTraceMessage; [key: string]: unknown }
  | { type: "CONTROL"; control: AirbyteControlMessage; [key: string]: unknown }
  | { type: "DESTINATION_CATALOG"; destination_catalog: DestinationCatalog; [key: string]: unknown };

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
export const AirbyteMessageSchema: z.ZodType<AirbyteMessage, AirbyteMessage> = schemaFor<AirbyteMessage>()(
  z.discriminatedUnion("type", [
    z.looseObject({ type: z.literal("RECORD"), record: AirbyteRecordMessageSchema }),
    z.looseObject({ type: z.literal("STATE"), state: AirbyteStateMessageSchema }),
    z.looseObject({ type: z.literal("LOG"), log: AirbyteLogMessageSchema }),
    z.looseObject({ type: z.literal("SPEC"), spec: ConnectorSpecificationSchema }),
    z.looseObject({ type: z.literal("CONNECTION_STATUS"), connectionStatus: AirbyteConnectionStatusSchema }),
    z.looseObject({ type: z.literal("CATALOG"), catalog: AirbyteCatalogSchema }),
    z.looseObject({ type: z.literal("TRACE"), trace: AirbyteTraceMessageSchema }),
    z.looseObject({ type: z.literal("CONTROL"), control: AirbyteControlMessageSchema }),
    z.looseObject({ type: z.literal("DESTINATION_CATALOG"), destination_catalog: DestinationCatalogSchema }),
  ]),
);

/**
 * The value of `AirbyteMessage.type`.
 *
 * @example Route on the message type
 * ```ts
 * import type { AirbyteMessageType } from "./messages.ts";
 * const isData = (type: AirbyteMessageType) => type === "RECORD" || type === "STATE";
 * if (!isData("STATE") || isData("LOG")) throw new Error();
 * ```
 */
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
