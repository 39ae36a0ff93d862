/**
 * Building a ConfiguredAirbyteCatalog from a discovered catalog and the user's choices
 * (selected streams, primary key and cursor overrides, full refresh), the way the Airbyte
 * platform does it: incremental where the stream supports it and has a cursor.
 *
 * @module
 */
import type { AirbyteStream, DestinationSyncMode } from "../protocol/messages.ts";
import type { ConfiguredAirbyteCatalog, ConfiguredAirbyteStream } from "../protocol/catalog.ts";

/**
 * User choices applied on top of what the connector declares.
 *
 * @example A composite key and a cursor override
 * ```ts
 * import type { CatalogChoices } from "./configured_catalog.ts";
 * const choices: CatalogChoices = {
 *   primaryKeys: new Map([["orders", [["shop"], ["id"]]]]),
 *   cursorKeys: new Map([["orders", ["updated_at"]]]),
 * };
 * if (choices.primaryKeys.get("orders")?.length !== 2) throw new Error();
 * ```
 */
export interface CatalogChoices {
  /** Primary key overrides per stream (a key is a list of field paths). */
  primaryKeys: Map<string, string[][]>;
  /** Cursor field overrides per stream (a field path). */
  cursorKeys: Map<string, string[]>;
  /** Configure every stream as full refresh. @default false */
  forceFullRefresh?: boolean;
  /** Per-stream destination sync mode; default `append`. */
  destinationSyncMode?: (stream: AirbyteStream, pk: string[][], cursor: string[]) => DestinationSyncMode;
  /** The refresh generation the streams' records belong to. */
  generationId?: number;
  /** Records of older generations the destination may drop. */
  minimumGenerationId?: number;
  /** The sync's id. */
  syncId?: number;
}

/**
 * The primary key of a stream: the user's override, else the connector's declared key.
 *
 * @example
 * ```ts
 * import { primaryKeyOf } from "./configured_catalog.ts";
 * const pk = primaryKeyOf({ name: "users", json_schema: {}, supported_sync_modes: ["full_refresh"], source_defined_primary_key: [["id"]] }, new Map());
 * if (pk[0][0] !== "id") throw new Error();
 * ```
 */
export function primaryKeyOf(stream: AirbyteStream, overrides: Map<string, string[][]>): string[][] {
  return overrides.get(stream.name) ?? (stream.source_defined_primary_key as string[][] | undefined) ?? [];
}

/**
 * The cursor field of a stream: the user's override, else the connector's default cursor.
 *
 * @example
 * ```ts
 * import { cursorOf } from "./configured_catalog.ts";
 * const c = cursorOf({ name: "users", json_schema: {}, supported_sync_modes: ["incremental"], default_cursor_field: ["updated_at"] }, new Map());
 * if (c[0] !== "updated_at") throw new Error();
 * ```
 */
export function cursorOf(stream: AirbyteStream, overrides: Map<string, string[]>): string[] {
  return overrides.get(stream.name) ?? (stream.default_cursor_field as string[] | undefined) ?? [];
}

/**
 * Configure the given streams: incremental when the stream supports it and has a cursor (its
 * own or the user's), unless `forceFullRefresh`.
 *
 * @example
 * ```ts
 * import { buildConfiguredCatalog } from "./configured_catalog.ts";
 * const cat = buildConfiguredCatalog([
 *   { name: "users", json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"], source_defined_cursor: true },
 * ], { primaryKeys: new Map(), cursorKeys: new Map() });
 * if (cat.streams[0].sync_mode !== "incremental") throw new Error();
 * ```
 */
export function buildConfiguredCatalog(
  streams: AirbyteStream[],
  choices: CatalogChoices,
): ConfiguredAirbyteCatalog {
  const configured: ConfiguredAirbyteStream[] = streams.map((stream) => {
    const pk = primaryKeyOf(stream, choices.primaryKeys);
    const cursor = cursorOf(stream, choices.cursorKeys);
    const supportsIncremental = (stream.supported_sync_modes ?? []).includes("incremental");
    const hasCursor = cursor.length > 0 || stream.source_defined_cursor === true;
    const incremental = supportsIncremental && hasCursor && !choices.forceFullRefresh;
    const out: ConfiguredAirbyteStream = {
      stream,
      sync_mode: incremental ? "incremental" : "full_refresh",
      destination_sync_mode: choices.destinationSyncMode?.(stream, pk, cursor) ?? "append",
      cursor_field: cursor,
      primary_key: pk,
    };
    if (choices.generationId !== undefined) out.generation_id = choices.generationId;
    if (choices.minimumGenerationId !== undefined) out.minimum_generation_id = choices.minimumGenerationId;
    if (choices.syncId !== undefined) out.sync_id = choices.syncId;
    return out;
  });
  return { streams: configured };
}
