/**
 * The configured catalog: which streams to read and how, as handed to a connector's `read`
 * (and a destination's `write`). Schemas keep unknown keys like those in `messages.ts`.
 *
 * @module
 */
import { z } from "zod";
import { AirbyteStreamSchema, DestinationSyncModeSchema, SyncModeSchema } from "./messages.ts";

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
export const ConfiguredAirbyteStreamSchema = z.looseObject({
  stream: AirbyteStreamSchema,
  sync_mode: SyncModeSchema,
  destination_sync_mode: DestinationSyncModeSchema,
  /** Path to the cursor; required when `sync_mode` is `incremental`. */
  cursor_field: z.array(z.string()).nullish(),
  /** Paths of the primary key's fields (each path a list of keys); required for `*_dedup`. */
  primary_key: z.array(z.array(z.string())).nullish(),
  destination_object_name: z.string().nullish(),
  generation_id: z.number().int().nullish(),
  minimum_generation_id: z.number().int().nullish(),
  sync_id: z.number().int().nullish(),
  include_files: z.boolean().nullish(),
});
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
export type ConfiguredAirbyteStream = z.infer<typeof ConfiguredAirbyteStreamSchema>;

/**
 * The streams to sync.
 *
 * @example Validate an empty catalog
 * ```ts
 * import { ConfiguredAirbyteCatalogSchema } from "./catalog.ts";
 * if (!ConfiguredAirbyteCatalogSchema.safeParse({ streams: [] }).success) throw new Error();
 * ```
 */
export const ConfiguredAirbyteCatalogSchema = z.looseObject({
  streams: z.array(ConfiguredAirbyteStreamSchema),
});
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
export type ConfiguredAirbyteCatalog = z.infer<typeof ConfiguredAirbyteCatalogSchema>;

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
