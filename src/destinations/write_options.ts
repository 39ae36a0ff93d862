/**
 * Options for `Destination.write()`.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import type { WriteStrategy } from "../cache/write_strategy.ts";
import type { ProgressOption } from "../progress/progress_event.ts";
import type { StateProvider } from "../state/state_provider.ts";
import type { StateWriter } from "../state/state_writer.ts";

/**
 * Destination state kept outside any cache: a writer that stores the states a destination
 * confirms, and a provider of those confirmed before (default: the writer itself, which provides
 * what it wrote).
 *
 * @example Keep confirmed states in memory for this process
 * ```ts
 * import type { DestinationStatePair } from "./write_options.ts";
 * import { NoOpStateWriter } from "../state/state_writer.ts";
 * const pair: DestinationStatePair = { writer: new NoOpStateWriter() };
 * if (pair.provider !== undefined) throw new Error();
 * ```
 */
export interface DestinationStatePair {
  /** The states confirmed by earlier writes. @default the writer */
  provider?: StateProvider;
  /** Stores each state the destination confirms. */
  writer: StateWriter;
}

/**
 * Options for {@linkcode Destination.write}.
 *
 * @example Stream straight from the source, appending
 * ```ts
 * import type { WriteOptions } from "./write_options.ts";
 * const o: WriteOptions = { cache: false, writeStrategy: "append", progress: "none" };
 * if (o.cache !== false) throw new Error();
 * ```
 */
export interface WriteOptions {
  /**
   * Streams to write. With a Source: omitted → the source's selection (all streams when nothing
   * is selected), `"*"` → all, a list overrides the selection. With a ReadResult: omitted or
   * `"*"` → all its streams.
   */
  streams?: string[] | "*";
  /**
   * With a Source: the cache to read through (default `getDefaultCache()`), or `false` to stream
   * straight from the source to the destination. Must be left undefined with a ReadResult.
   */
  cache?: Cache | false;
  /**
   * Where destination state (the source states the destination confirmed) is kept: a cache, a
   * {@linkcode DestinationStatePair} of your own, or `false` for nowhere.
   * @default the cache in use; none when `cache` is false
   */
  stateCache?: Cache | false | DestinationStatePair;
  /**
   * How records land: the destination sync mode of each stream (append → `append`, merge →
   * `append_dedup`, replace → `overwrite`), and how they land in the cache a source is read through.
   * @default "auto"
   */
  writeStrategy?: WriteStrategy;
  /** Ignore every stored state (cache, destination, delivery marks) and send everything. @default false */
  forceFullRefresh?: boolean;
  /**
   * When writing from a cache: rows sent between two checkpoints (STATE messages whose echo
   * confirms delivery). Smaller means less to resend after a crash. @default 10_000
   */
  checkpointRows?: number;
  /** Aborting stops the source and the destination, and fails the write. */
  signal?: AbortSignal;
  /** How the write reports progress. @default "auto" */
  progress?: ProgressOption;
}
