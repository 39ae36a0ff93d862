/**
 * The hot path of a read, the same for every cache: records are appended to per-stream Arrow
 * builders (RECORD lines straight from their bytes through the record line scanner, other records
 * as parsed objects), flushed in bounded batches to the store, and at a STATE checkpoint the
 * staged rows are applied to the stream's table (append, merge or replace) in the same
 * transaction that stores the state. After a crash nothing uncommitted survives, so data and
 * state always agree. The store (`CacheStore`) does the database work.
 *
 * @module
 */
import { ArrowBatchBuilder } from "../arrow/arrow_batch_builder.ts";
import { normalizeName } from "../arrow/column_names.ts";
import { RecordLineScanner } from "../arrow/record_line_scanner.ts";
import { type ColumnSpec, toStreamColumns } from "../arrow/stream_columns.ts";
import { CacheError } from "../errors.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import { stateKey, streamsOfState } from "../state/state_key.ts";
import type { CacheWriteSession, StreamPlan, WriteSessionOptions } from "./cache.ts";
import type { CacheStore, StoreConnection } from "./cache_store.ts";
import { alignColumnsToTable, sameColumns } from "./table_columns.ts";

/** Batches that may wait at the store while the next one is built. */
const MAX_INFLIGHT = 3;

/** Staged rows after which an open transaction is committed even without a state. */
const STAGE_COMMIT_ROWS = 1_000_000;

interface Sink {
  plan: StreamPlan;
  table: string;
  stage: string;
  builder: ArrowBatchBuilder;
  columns: ColumnSpec[];
  stagedRows: number;
  stageCreated: boolean;
  tableExists: boolean;
  /**
   * Batches go straight into the table, not a staging table: an append to a table whose columns
   * are exactly the batches' columns. Its rows then wait for a state (or the end) to commit.
   */
  direct: boolean;
  records: number;
  reported: number;
}

/**
 * One read's writes into a cache, over one store connection.
 *
 * @example
 * ```ts ignore
 * const session = await WriteSession.open(store, "source-x", plans);
 * for await (const msg of messages) {
 *   if (msg.type === "RECORD") await session.addRecord(msg.record.stream, msg.record.data, msg.record.emitted_at);
 *   else if (msg.type === "STATE") await session.addState(msg.state);
 * }
 * await session.finish();
 * ```
 */
export class WriteSession implements CacheWriteSession {
  readonly #conn: StoreConnection;
  readonly #sourceName: string;
  readonly #sinks = new Map<string, Sink>();
  readonly #options: Required<Omit<WriteSessionOptions, "progress" | "syncId">> & WriteSessionOptions;
  readonly #pendingStates = new Map<string, AirbyteStateMessage>();
  #rowsSinceCommit = 0;
  #lastCommit = Date.now();
  #ignored = new Set<string>();
  #inTransaction = false;
  /** Every store call of this session, in order: one runs at a time. */
  #serial: Promise<unknown> = Promise.resolve();
  /** Batch inserts handed to the store and not yet done, oldest first. */
  #inflight: Promise<void>[] = [];
  #txnRows = 0;
  #released = false;
  readonly #scanner = new RecordLineScanner((stream) => this.#sinks.get(stream)?.builder);

  private constructor(conn: StoreConnection, sourceName: string, options: WriteSessionOptions) {
    this.#conn = conn;
    this.#sourceName = sourceName;
    this.#options = {
      ...options,
      batchRows: options.batchRows ?? 50_000,
      commitEveryRows: options.commitEveryRows ?? 200_000,
      commitEveryMs: options.commitEveryMs ?? 5_000,
    };
  }

  /**
   * Claim tables for every planned stream and prepare their builders.
   *
   * @param store The cache's store.
   * @param sourceName The source being read.
   * @param plans What to do per stream.
   * @param options Batch and checkpoint sizes, sync id, progress.
   * @returns The session, holding one store connection until `finish()` or `abort()`.
   */
  static async open(
    store: CacheStore,
    sourceName: string,
    plans: StreamPlan[],
    options: WriteSessionOptions = {},
  ): Promise<WriteSession> {
    const conn = await store.connect();
    const session = new WriteSession(conn, sourceName, options);
    try {
      // Streams are claimed in name order: two sessions never wait on each other in a circle.
      const byName = [...plans].sort((a, b) =>
        a.stream.name < b.stream.name ? -1 : a.stream.name > b.stream.name ? 1 : 0
      );
      for (const plan of byName) await session.#prepare(plan);
    } catch (error) {
      await session.#release();
      throw error;
    }
    return session;
  }

  async #prepare(plan: StreamPlan): Promise<void> {
    const conn = this.#conn;
    const table = await conn.claimTable(this.#sourceName, plan.stream.name, {
      jsonSchema: plan.stream.json_schema,
      primaryKey: plan.primaryKey,
      cursor: plan.cursor,
      strategy: plan.strategy,
    });
    const existing = await conn.columns(table);
    const exists = existing.length > 0;
    const wanted = toStreamColumns(plan.stream.json_schema ?? {}, { stream: plan.stream.name });
    // A column that already exists keeps its type; values are converted to it (misfits kept in meta).
    const columns = exists ? alignColumnsToTable(existing, wanted) : wanted;
    this.#sinks.set(plan.stream.name, {
      plan,
      table,
      stage: conn.stageFor(table),
      builder: new ArrowBatchBuilder(columns, {
        batchRows: this.#options.batchRows,
        syncId: this.#options.syncId,
        // Row ids begin with the sync's start, so later syncs' ids sort after earlier ones.
        idTime: this.#options.syncId,
      }),
      columns,
      stagedRows: 0,
      stageCreated: false,
      tableExists: exists,
      direct: plan.strategy === "append" && exists && sameColumns(existing, columns),
      records: 0,
      reported: 0,
    });
    this.#options.progress?.startStream(plan.stream.name);
  }

  /** Records received per stream. */
  get recordCounts(): Map<string, number> {
    return new Map([...this.#sinks].map(([name, s]) => [name, s.records]));
  }

  /** Streams the connector sent records for without them being planned. */
  get ignoredStreams(): string[] {
    return [...this.#ignored];
  }

  /**
   * Add one record. Returns a promise only when a batch was flushed (await it); the common case
   * stays synchronous so the hot loop allocates no promise per record.
   */
  addRecord(stream: string, data: Record<string, unknown>, emittedAt: number): Promise<void> | undefined {
    const sink = this.#sinks.get(stream);
    if (!sink) {
      this.#ignored.add(stream);
      return undefined;
    }
    sink.builder.add(data, emittedAt);
    return this.#counted(sink);
  }

  /**
   * Add one RECORD line given as UTF-8 bytes `bytes[start, end)`, without parsing it into an
   * object (see record_line_scanner.ts). Returns false when the line must go the general way,
   * true when it was added, or a promise when a batch was flushed (await it). A bound function.
   */
  readonly addRecordLine = (bytes: Uint8Array, start: number, end: number): boolean | Promise<void> => {
    const stream = this.#scanner.addBytes(bytes, start, end);
    if (stream === undefined) return false;
    return this.#counted(this.#sinks.get(stream)!) ?? true;
  };

  /** Count a record just added to `sink`; a promise when that filled a batch (flushed). */
  #counted(sink: Sink): Promise<void> | undefined {
    // Progress moves every 4,096 records (a mask test, no clock read), not only at batch flushes.
    if ((++sink.records & 4095) === 0) this.#report(sink, 0);
    this.#rowsSinceCommit++;
    return sink.builder.rowCount >= this.#options.batchRows ? this.#flush(sink) : undefined;
  }

  /** Tell progress about every record counted and not yet reported. */
  reportProgress(): void {
    for (const sink of this.#sinks.values()) if (sink.records !== sink.reported) this.#report(sink, 0);
  }

  /** Note a state checkpoint; commits when enough rows or time have accumulated. */
  addState(state: AirbyteStateMessage): Promise<void> | undefined {
    this.#pendingStates.set(stateKey(state), state);
    const due = this.#rowsSinceCommit >= this.#options.commitEveryRows ||
      Date.now() - this.#lastCommit >= this.#options.commitEveryMs;
    return due ? this.#commit(false) : undefined;
  }

  /** Run `fn` after every store call made before it. */
  #inOrder<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  async #flush(sink: Sink): Promise<void> {
    const rows = sink.builder.rowCount;
    if (rows === 0) return;
    const bytes = sink.builder.byteEstimate;
    const ipc = sink.builder.finish();
    const target = sink.direct ? sink.table : sink.stage;
    const create = !sink.direct && !sink.stageCreated;
    if (!sink.direct) sink.stageCreated = true;
    sink.stagedRows += rows;
    // Up to MAX_INFLIGHT inserts queue at the store (DuckDB's worker thread, or a server) while
    // the caller builds the next batch: insert times swing 10× from batch to batch (DuckDB
    // compresses a row group each time one fills), and a queue keeps the store busy through the
    // fast ones. A failure surfaces at the next flush or commit.
    while (this.#inflight.length >= MAX_INFLIGHT) await this.#inflight.shift();
    const insert = this.#inOrder(async () => {
      // Batches go into an open transaction: one sync per commit instead of one per batch.
      await this.#begin();
      await this.#conn.insert(target, ipc, { create, columns: sink.columns });
      this.#txnRows += rows;
      // A connector that sends no state for a long time must not grow one transaction without
      // bound: commit the staging tables alone (a later read's open drops them if this one never
      // finishes). Not when rows went straight into a table: they must wait for their state.
      if (this.#txnRows >= STAGE_COMMIT_ROWS && !this.#directRowsPending()) await this.#end("commit");
    });
    insert.catch(() => {}); // observed when awaited; avoid an unhandled rejection
    this.#inflight.push(insert);
    this.#report(sink, bytes);
  }

  /** Wait for every queued insert; the first failure is thrown (after all have settled). */
  async #drain(): Promise<void> {
    const pending = this.#inflight.splice(0);
    const results = await Promise.allSettled(pending);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  #directRowsPending(): boolean {
    for (const sink of this.#sinks.values()) if (sink.direct && sink.stagedRows > 0) return true;
    return false;
  }

  /** Tell progress about records added since the last report (and a flushed batch's bytes). */
  #report(sink: Sink, bytes: number): void {
    this.#options.progress?.addRecords(sink.plan.stream.name, sink.records - sink.reported, bytes);
    sink.reported = sink.records;
  }

  /** Is this state about a stream being replaced (whose table only swaps in at the end)? */
  #touchesReplace(state: AirbyteStateMessage): boolean {
    const streams = streamsOfState(state);
    const replacing = [...this.#sinks.values()].filter((s) => s.plan.strategy === "replace");
    if (!replacing.length) return false;
    if (!streams.length) return true; // LEGACY covers everything
    return streams.some((n) => this.#sinks.get(n)?.plan.strategy === "replace");
  }

  async #begin(): Promise<void> {
    if (this.#inTransaction) return;
    await this.#conn.begin();
    this.#inTransaction = true;
    this.#txnRows = 0;
  }

  async #end(how: "commit" | "rollback"): Promise<void> {
    if (!this.#inTransaction) return;
    this.#inTransaction = false;
    await (how === "commit" ? this.#conn.commit() : this.#conn.rollback());
  }

  /** Apply staged rows and pending states in one transaction. */
  async #commit(final: boolean): Promise<void> {
    for (const sink of this.#sinks.values()) await this.#flush(sink);
    await this.#drain();
    const states = [...this.#pendingStates.values()].filter((s) => final || !this.#touchesReplace(s));
    await this.#inOrder(async () => {
      await this.#begin();
      try {
        for (const sink of this.#sinks.values()) await this.#applySink(sink, final);
        for (const state of states) await this.#conn.writeState(this.#sourceName, state);
        await this.#end("commit");
      } catch (error) {
        await this.#end("rollback").catch(() => undefined);
        throw new CacheError(
          `Cannot commit records of '${this.#sourceName}' to the cache: ${errorText(error)}`,
          {
            guidance:
              "Nothing from this checkpoint was stored; the previous state still holds. Run the read again.",
            cause: error,
          },
        );
      }
    });
    for (const state of states) this.#pendingStates.delete(stateKey(state));
    this.#rowsSinceCommit = 0;
    this.#lastCommit = Date.now();
  }

  async #applySink(sink: Sink, final: boolean): Promise<void> {
    const conn = this.#conn;
    if (sink.plan.strategy === "replace") {
      if (!final) return; // a replaced table swaps in once, at the end
      await conn.replaceTable(sink.stageCreated ? sink.stage : undefined, sink.table, sink.columns);
      sink.tableExists = true;
    } else if (sink.direct) {
      // Already in the table: this commit makes them durable.
    } else if (sink.stagedRows > 0) {
      const merge = sink.plan.strategy === "merge"
        ? {
          keys: sink.plan.primaryKey.map((path) => normalizeName(path[0])),
          cursor: sink.plan.cursor.length ? normalizeName(sink.plan.cursor[0]) : undefined,
        }
        : undefined;
      await conn.applyStage(sink.stage, sink.table, {
        merge,
        tableExists: sink.tableExists,
        columns: sink.columns,
      });
      sink.tableExists = true;
    } else if (final && !sink.tableExists) {
      await conn.createTable(sink.table, sink.columns);
      sink.tableExists = true;
    } else return;
    sink.stageCreated = false;
    sink.stagedRows = 0;
  }

  /** Commit everything left, swap replaced tables in, create tables for empty streams. */
  async finish(): Promise<void> {
    try {
      await this.#commit(true);
    } catch (error) {
      await this.abort();
      throw error;
    }
    for (const sink of this.#sinks.values()) this.#options.progress?.finishStream(sink.plan.stream.name);
    await this.#release();
  }

  /** Roll back what is not committed and drop staging tables; committed checkpoints stay. */
  async abort(): Promise<void> {
    await this.#drain().catch(() => {});
    await this.#inOrder(async () => {
      await this.#end("rollback").catch(() => undefined);
      for (const sink of this.#sinks.values()) {
        if (!sink.direct) await this.#conn.dropTable(sink.stage).catch(() => {});
      }
    }).catch(() => undefined);
    await this.#release();
  }

  async #release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#serial;
    await this.#conn.release().catch(() => {});
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
