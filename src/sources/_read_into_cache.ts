// Source.read(): configure the catalog, take the input state from the cache, stream the
// connector's messages into a CacheWriteSession, and report progress.
import { CacheWriteSession } from "../cache/write_session.ts";
import { getDefaultCache } from "../duckdb/default_cache.ts";
import { jobProgress } from "../progress/job_progress.ts";
import type { RecordLineSink } from "../connectors/connector_base.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import { ReadResult } from "../results/read_result.ts";
import { planRead } from "./read_plan.ts";
import type { ReadOptions } from "./read_options.ts";
import type { Source } from "./source.ts";

export async function readIntoCache(source: Source, options: ReadOptions): Promise<ReadResult> {
  const cache = options.cache ?? getDefaultCache();
  const tracker = await jobProgress("read", source.name, options.progress);
  try {
    // Instantiating DuckDB-WASM takes about a second: let it overlap discovery and, when the read
    // needs no state from the cache, the connector's start too.
    const opening = cache.engine();
    opening.catch(() => {}); // awaited below; a failure surfaces there
    await source.discover({ signal: options.signal });
    const { plans, catalog } = planRead(source, options);
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
      CacheWriteSession.open(cache, source.name, plans, {
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
            const pending = session.addState(msg.state as AirbyteStateMessage);
            if (pending) await pending;
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
      await session?.abort();
      throw error;
    }
    tracker.finish();
    return new ReadResult(cache, source.name, session.recordCounts);
  } catch (error) {
    tracker.fail(error);
    throw error;
  }
}
