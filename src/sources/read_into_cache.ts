/**
 * `Source.read()`'s loop: plan the read, take the input state from the cache, stream the
 * connector's output into a write session (RECORD lines as bytes straight into Arrow buffers),
 * and report progress. It depends on the `Cache` contract only, and on the source through the
 * few calls below.
 *
 * @module
 */
import type { Cache, CacheWriteSession, StreamPlan } from "../cache/cache.ts";
import type { RecordLineSink } from "../connectors/message_loop.ts";
import { getDefaultCache } from "../duckdb/default_cache.ts";
import type { Logger } from "../logger.ts";
import { jobProgress } from "../progress/job_progress.ts";
import type { ConfiguredAirbyteCatalog } from "../protocol/catalog.ts";
import type { AirbyteMessage, AirbyteStateMessage, AirbyteTraceMessage } from "../protocol/messages.ts";
import { ReadResult } from "../results/read_result.ts";
import type { ReadOptions } from "./read_options.ts";

/** What the read loop needs of a source (`Source` has it). */
export interface ReadableSource {
  readonly name: string;
  readonly logger: Logger;
  discover(options: { signal?: AbortSignal }): Promise<unknown>;
  /** Plans and the configured catalog for a read with these options (streams checked). */
  planRead(options: ReadOptions): { plans: StreamPlan[]; catalog: ConfiguredAirbyteCatalog };
  readMessageBatches(
    catalog: ConfiguredAirbyteCatalog,
    state: unknown[] | undefined,
    options: { signal?: AbortSignal; recordLine?: RecordLineSink },
  ): AsyncIterable<AirbyteMessage[]>;
}

/**
 * Read a source's streams into a cache, incrementally by the state stored there.
 *
 * @param source The source to read.
 * @param options Cache, streams, strategy, state, progress, abort.
 * @returns What was read and where it landed.
 *
 * @example
 * ```ts ignore
 * const result = await readIntoCache(source, { cache, streams: ["users"] });
 * ```
 */
export async function readIntoCache(source: ReadableSource, options: ReadOptions): Promise<ReadResult> {
  const cache: Cache = options.cache ?? getDefaultCache();
  const tracker = await jobProgress("read", source.name, options.progress);
  try {
    // Opening DuckDB-WASM takes about a second: let it overlap discovery and, when the read
    // needs no state from the cache, the connector's start too.
    const opening = cache.open();
    opening.catch(() => {}); // awaited below; a failure surfaces there
    await source.discover({ signal: options.signal });
    const { plans, catalog } = source.planRead(options);
    const incremental = catalog.streams.filter((s) => s.sync_mode === "incremental").map((s) =>
      s.stream.name
    );
    let state: AirbyteStateMessage[] | undefined;
    // A new cache holds no state: no need to wait for it to open.
    if (
      !options.forceFullRefresh && incremental.length &&
      (options.stateProvider || !await cache.isNewDatabase())
    ) {
      const provider = options.stateProvider ?? await cache.getStateProvider(source.name);
      state = provider.getStateInput(incremental);
    }
    const opened = opening.then(() =>
      cache.openWriteSession(source.name, plans, {
        progress: tracker,
        syncId: Date.now(),
        commitEveryRows: options.checkpointRows,
      })
    );
    opened.catch(() => {}); // awaited below; the first record waits for it too
    let session: CacheWriteSession | undefined;
    // RECORD lines go from their bytes straight into Arrow buffers (the record line scanner).
    // Lines that come before the session is open wait for it, and the connector with them.
    const recordLine: RecordLineSink = (bytes, start, end) =>
      session ? session.addRecordLine(bytes, start, end) : opened.then<boolean | void>((ready) => {
        session = ready;
        return ready.addRecordLine(bytes, start, end);
      });
    try {
      // The messages below are the lines the scanner declined, in order.
      for await (
        const batch of source.readMessageBatches(catalog, state, { signal: options.signal, recordLine })
      ) {
        session ??= await opened;
        for (const msg of batch) {
          if (msg.type === "RECORD") {
            const r = msg.record;
            const pending = session.addRecord(r.stream, r.data as Record<string, unknown>, r.emitted_at);
            if (pending) await pending;
          } else if (msg.type === "STATE") {
            session.reportProgress();
            const pending = session.addState(msg.state as AirbyteStateMessage);
            if (pending) await pending;
          } else if (msg.type === "TRACE") {
            // STREAM_STATUS and ESTIMATE: counts first, so a completed stream shows all its records.
            session.reportProgress();
            tracker.onTrace(msg.trace as AirbyteTraceMessage);
          }
        }
      }
      session ??= await opened;
      await session.finish();
      if (session.ignoredStreams.length) {
        source.logger.warn(
          `'${source.name}' sent records for streams that were not selected; they were not cached: ` +
            session.ignoredStreams.map((n) => `'${n}'`).join(", "),
        );
      }
    } catch (error) {
      if (session) await session.abort();
      else await opened.then((s) => s.abort(), () => {});
      throw error;
    }
    tracker.finish();
    return new ReadResult(cache, source.name, session.recordCounts);
  } catch (error) {
    tracker.fail(error);
    throw error;
  }
}
