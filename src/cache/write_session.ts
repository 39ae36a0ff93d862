/**
 * The hot path of a read: records are appended to per-stream Arrow builders (RECORD lines
 * straight from their bytes through the record line scanner, other records as parsed objects),
 * flushed in bounded batches to a staging table, and at a STATE checkpoint the staged rows are
 * applied to the stream's table (append, merge or replace) in the same transaction that stores
 * the state. After a crash the staging tables are dropped on open, so data and state always agree.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import type { AirbyteStateMessage, AirbyteStream } from "../protocol/messages.ts";
import type { ResolvedWriteStrategy } from "./write_strategy.ts";
import { stateKey, streamsOfState } from "../state/state_key.ts";
import type { ProgressTracker } from "../progress/progress_tracker.ts";
import { CacheError } from "../errors.ts";
import { ident, literal, qualified } from "./sql_quote.ts";
import { ArrowBatchBuilder } from "../arrow/arrow_batch_builder.ts";
import { RecordLineScanner } from "../arrow/record_line_scanner.ts";
import {
  addMissingColumnsSql,
  alignColumnsToTable,
  canonicalSqlType,
  type ColumnSpec,
  createTableSql,
  type ExistingColumn,
  toStreamColumns,
} from "../arrow/stream_columns.ts";
import { normalizeName } from "../arrow/column_names.ts";
import { type DuckDBCache, STAGE_PREFIX } from "../duckdb/duckdb_cache.ts";

/** The rows of {@linkcode columnsSql}. */
function columnsOf(result: arrow.Table): ExistingColumn[] {
  return result.toArray().map((r) => ({ name: String(r.column_name), sqlType: String(r.data_type) }));
}

/** A table's columns (name, type), in table order. */
function columnsSql(schema: string, table: string): string {
  return `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ${
    literal(schema)
  } ` +
    `AND table_name = ${literal(table)} ORDER BY ordinal_position`;
}

/** What to do with one stream in this read. */
export interface StreamPlan {
  stream: AirbyteStream;
  strategy: ResolvedWriteStrategy;
  primaryKey: string[][];
  cursor: string[];
}

type Engine = Parameters<Parameters<DuckDBCache["exclusive"]>[0]>[0];

/** Batches that may wait at the engine while the next one is built. */
const MAX_INFLIGHT = 3;

/** Staged rows after which an open transaction is committed even without a state. */
const STAGE_COMMIT_ROWS = 1_000_000;

/** Tuning knobs; the defaults bound memory to a few tens of MB per stream. */
export interface WriteSessionOptions {
  /** Rows per Arrow batch handed to DuckDB. @default 50_000 */
  batchRows?: number;
  /** Commit a checkpoint once this many rows are staged and a state arrives. @default 200_000 */
  commitEveryRows?: number;
  /** ...or once this much time has passed since the last commit. @default 5_000 */
  commitEveryMs?: number;
  syncId?: number;
  progress?: ProgressTracker;
}

interface Sink {
  plan: StreamPlan;
  table: string;
  stage: string;
  builder: ArrowBatchBuilder;
  columns: ReturnType<typeof toStreamColumns>;
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
 * One read's writes into a cache.
 *
 * @example
 * ```ts ignore
 * const session = await CacheWriteSession.open(cache, "source-x", plans);
 * for await (const msg of messages) {
 *   if (msg.type === "RECORD") await session.addRecord(msg.record.stream, msg.record.data, msg.record.emitted_at);
 *   else if (msg.type === "STATE") await session.addState(msg.state);
 * }
 * await session.finish();
 * ```
 */
export class CacheWriteSession {
  readonly #cache: DuckDBCache;
  readonly #sourceName: string;
  readonly #sinks = new Map<string, Sink>();
  readonly #options: Required<Omit<WriteSessionOptions, "progress" | "syncId">> & WriteSessionOptions;
  readonly #pendingStates = new Map<string, AirbyteStateMessage>();
  #rowsSinceCommit = 0;
  #lastCommit = Date.now();
  #ignored = new Set<string>();
  #inTransaction = false;
  /** Batch inserts handed to the engine and not yet done, oldest first. */
  #inflight: Promise<void>[] = [];
  #txnRows = 0;
  readonly #scanner = new RecordLineScanner((stream) => this.#sinks.get(stream)?.builder);

  private constructor(cache: DuckDBCache, sourceName: string, options: WriteSessionOptions) {
    this.#cache = cache;
    this.#sourceName = sourceName;
    this.#options = {
      ...options,
      batchRows: options.batchRows ?? 50_000,
      commitEveryRows: options.commitEveryRows ?? 200_000,
      commitEveryMs: options.commitEveryMs ?? 5_000,
    };
  }

  /** Claim tables for every planned stream and prepare their builders. */
  static async open(
    cache: DuckDBCache,
    sourceName: string,
    plans: StreamPlan[],
    options: WriteSessionOptions = {},
  ): Promise<CacheWriteSession> {
    const session = new CacheWriteSession(cache, sourceName, options);
    for (const plan of plans) {
      const table = await cache.claimTable(sourceName, plan.stream.name, plan.stream.json_schema, plan);
      const existing = await session.#existingColumns(table);
      const exists = existing.length > 0;
      const wanted = toStreamColumns(plan.stream.json_schema ?? {}, { stream: plan.stream.name });
      // A column that already exists keeps its type; values are converted to it (misfits kept in meta).
      const columns = exists ? alignColumnsToTable(existing, wanted) : wanted;
      session.#sinks.set(plan.stream.name, {
        plan,
        table,
        stage: `${STAGE_PREFIX}${table}`,
        builder: new ArrowBatchBuilder(columns, {
          batchRows: session.#options.batchRows,
          syncId: options.syncId,
          // Row ids begin with the sync's start, so later syncs' ids sort after earlier ones.
          idTime: options.syncId,
        }),
        columns,
        stagedRows: 0,
        stageCreated: false,
        tableExists: exists,
        direct: plan.strategy === "append" && exists && sameColumns(existing, columns),
        records: 0,
        reported: 0,
      });
      options.progress?.startStream(plan.stream.name);
    }
    return session;
  }

  /** Records received per stream. */
  get recordCounts(): Map<string, number> {
    return new Map([...this.#sinks].map(([name, s]) => [name, s.records]));
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

  /** Count a record just added to `sink`; a promise when that filled a batch (flushed). */
  #counted(sink: Sink): Promise<void> | undefined {
    // Progress moves every 4,096 records (a mask test, no clock read), not only at batch flushes.
    if ((++sink.records & 4095) === 0) this.#report(sink, 0);
    this.#rowsSinceCommit++;
    return sink.builder.rowCount >= this.#options.batchRows ? this.#flush(sink) : undefined;
  }

  /**
   * Add one RECORD line given as UTF-8 bytes `bytes[start, end)`, without parsing it into an
   * object (see record_line_scanner.ts). Returns false when the line must go the general way
   * (parse it; then {@linkcode CacheWriteSession.addRecord} or `addState`), true when it was
   * added, or a promise when a batch was flushed (await it). A bound function: pass it as is.
   */
  readonly addRecordLine = (bytes: Uint8Array, start: number, end: number): boolean | Promise<void> => {
    const stream = this.#scanner.addBytes(bytes, start, end);
    if (stream === undefined) return false;
    return this.#counted(this.#sinks.get(stream)!) ?? true;
  };

  /** Streams the connector sent records for without them being selected. */
  get ignoredStreams(): string[] {
    return [...this.#ignored];
  }

  /** Note a state checkpoint; commits when enough rows or time have accumulated. */
  addState(state: AirbyteStateMessage): Promise<void> | undefined {
    this.#pendingStates.set(stateKey(state), state);
    const due = this.#rowsSinceCommit >= this.#options.commitEveryRows ||
      Date.now() - this.#lastCommit >= this.#options.commitEveryMs;
    return due ? this.commit() : undefined;
  }

  async #flush(sink: Sink): Promise<void> {
    const rows = sink.builder.rowCount;
    if (rows === 0) return;
    const bytes = sink.builder.byteEstimate;
    const ipc = sink.builder.finish();
    const schema = this.#cache.schemaName;
    const table = sink.direct ? sink.table : sink.stage;
    const create = !sink.direct && !sink.stageCreated;
    if (!sink.direct) sink.stageCreated = true;
    sink.stagedRows += rows;
    // Up to MAX_INFLIGHT inserts queue at the engine (a worker thread in Deno and Node) while
    // the caller builds the next batch. More than one: DuckDB's insert time swings 10× from
    // batch to batch (it compresses a row group each time one fills), and a queue keeps it busy
    // through the fast ones. A failure surfaces at the next flush or commit.
    while (this.#inflight.length >= MAX_INFLIGHT) await this.#inflight.shift();
    const insert = this.#cache.exclusive(async (engine) => {
      // Batches go into an open transaction: one sync per commit instead of one per batch.
      await this.#begin(engine);
      await engine.insertArrowIPC(ipc, { schema, table, create });
      this.#txnRows += rows;
      // A connector that sends no state for a long time must not grow one transaction without
      // bound: commit the staging tables alone (they are dropped on open if the read never
      // finishes). Not when rows went straight into a table: they must wait for their state.
      if (this.#txnRows >= STAGE_COMMIT_ROWS && !this.#directRowsPending()) await this.#end(engine, "COMMIT");
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

  async #existingColumns(table: string): Promise<ExistingColumn[]> {
    return columnsOf(await this.#cache.sql(columnsSql(this.#cache.schemaName, table)));
  }

  /** Is this state about a stream being replaced (whose table only swaps in at the end)? */
  #touchesReplace(state: AirbyteStateMessage): boolean {
    const streams = streamsOfState(state);
    const replacing = [...this.#sinks.values()].filter((s) => s.plan.strategy === "replace");
    if (!replacing.length) return false;
    if (!streams.length) return true; // LEGACY covers everything
    return streams.some((n) => this.#sinks.get(n)?.plan.strategy === "replace");
  }

  /** Apply staged rows and pending states in one transaction. */
  async #begin(engine: Engine): Promise<void> {
    if (this.#inTransaction) return;
    await engine.exec("BEGIN TRANSACTION");
    this.#inTransaction = true;
    this.#txnRows = 0;
  }

  async #end(engine: Engine, how: "COMMIT" | "ROLLBACK"): Promise<void> {
    if (!this.#inTransaction) return;
    this.#inTransaction = false;
    await engine.exec(how);
  }

  async commit(final = false): Promise<void> {
    for (const sink of this.#sinks.values()) await this.#flush(sink);
    await this.#drain();
    const states = [...this.#pendingStates.values()].filter((s) => final || !this.#touchesReplace(s));
    await this.#cache.exclusive(async (engine) => {
      await this.#begin(engine);
      try {
        for (const sink of this.#sinks.values()) {
          if (sink.plan.strategy === "replace") {
            if (final) await this.#applyReplace(engine, sink);
          } else if (sink.direct) {
            sink.stagedRows = 0; // already in the table: this commit makes them durable
          } else if (sink.stagedRows > 0) {
            await this.#applyIncremental(engine, sink);
          } else if (final && !sink.tableExists) {
            await engine.exec(createTableSql(this.#cache.schemaName, sink.table, sink.columns));
            sink.tableExists = true;
          }
        }
        for (const state of states) {
          await engine.exec(this.#cache.stateUpsertSql(this.#sourceName, state));
        }
        await this.#end(engine, "COMMIT");
      } catch (error) {
        await this.#end(engine, "ROLLBACK").catch(() => undefined);
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
    for (const state of states) {
      this.#pendingStates.delete(stateKey(state));
    }
    this.#rowsSinceCommit = 0;
    this.#lastCommit = Date.now();
  }

  async #applyIncremental(engine: Engine, sink: Sink) {
    const schema = this.#cache.schemaName;
    const stage = qualified(schema, sink.stage);
    const table = qualified(schema, sink.table);
    const merge = sink.plan.strategy === "merge";
    const source = merge ? this.#dedupSql(sink, stage) : `SELECT * FROM ${stage}`;
    if (!sink.tableExists) {
      if (merge) await engine.exec(`CREATE TABLE ${table} AS ${source}`);
      else await engine.exec(`ALTER TABLE ${stage} RENAME TO ${ident(sink.table)}`);
      sink.tableExists = true;
    } else {
      await this.#addMissingColumns(engine, sink);
      if (merge) {
        const keys = this.#keyColumns(sink);
        const match = keys.map((k) => `${table}.${ident(k)} IS NOT DISTINCT FROM s.${ident(k)}`).join(
          " AND ",
        );
        await engine.exec(`DELETE FROM ${table} USING ${stage} AS s WHERE ${match}`);
      }
      await engine.exec(`INSERT INTO ${table} BY NAME ${source}`);
    }
    await engine.exec(`DROP TABLE IF EXISTS ${stage}`);
    sink.stageCreated = false;
    sink.stagedRows = 0;
  }

  async #applyReplace(engine: Engine, sink: Sink) {
    const schema = this.#cache.schemaName;
    const table = qualified(schema, sink.table);
    await engine.exec(`DROP TABLE IF EXISTS ${table}`);
    if (sink.stageCreated) {
      await engine.exec(`ALTER TABLE ${qualified(schema, sink.stage)} RENAME TO ${ident(sink.table)}`);
    } else {
      await engine.exec(createTableSql(schema, sink.table, sink.columns));
    }
    sink.tableExists = true;
    sink.stageCreated = false;
    sink.stagedRows = 0;
  }

  #keyColumns(sink: Sink): string[] {
    return sink.plan.primaryKey.map((path) => normalizeName(path[0]));
  }

  /** Keep one row per primary key: the greatest cursor, and among equals the last one staged. */
  #dedupSql(sink: Sink, stage: string): string {
    const keys = this.#keyColumns(sink).map(ident).join(", ");
    const cursor = sink.plan.cursor.length
      ? `${ident(normalizeName(sink.plan.cursor[0]))} DESC NULLS LAST, `
      : "";
    return `SELECT * EXCLUDE (_ab_rn, _ab_seq) FROM (SELECT *, row_number() OVER (PARTITION BY ${keys} ` +
      `ORDER BY ${cursor}_ab_seq DESC) AS _ab_rn FROM (SELECT *, rowid AS _ab_seq FROM ${stage})) WHERE _ab_rn = 1`;
  }

  /** Schema evolution: columns new in this read are added; nothing is dropped. */
  async #addMissingColumns(engine: Engine, sink: Sink) {
    const existing = columnsOf(await engine.query(columnsSql(this.#cache.schemaName, sink.table)));
    for (const sql of addMissingColumnsSql(this.#cache.schemaName, sink.table, existing, sink.columns)) {
      await engine.exec(sql);
    }
  }

  /** Commit everything left, swap replaced tables in, create tables for empty streams. */
  async finish(): Promise<void> {
    await this.commit(true);
    for (const sink of this.#sinks.values()) this.#options.progress?.finishStream(sink.plan.stream.name);
  }

  /** Drop uncommitted staging tables; committed checkpoints stay. */
  async abort(): Promise<void> {
    await this.#drain().catch(() => {});
    await this.#cache.exclusive(async (engine) => {
      await this.#end(engine, "ROLLBACK").catch(() => undefined);
      for (const sink of this.#sinks.values()) {
        await engine.exec(`DROP TABLE IF EXISTS ${qualified(this.#cache.schemaName, sink.stage)}`).catch(
          () => {},
        );
      }
    }).catch(() => undefined);
  }
}

/** Are a table's columns (in order) exactly `columns`, so that batches insert by position? */
function sameColumns(existing: ExistingColumn[], columns: ColumnSpec[]): boolean {
  return existing.length === columns.length &&
    existing.every((e, i) =>
      e.name.toLowerCase() === columns[i].name.toLowerCase() &&
      canonicalSqlType(e.sqlType) === canonicalSqlType(columns[i].sqlType)
    );
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
