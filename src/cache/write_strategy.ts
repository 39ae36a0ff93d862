/**
 * Write strategies: how a read's records land in a table that may already hold rows.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

/**
 * How records land in a table: `auto` picks merge with a primary key, else append with a cursor, else replace.
 *
 * @example Merge on the primary key
 * ```ts
 * import type { WriteStrategy } from "./write_strategy.ts";
 * const strategy: WriteStrategy = "merge";
 * if (strategy !== "merge") throw new Error();
 * ```
 */
export type WriteStrategy = "auto" | "append" | "merge" | "replace";

/**
 * A strategy after `auto` is settled: what a `StreamPlan` carries.
 *
 * @example Every strategy but `auto`
 * ```ts
 * import type { ResolvedWriteStrategy } from "./write_strategy.ts";
 * const strategies: ResolvedWriteStrategy[] = ["append", "merge", "replace"];
 * if (strategies.length !== 3) throw new Error();
 * ```
 */
export type ResolvedWriteStrategy = "append" | "merge" | "replace";

/**
 * Settle a strategy for one stream.
 *
 * @example
 * ```ts
 * import { resolveWriteStrategy } from "./write_strategy.ts";
 * if (resolveWriteStrategy("auto", [["id"]], []) !== "merge") throw new Error();
 * if (resolveWriteStrategy("auto", [], ["updated_at"]) !== "append") throw new Error();
 * if (resolveWriteStrategy("auto", [], []) !== "replace") throw new Error();
 * ```
 */
export function resolveWriteStrategy(
  strategy: WriteStrategy,
  primaryKey: string[][],
  cursor: string[],
  stream = "",
): ResolvedWriteStrategy {
  switch (strategy) {
    case "auto":
      return primaryKey.length ? "merge" : cursor.length ? "append" : "replace";
    case "merge":
      if (!primaryKey.length) {
        throw new InvalidArgumentError(`Cannot merge stream '${stream}': it has no primary key.`, {
          guidance: "Call `source.setPrimaryKey(stream, key)` or use writeStrategy 'append' or 'replace'.",
          context: { stream },
        });
      }
      return "merge";
    case "append":
    case "replace":
      return strategy;
    default:
      throw new InvalidArgumentError(`Unknown write strategy '${strategy}'.`, {
        guidance: "Use one of 'auto', 'append', 'merge', 'replace'.",
      });
  }
}
