/**
 * What a read of a source will do per stream: its write strategy (with `auto` settled), its keys,
 * and the configured catalog to run the connector with. Shared by `Source.read()` and by
 * `Destination.write()` when it streams straight from a source. Pure: it takes the discovered
 * streams and the user's choices, not the source.
 *
 * @module
 */
import type { StreamPlan } from "../cache/cache.ts";
import { resolveWriteStrategy, type WriteStrategy } from "../cache/write_strategy.ts";
import type { ConfiguredAirbyteCatalog } from "../protocol/catalog.ts";
import type { AirbyteStream } from "../protocol/messages.ts";
import { buildConfiguredCatalog, cursorOf, primaryKeyOf } from "./configured_catalog.ts";
import { InvalidArgumentError } from "../errors.ts";
import { normalizeName } from "../arrow/column_names.ts";

/** The user's choices a read plan applies. */
export interface ReadPlanChoices {
  /** Primary key overrides per stream. */
  primaryKeys: Map<string, string[][]>;
  /** Cursor overrides per stream. */
  cursorKeys: Map<string, string[]>;
  /** @default "auto" */
  writeStrategy?: WriteStrategy;
  forceFullRefresh?: boolean;
}

/**
 * Plan a read of `streams`. A stream written with `replace` is read in full: its table holds
 * exactly one read's rows. A primary key or cursor field the stream's schema lacks is refused
 * here, before the connector reads anything.
 *
 * @param streams The discovered streams to read.
 * @param choices Key overrides, write strategy, full refresh.
 * @returns Per-stream plans and the configured catalog for the connector.
 *
 * @example Merge on a declared key, with an incremental cursor
 * ```ts
 * import { planRead } from "./read_plan.ts";
 * const { plans, catalog } = planRead([{
 *   name: "users", json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"],
 *   source_defined_primary_key: [["id"]], default_cursor_field: ["updated_at"],
 * }], { primaryKeys: new Map(), cursorKeys: new Map() });
 * if (plans[0].strategy !== "merge" || catalog.streams[0].sync_mode !== "incremental") throw new Error();
 * ```
 */
export function planRead(
  streams: AirbyteStream[],
  choices: ReadPlanChoices,
): { plans: StreamPlan[]; catalog: ConfiguredAirbyteCatalog } {
  const plans = streams.map((stream): StreamPlan => {
    const primaryKey = primaryKeyOf(stream, choices.primaryKeys);
    const cursor = cursorOf(stream, choices.cursorKeys);
    assertKeysInSchema(stream, primaryKey, cursor);
    const strategy = resolveWriteStrategy(choices.writeStrategy ?? "auto", primaryKey, cursor, stream.name);
    return { stream, strategy, primaryKey, cursor };
  });
  const catalog = buildConfiguredCatalog(streams, choices);
  for (const cs of catalog.streams) {
    if (plans.find((p) => p.stream.name === cs.stream.name)?.strategy === "replace") {
      cs.sync_mode = "full_refresh";
    }
  }
  return { plans, catalog };
}

/**
 * A primary key or cursor field that the stream's schema does not declare has no column to
 * match on: fail now, before the read, not at the first commit after reading everything.
 * Names match as columns do (normalized); a schema that declares no properties is not checked.
 */
function assertKeysInSchema(stream: AirbyteStream, primaryKey: string[][], cursor: string[]): void {
  const properties = Object.keys(
    (stream.json_schema as { properties?: object } | undefined)?.properties ?? {},
  );
  if (properties.length === 0) return;
  const columns = new Set(properties.map(normalizeName));
  const missing = (field: string | undefined) => field !== undefined && !columns.has(normalizeName(field));
  const badKeys = primaryKey.filter((path) => missing(path[0])).map((path) => path.join("."));
  const badCursor = missing(cursor[0]) ? cursor.join(".") : undefined;
  if (!badKeys.length && badCursor === undefined) return;
  const what = [
    ...(badKeys.length ? [`primary key ${badKeys.map((k) => `'${k}'`).join(", ")}`] : []),
    ...(badCursor !== undefined ? [`cursor field '${badCursor}'`] : []),
  ].join(" and ");
  const shown = properties.slice(0, 20).map((p) => `'${p}'`).join(", ") +
    (properties.length > 20 ? ", …" : "");
  throw new InvalidArgumentError(
    `Cannot read stream '${stream.name}': its ${what} is not a field of the stream's schema.`,
    {
      guidance: `Pick fields the stream has (${shown}) with source.setPrimaryKey() / source.setCursorKey().`,
      context: { stream: stream.name },
    },
  );
}
