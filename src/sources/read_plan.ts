/**
 * What a read of a source will do per stream: its write strategy (with `auto` settled), its keys,
 * and the configured catalog to run the connector with. Shared by `Source.read()` and by
 * `Destination.write()` when it streams straight from a source.
 *
 * @module
 */
import type { StreamPlan } from "../cache/write_session.ts";
import { resolveWriteStrategy, type WriteStrategy } from "../cache/write_strategy.ts";
import type { ConfiguredAirbyteCatalog } from "../protocol/catalog.ts";
import { cursorOf, primaryKeyOf } from "./configured_catalog.ts";
import type { Source } from "./source.ts";

/**
 * Plan a read of `streams` (default: the source's selection). Needs the discovered catalog.
 * A stream written with `replace` is read in full: its table holds exactly one read's rows.
 *
 * @example
 * ```ts ignore
 * await source.discover();
 * const { plans, catalog } = planRead(source, { streams: ["users"], writeStrategy: "auto" });
 * ```
 */
export function planRead(
  source: Source,
  options: { streams?: string[] | "*"; writeStrategy?: WriteStrategy; forceFullRefresh?: boolean },
): { plans: StreamPlan[]; catalog: ConfiguredAirbyteCatalog } {
  const streams = source.resolveStreams(options.streams);
  const { primaryKeys, cursorKeys } = source.keyOverrides;
  const plans = streams.map((stream): StreamPlan => {
    const primaryKey = primaryKeyOf(stream, primaryKeys);
    const cursor = cursorOf(stream, cursorKeys);
    const strategy = resolveWriteStrategy(options.writeStrategy ?? "auto", primaryKey, cursor, stream.name);
    return { stream, strategy, primaryKey, cursor };
  });
  const catalog = source.getConfiguredCatalog({
    streams: streams.map((s) => s.name),
    forceFullRefresh: options.forceFullRefresh,
  });
  for (const cs of catalog.streams) {
    if (plans.find((p) => p.stream.name === cs.stream.name)?.strategy === "replace") {
      cs.sync_mode = "full_refresh";
    }
  }
  return { plans, catalog };
}
