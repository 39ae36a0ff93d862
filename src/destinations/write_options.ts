/**
 * Options for `Destination.write()`.
 *
 * @module
 */
import type { DuckDBCache } from "../duckdb/duckdb_cache.ts";
import type { WriteStrategy } from "../cache/write_strategy.ts";
import type { ProgressOption } from "../progress/progress_event.ts";

/**
 * Options for {@linkcode Destination.write}.
 *
 * @example
 * ```ts
 * import type { WriteOptions } from "./write_options.ts";
 * const o: WriteOptions = { cache: false, writeStrategy: "append", progress: "none" };
 * if (o.cache !== false) throw new Error();
 * ```
 */
export interface WriteOptions {
  /** Streams to write: all when omitted or `"*"`; with a Source, this overrides its selection. */
  streams?: string[] | "*";
  /**
   * With a Source: the cache to read through (default `getDefaultCache()`), or `false` to stream
   * straight from the source to the destination. Must be left undefined with a ReadResult.
   */
  cache?: DuckDBCache | false;
  /**
   * Where destination state (the source states the destination confirmed) is kept.
   * @default the cache in use; none when `cache` is false
   */
  stateCache?: DuckDBCache | false;
  /** @default "auto" */
  writeStrategy?: WriteStrategy;
  /** Ignore every stored state (cache, destination, delivery marks) and send everything. @default false */
  forceFullRefresh?: boolean;
  /**
   * When writing from a cache: rows sent between two checkpoints (STATE messages whose echo
   * confirms delivery). Smaller means less to resend after a crash. @default 10_000
   */
  checkpointRows?: number;
  signal?: AbortSignal;
  /** @default "auto" */
  progress?: ProgressOption;
}
