/**
 * Options for `Source.read()`.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import type { WriteStrategy } from "../cache/write_strategy.ts";
import type { ProgressOption } from "../progress/progress_event.ts";
import type { StateProvider } from "../state/state_provider.ts";

/**
 * Options for {@linkcode Source.read}.
 *
 * @example
 * ```ts
 * import type { ReadOptions } from "./read_options.ts";
 * const options: ReadOptions = { streams: ["users"], writeStrategy: "merge", progress: "none" };
 * if (options.writeStrategy !== "merge") throw new Error();
 * ```
 */
export interface ReadOptions {
  /** The cache to read into. @default getDefaultCache() */
  cache?: Cache;
  /** Streams to read; overrides the source's selection. @default the selection */
  streams?: string | string[];
  /** How records land in existing tables. @default "auto" */
  writeStrategy?: WriteStrategy;
  /** Ignore stored state and read everything. `replace` implies it. @default false */
  forceFullRefresh?: boolean;
  /** Aborting stops the read: the connector is ended and nothing uncommitted is kept. */
  signal?: AbortSignal;
  /** How progress is shown: a live bar, plain lines, none, or events to a callback. @default "auto" */
  progress?: ProgressOption;
  /**
   * Commit a checkpoint (records + state, one transaction) at the first STATE after this many
   * rows were staged, or 5 s after the last commit. Smaller loses less work to a crash; larger
   * is faster. @default 200_000
   */
  checkpointRows?: number;
  /** Where the input state comes from. @default the cache's stored state for this source */
  stateProvider?: StateProvider;
}
