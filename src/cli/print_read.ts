/**
 * The summary `read` and `demo` print after a read: one row per stream, then the cache and rate.
 *
 * @module
 */
import type { ReadResult } from "../../mod.ts";
import type { CliContext } from "./context.ts";
import { summaryTable } from "./summary_table.ts";

/**
 * Print the per-stream summary of `result` on stdout.
 *
 * @example
 * ```ts ignore
 * const result = await source.read({ cache });
 * await printReadSummary(context, result, 1.5);
 * ```
 */
export async function printReadSummary(
  context: CliContext,
  result: ReadResult,
  seconds: number,
): Promise<void> {
  const rows = [];
  for (const [name, dataset] of result) {
    rows.push({ stream: name, read: result.recordsPerStream.get(name) ?? 0, cached: await dataset.count() });
  }
  context.writeStdout(summaryTable(rows, { cache: result.cache.location, seconds }) + "\n");
}
