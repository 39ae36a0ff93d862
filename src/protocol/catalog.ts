/**
 * The configured catalog: which streams to read and how, as handed to a connector's `read`
 * (and a destination's `write`). As in `messages.ts`, each type is an interface (the contract)
 * and its schema must match it exactly, which the compiler checks; unknown keys are kept.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import {
  type AirbyteStream,
  AirbyteStreamSchema,
  type DestinationSyncMode,
  DestinationSyncModeSchema,
  type SyncMode,
  SyncModeSchema,
} from "./messages.ts";
import { schemaFor } from "./_schema_for.ts";

/**
 * One stream of a configured catalog, with its sync modes, keys and generation ids.
 *
 * @example An incremental, deduplicated stream
 * ```ts
 * import type { ConfiguredAirbyteStream } from "./catalog.ts";
 * const s: ConfiguredAirbyteStream = {
 *   stream: { name: "users", json_schema: {}, supported_sync_modes: ["incremental"] },
 *   sync_mode: "incremental",
 *   destination_sync_mode: "append_dedup",
 *   cursor_field: ["updated_at"],
 *   primary_key: [["id"]],
 *   generation_id: 1,
 *   minimum_generation_id: 0,
 *   sync_id: 7,
 * };
 * if (s.primary_key?.[0][0] !== "id") throw new Error();
 * ```
 */
export interface ConfiguredAirbyteStream {
  /** The stream as discovered. */
  stream: AirbyteStream;
  /** How the source reads it. */
  sync_mode: SyncMode;
  /** How the destination writes it. */
  destination_sync_mode: DestinationSyncMode;
  /** Path to the cursor; required when `sync_mode` is `incremental`. */
  cursor_field?: string[] | null;
  /** Paths of the primary key's fields (each path a list of keys); required for `*_dedup`. */
  primary_key?: string[][] | null;
  /** The destination object to write to, when it differs from the stream's name. */
  destination_object_name?: string | null;
  /** This sync's generation of the stream (raised by each refresh). */
  generation_id?: number | null;
  /** The oldest generation the destination keeps; records of older ones are removed. */
  minimum_generation_id?: number | null;
  /** The sync's id. */
  sync_id?: number | null;
  /** Whether files are moved along with the records of a file-based stream. */
  include_files?: boolean | null;
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

/**
 * One selected stream with its sync modes, cursor and primary key.
 *
 * @example Validate an incremental, deduplicated stream
 * ```ts
 * import { ConfiguredAirbyteStreamSchema } from "./catalog.ts";
 * const configured = {
 *   stream: { name: "users", json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"] },
 *   sync_mode: "incremental",
 *   destination_sync_mode: "append_dedup",
 *   cursor_field: ["updated_at"],
 *   primary_key: [["id"]],
 * };
 * if (!ConfiguredAirbyteStreamSchema.safeParse(configured).success) throw new Error();
 * ```
 */
export const ConfiguredAirbyteStreamSchema: z.ZodType<ConfiguredAirbyteStream, ConfiguredAirbyteStream> =
  schemaFor<ConfiguredAirbyteStream>()(z.looseObject({
    stream: AirbyteStreamSchema,
    sync_mode: SyncModeSchema,
    destination_sync_mode: DestinationSyncModeSchema,
    cursor_field: z.array(z.string()).nullish(),
    primary_key: z.array(z.array(z.string())).nullish(),
    destination_object_name: z.string().nullish(),
    generation_id: z.number().int().nullish(),
    minimum_generation_id: z.number().int().nullish(),
    sync_id: z.number().int().nullish(),
    include_files: z.boolean().nullish(),
  }));

/**
 * A configured catalog: what a read or write runs with.
 *
 * @example One full-refresh stream
 * ```ts
 * import type { ConfiguredAirbyteCatalog } from "./catalog.ts";
 * const catalog: ConfiguredAirbyteCatalog = {
 *   streams: [{
 *     stream: { name: "users", json_schema: {}, supported_sync_modes: ["full_refresh"] },
 *     sync_mode: "full_refresh",
 *     destination_sync_mode: "overwrite",
 *   }],
 * };
 * if (catalog.streams.length !== 1) throw new Error();
 * ```
 */
export interface ConfiguredAirbyteCatalog {
  /** The selected streams. */
  streams: ConfiguredAirbyteStream[];
  /** Keys the protocol adds later are kept. */
  [key: string]: unknown;
}

/**
 * The streams to sync.
 *
 * @example Validate an empty catalog
 * ```ts
 * import { ConfiguredAirbyteCatalogSchema } from "./catalog.ts";
 * if (!ConfiguredAirbyteCatalogSchema.safeParse({ streams: [] }).success) throw new Error();
 * ```
 */
export const ConfiguredAirbyteCatalogSchema: z.ZodType<ConfiguredAirbyteCatalog, ConfiguredAirbyteCatalog> =
  schemaFor<ConfiguredAirbyteCatalog>()(z.looseObject({
    streams: z.array(ConfiguredAirbyteStreamSchema),
  }));

/**
 * A string key naming a stream uniquely within a sync: the name alone, or
 * `namespace` + U+001F (unit separator) + `name`. The separator cannot appear in names in
 * practice, so `("a.b")` and `("b", "a")` never collide the way a dotted key would.
 *
 * @param name The stream's name.
 * @param namespace Its namespace; `null`, `undefined` and `""` mean none.
 * @returns The key.
 *
 * @example Key streams by name and namespace
 * ```ts
 * import { streamDescriptorKey } from "./catalog.ts";
 * if (streamDescriptorKey("users") !== "users") throw new Error();
 * if (streamDescriptorKey("users", "public") === streamDescriptorKey("users")) throw new Error();
 * if (streamDescriptorKey("users", null) !== "users") throw new Error();
 * ```
 */
export function streamDescriptorKey(name: string, namespace?: string | null): string {
  return namespace ? `${namespace}\u001f${name}` : name;
}
