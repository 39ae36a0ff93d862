/**
 * `Destination`: an Airbyte destination connector. `write()` delivers a Source (read through a
 * cache, or streamed straight through) or a ReadResult, incrementally, and records as delivered
 * only the states the destination echoed back.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import { type ResolvedWriteStrategy, resolveWriteStrategy } from "../cache/write_strategy.ts";
import { ConnectorBase } from "../connectors/connector_base.ts";
import { getDefaultCache } from "../duckdb/default_cache.ts";
import { InvalidArgumentError } from "../errors.ts";
import { jobProgress } from "../progress/job_progress.ts";
import type { ProgressTracker } from "../progress/progress_tracker.ts";
import type { ConfiguredAirbyteCatalog, ConfiguredAirbyteStream } from "../protocol/catalog.ts";
import type { AirbyteStateMessage, AirbyteStream } from "../protocol/messages.ts";
import { ReadResult } from "../results/read_result.ts";
import { WriteResult } from "../results/write_result.ts";
import type { Source } from "../sources/source.ts";
import { JoinedStateProvider, type StateProvider, StaticInputState } from "../state/state_provider.ts";
import type { StateWriter } from "../state/state_writer.ts";
import { CheckpointLedger, type Confirmation } from "./checkpoint_ledger.ts";
import { cacheDeliveryLines, type DeliveryStream } from "./_cache_delivery.ts";
import { passThroughLines } from "./_pass_through.ts";
import type { WriteOptions } from "./write_options.ts";

const SYNC_MODE: Record<ResolvedWriteStrategy, ConfiguredAirbyteStream["destination_sync_mode"]> = {
  append: "append",
  merge: "append_dedup",
  replace: "overwrite",
};

/**
 * A destination connector. Create one with `getDestination()`.
 *
 * @example Write a source to a destination through the default cache
 * ```ts ignore
 * import { getDestination, getSource } from "../../mod.ts";
 * const source = await getSource("source-faker", { pipUrl: "airbyte-source-faker==7.2.1", config: { count: 500 } });
 * const destination = await getDestination("destination-jsonl", { pipUrl: "./tests/fixtures/destination_jsonl", config: { path: "/tmp/out" } });
 * const result = await destination.write(source, { streams: ["users"] });
 * console.log(result.processedRecords, result.confirmedRecords);
 * ```
 */
export class Destination extends ConnectorBase {
  /** Write a Source or a ReadResult to this destination. */
  async write(sourceData: Source | ReadResult, options: WriteOptions = {}): Promise<WriteResult> {
    const fromResult = sourceData instanceof ReadResult;
    if (fromResult && options.cache !== undefined) {
      throw new InvalidArgumentError(
        `Cannot pass 'cache' together with a ReadResult to '${this.name}'.write(): the result is already cached.`,
        { guidance: "Leave `cache` undefined when writing a ReadResult (it uses `result.cache`)." },
      );
    }
    const tracker = await jobProgress("write", this.name, options.progress);
    try {
      const result = fromResult
        ? await this.#writeFromCache(sourceData, sourceData.cache, options, tracker)
        : options.cache === false
        ? await this.#writeStraight(sourceData as Source, options, tracker)
        : await this.#readThenWrite(
          sourceData as Source,
          options.cache ?? getDefaultCache(),
          options,
          tracker,
        );
      tracker.finish();
      return result;
    } catch (error) {
      tracker.fail(error);
      throw error;
    }
  }

  /**
   * Where this write keeps the destination's confirmed state: `stateCache` (a cache, or a
   * provider/writer pair), by default the data cache; none with `false` (or no cache at all).
   */
  #confirmedState(options: WriteOptions, cache: Cache | undefined, sourceName: string): ConfirmedState {
    const target = options.stateCache === undefined ? cache : options.stateCache;
    if (!target) {
      return {
        provider: () => Promise.resolve(new StaticInputState([])),
        writer: undefined,
        cache: undefined,
      };
    }
    if ("getStateWriter" in target) {
      return {
        provider: () => target.getStateProvider(sourceName, this.name),
        writer: target.getStateWriter(sourceName, this.name),
        cache: target,
      };
    }
    return {
      provider: () => Promise.resolve(target.provider ?? target.writer),
      writer: target.writer,
      cache: undefined,
    };
  }

  /** Source → cache (incremental by cache state, else destination state) → destination. */
  async #readThenWrite(
    source: Source,
    cache: Cache,
    options: WriteOptions,
    tracker: ProgressTracker,
  ): Promise<WriteResult> {
    const confirmed = this.#confirmedState(options, cache, source.name);
    const stateProvider = new JoinedStateProvider(
      await cache.getStateProvider(source.name),
      await confirmed.provider(),
    );
    const readResult = await source.read({
      cache,
      streams: streamsOf(source, options),
      writeStrategy: options.writeStrategy,
      forceFullRefresh: options.forceFullRefresh,
      signal: options.signal,
      progress: "none",
      stateProvider,
    });
    return this.#writeFromCache(readResult, cache, options, tracker);
  }

  /** Cached streams → destination, sending only rows the destination has not confirmed yet. */
  async #writeFromCache(
    result: ReadResult,
    cache: Cache,
    options: WriteOptions,
    tracker: ProgressTracker,
  ): Promise<WriteResult> {
    const confirmed = this.#confirmedState(options, cache, result.sourceName);
    const wanted = options.streams && options.streams !== "*" ? options.streams : result.streams;
    const missing = wanted.filter((s) => !result.streams.includes(s));
    if (missing.length) result.get(missing[0]); // throws StreamNotFoundError with the available names
    const registry = (await cache.listStreamTables()).filter((t) => t.sourceName === result.sourceName);
    const streams: DeliveryStream[] = wanted.map((name) => {
      const entry = registry.find((t) => t.stream === name)!;
      const stream: AirbyteStream = {
        name,
        json_schema: entry.jsonSchema,
        supported_sync_modes: ["full_refresh", "incremental"],
        source_defined_primary_key: entry.primaryKey,
      };
      const strategy = resolveWriteStrategy(
        options.writeStrategy ?? "auto",
        entry.primaryKey,
        entry.cursor,
        name,
      );
      return { stream, table: entry.table, strategy, primaryKey: entry.primaryKey, cursor: entry.cursor };
    });
    const catalog = this.#catalog(streams);
    const marks = options.forceFullRefresh
      ? new Map()
      : await cache.getDeliveryMarks(result.sourceName, this.name);
    const sourceStates = await cache.getStateProvider(result.sourceName);
    const confirmedBefore = await confirmed.provider();
    const ledger = new CheckpointLedger();
    const lines = cacheDeliveryLines({
      cache,
      streams,
      marks,
      sourceStates,
      confirmedStates: confirmedBefore,
      ledger,
      tracker,
      pageRows: options.checkpointRows,
    });
    const settle = async (c: Confirmation) => {
      // The data cache keeping its own destination state records marks and states in one
      // transaction (its state store is its StateWriter pair); otherwise the states go to the writer.
      const together = confirmed.cache === cache;
      await cache.recordDelivery(result.sourceName, this.name, c.marks, together ? c.states : []);
      if (!together) { for (const state of c.states) await confirmed.writer?.writeState(state); }
    };
    return await this.#run(catalog, lines, ledger, settle, confirmed, options, tracker);
  }

  /** Source → destination with no cache: records and states pass straight through. */
  async #writeStraight(
    source: Source,
    options: WriteOptions,
    tracker: ProgressTracker,
  ): Promise<WriteResult> {
    const confirmed = this.#confirmedState(options, undefined, source.name);
    await source.discover({ signal: options.signal });
    const { plans, catalog: sourceCatalog } = source.planRead({
      ...options,
      streams: streamsOf(source, options),
    });
    const streams: DeliveryStream[] = plans.map((plan) => ({ ...plan, table: "" }));
    let state: AirbyteStateMessage[] | undefined;
    if (!options.forceFullRefresh && (confirmed.cache || confirmed.writer)) {
      const provider = confirmed.cache
        ? new JoinedStateProvider(
          await confirmed.cache.getStateProvider(source.name),
          await confirmed.provider(),
        )
        : await confirmed.provider();
      state = provider.getStateInput(
        sourceCatalog.streams.filter((s) => s.sync_mode === "incremental").map((s) => s.stream.name),
      );
    }
    const ledger = new CheckpointLedger();
    const messages = source.readMessages(sourceCatalog, state, { signal: options.signal });
    const lines = passThroughLines(messages, streams.map((s) => s.stream.name), ledger, tracker);
    const settle = async (c: Confirmation) => {
      for (const state of c.states) await confirmed.writer?.writeState(state);
    };
    return await this.#run(this.#catalog(streams), lines, ledger, settle, confirmed, options, tracker);
  }

  #catalog(streams: DeliveryStream[]): ConfiguredAirbyteCatalog {
    const syncId = Date.now();
    return {
      streams: streams.map((s) => {
        const overwrite = s.strategy === "replace";
        return {
          stream: s.stream,
          sync_mode: overwrite ? "full_refresh" : "incremental",
          destination_sync_mode: SYNC_MODE[s.strategy],
          cursor_field: s.cursor,
          primary_key: s.primaryKey,
          // Refresh semantics: an overwrite starts a new generation and retires older ones.
          generation_id: overwrite ? syncId : 0,
          minimum_generation_id: overwrite ? syncId : 0,
          sync_id: syncId,
        };
      }),
    };
  }

  /** Run `write`, feeding `lines` on stdin and settling every echoed state as it arrives. */
  async #run(
    catalog: ConfiguredAirbyteCatalog,
    lines: AsyncIterable<string>,
    ledger: CheckpointLedger,
    settle: (c: Confirmation) => Promise<void>,
    confirmed: ConfirmedState,
    options: WriteOptions,
    tracker: ProgressTracker,
  ): Promise<WriteResult> {
    const files = { ...(await this.configFiles()), "--catalog": JSON.stringify(catalog) };
    const sent = new Map<string, number>();
    let confirmedStates: AirbyteStateMessage[] = [];
    for await (const msg of this.runMessages("write", { files, stdin: lines, signal: options.signal })) {
      if (msg.type !== "STATE") continue;
      const c = ledger.confirm(msg.state as AirbyteStateMessage);
      if (!c) {
        this.logger.warn(`'${this.name}' echoed a state that was never sent; ignored.`);
        continue;
      }
      await settle(c);
      confirmedStates = [...confirmedStates, ...c.states];
      for (const [stream, n] of c.recordsPerStream) tracker.addConfirmed(stream, n - (sent.get(stream) ?? 0));
      for (const [stream, n] of c.recordsPerStream) sent.set(stream, n);
    }
    if (ledger.confirmations === 0) {
      this.logger.warn(
        `'${this.name}' confirmed nothing: it echoed no state, so no record counts as delivered and ` +
          `the next write will send these records again.`,
      );
    }
    // Everything confirmed so far: the cache's table, or a pair's earlier states joined with the
    // states its writer took now; with nowhere to keep them, this write's confirmations.
    const stateProvider = confirmed.cache
      ? await confirmed.provider()
      : confirmed.writer
      ? new JoinedStateProvider(confirmed.writer, await confirmed.provider())
      : new StaticInputState(confirmedStates);
    const perStream = new Map<string, number>();
    for (const s of catalog.streams) perStream.set(s.stream.name, tracker.recordsOf(s.stream.name));
    return new WriteResult({
      destination: this.name,
      processedRecords: tracker.totalRecords,
      confirmedRecords: ledger.confirmedRecords,
      recordsPerStream: perStream,
      state: stateProvider,
    });
  }
}

/** Where a write keeps the destination's confirmed state. */
interface ConfirmedState {
  /** The states confirmed so far. */
  provider(): Promise<StateProvider>;
  /** Stores newly confirmed states; none when they are not kept. */
  writer: StateWriter | undefined;
  /** The cache keeping them, when it is one. */
  cache: Cache | undefined;
}

/**
 * The streams a write of `source` covers: `options.streams`, else the source's selection, else
 * (nothing selected) all of them, as PyAirbyte does.
 */
function streamsOf(source: Source, options: WriteOptions): string[] | "*" {
  if (options.streams !== undefined) return options.streams;
  const selected = source.getSelectedStreams();
  return selected.length ? selected : "*";
}
