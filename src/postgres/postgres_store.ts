/**
 * The PostgreSQL cache's `CacheStore`: each write session gets a connection of its own and works
 * in that connection's transaction. Batches go in with binary `COPY` (straight into the table
 * for an append to a table whose columns match, else into a stage), checkpoints apply stages
 * and store the state in the same transaction, and each stream table is written by one session
 * at a time, across processes and hosts (a session-level advisory lock that dies with its
 * connection, so a killed writer never leaves it behind).
 *
 * @module
 */
import { AIRBYTE_META_COLUMN, type ColumnSpec } from "../arrow/stream_columns.ts";
import type { CacheStore, StageApply, StoreConnection } from "../cache/cache_store.ts";
import { ident, qualified } from "../cache/sql_quote.ts";
import type { ExistingColumn } from "../cache/table_columns.ts";
import type { ResolvedWriteStrategy } from "../cache/write_strategy.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import {
  appendStage,
  createTableSql,
  dropStage,
  dropStageKeysIndex,
  ensureKeyIndex,
  mergeStage,
  type PgColumn,
  replaceWithStage,
  stageKeysUnique,
} from "./apply_stage.ts";
import type { PgClient } from "./connection.ts";
import { copyArrowBatch } from "./copy_batch.ts";
import type { CopyColumn } from "./copy_encoder.ts";
import { stageTableName, truncatedIdentifier } from "./pg_names.ts";
import { type ExistingPgType, existingPgType, type PgType, pgTypeOf } from "./pg_types.ts";
import type { PostgresDatabase } from "./postgres_database.ts";
import type { StateStore } from "./state_store.ts";
import { type LockHolder, lockStreamTable } from "./stream_lock.ts";
import type { StreamRegistry } from "./stream_registry.ts";

/** What the store needs of its cache. */
export interface PostgresStoreParts {
  db: PostgresDatabase;
  registry: StreamRegistry;
  state: StateStore;
  /** Told once when a stream table's write lock is held by another session, before waiting. */
  onLockWait?: (message: string, holder: LockHolder | undefined) => void;
  /** Give up waiting for a stream table's write lock after this long. */
  lockTimeoutMs?: number;
}

/**
 * Write sessions' access to a PostgreSQL cache.
 *
 * @example
 * ```ts ignore
 * const store = new PostgresStore({ db, registry, state });
 * const session = await WriteSession.open(store, "source-x", plans);
 * ```
 */
export class PostgresStore implements CacheStore {
  readonly #parts: PostgresStoreParts;

  constructor(parts: PostgresStoreParts) {
    this.#parts = parts;
  }

  async connect(): Promise<StoreConnection> {
    return new PostgresStoreConnection(await this.#parts.db.client(), this.#parts);
  }
}

/** A table column as it is in the database. */
interface TableColumn extends ExistingPgType {
  name: string;
}

class PostgresStoreConnection implements StoreConnection {
  readonly #client: PgClient;
  readonly #parts: PostgresStoreParts;
  readonly #db: PostgresDatabase;
  readonly #schema: string;
  /** Stage name -> its stream table. */
  readonly #stageOf = new Map<string, string>();
  /** Stream table -> how this session writes it. */
  readonly #strategies = new Map<string, ResolvedWriteStrategy | undefined>();
  /** Stream table -> its columns when last looked at. */
  readonly #tables = new Map<string, TableColumn[]>();
  /** Stream tables this session made exist. */
  readonly #existing = new Set<string>();
  #locked = false;
  #released = false;

  constructor(client: PgClient, parts: PostgresStoreParts) {
    this.#client = client;
    this.#parts = parts;
    this.#db = parts.db;
    this.#schema = parts.db.schemaName;
  }

  async claimTable(
    sourceName: string,
    stream: string,
    info: { jsonSchema: unknown; primaryKey: string[][]; cursor: string[]; strategy?: ResolvedWriteStrategy },
  ): Promise<string> {
    const table = await this.#parts.registry.claim(this.#client, sourceName, stream, info);
    this.#strategies.set(table, info.strategy);
    this.#locked = true;
    await lockStreamTable(this.#client, this.#schema, table, {
      onWait: this.#parts.onLockWait
        ? (holder, message) => this.#parts.onLockWait!(message, holder)
        : undefined,
      timeoutMs: this.#parts.lockTimeoutMs,
    }).catch((error) => {
      throw this.#db.error(error, `lock table '${table}' for writing in`);
    });
    // A stage left by a writer that died holding this lock: nobody else can be using it now.
    await this.#run(
      `clear the leftover stage of table '${table}' in`,
      () => dropStage(this.#client, this.#schema, this.stageFor(table)),
    );
    return table;
  }

  async columns(table: string): Promise<ExistingColumn[]> {
    const { rows } = await this.#run(`read the columns of table '${table}' in`, () =>
      this.#client.query(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a ` +
          `JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ` +
          `WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') AND a.attnum > 0 ` +
          `AND NOT a.attisdropped ORDER BY a.attnum`,
        [this.#schema, table],
      ));
    const columns = rows.map((r) => ({ name: String(r.name), ...existingPgType(String(r.type)) }));
    this.#tables.set(table, columns);
    return columns.map((c) => ({ name: c.name, sqlType: c.duckdbType }));
  }

  stageFor(table: string): string {
    const stage = stageTableName(this.#schema, table);
    this.#stageOf.set(stage, table);
    return stage;
  }

  begin(): Promise<void> {
    return this.#run("begin a transaction in", async () => void await this.#client.query("BEGIN"));
  }

  commit(): Promise<void> {
    return this.#run("commit to", async () => void await this.#client.query("COMMIT"));
  }

  rollback(): Promise<void> {
    return this.#run("roll back in", async () => void await this.#client.query("ROLLBACK"));
  }

  async insert(
    target: string,
    ipc: Uint8Array,
    options: { create: boolean; columns: ColumnSpec[] },
  ): Promise<void> {
    const table = this.#stageOf.get(target) ?? target;
    const columns = this.#pgColumns(table, options.columns);
    await this.#run(`copy records into table '${table}' of`, async () => {
      if (options.create) {
        const stage = target !== table;
        // A stage that only feeds an INSERT into the table needs no WAL; one that may become the
        // table (the table's first rows, or a replace) is logged like a table.
        const unlogged = stage && this.#strategies.get(table) !== "replace" && this.#exists(table);
        await this.#client.query(
          createTableSql(this.#schema, target, columns, { unlogged, ifNotExists: !stage }),
        );
      }
      await copyArrowBatch(this.#client, qualified(this.#schema, target), columns, ipc);
    });
  }

  async createTable(table: string, columns: ColumnSpec[]): Promise<void> {
    await this.#run(`create table '${table}' in`, async () => {
      await this.#client.query(
        createTableSql(this.#schema, table, this.#pgColumns(table, columns), { ifNotExists: true }),
      );
      this.#existing.add(table);
    });
  }

  async applyStage(stage: string, table: string, how: StageApply): Promise<void> {
    const names = how.columns.map((c) => c.name);
    await this.#run(`apply the staged records to table '${table}' of`, async () => {
      const client = this.#client;
      const keysUnique = how.merge
        ? await stageKeysUnique(client, this.#schema, stage, how.merge.keys)
        : false;
      if (!how.tableExists) {
        if (how.merge && !keysUnique) {
          await client.query(
            `CREATE TABLE ${qualified(this.#schema, table)} (LIKE ${qualified(this.#schema, stage)})`,
          );
          await mergeStage(client, this.#schema, stage, table, {
            columns: names,
            ...how.merge,
            tableIsNew: true,
          });
          await dropStage(client, this.#schema, stage);
        } else {
          // Nothing to pick (an append, or one row per key): the stage becomes the table.
          await dropStageKeysIndex(client, this.#schema, stage);
          await replaceWithStage(client, this.#schema, stage, table);
        }
        if (how.merge) await ensureKeyIndex(client, this.#schema, table, how.merge.keys);
      } else {
        await this.#addMissingColumns(table, how.columns);
        if (how.merge) {
          await ensureKeyIndex(client, this.#schema, table, how.merge.keys);
          await mergeStage(client, this.#schema, stage, table, { columns: names, ...how.merge, keysUnique });
        } else {
          await appendStage(client, this.#schema, stage, table, names);
        }
        await dropStage(client, this.#schema, stage);
      }
      this.#existing.add(table);
    });
  }

  async replaceTable(stage: string | undefined, table: string, columns: ColumnSpec[]): Promise<void> {
    await this.#run(`replace table '${table}' in`, async () => {
      if (stage) await replaceWithStage(this.#client, this.#schema, stage, table);
      else {
        await this.#client.query(`DROP TABLE IF EXISTS ${qualified(this.#schema, table)}`);
        this.#tables.delete(table);
        await this.#client.query(createTableSql(this.#schema, table, this.#pgColumns(table, columns)));
      }
      this.#existing.add(table);
    });
  }

  async dropTable(table: string): Promise<void> {
    await this.#run(`drop table '${table}' in`, () => dropStage(this.#client, this.#schema, table));
  }

  async writeState(sourceName: string, state: AirbyteStateMessage): Promise<void> {
    await this.#run("store state in", () => this.#parts.state.upsert(this.#client, sourceName, state));
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    try {
      // An open transaction is rolled back; the stream locks go with the session's end.
      await this.#client.query("ROLLBACK");
      if (this.#locked) await this.#client.query("SELECT pg_advisory_unlock_all()");
      this.#client.release();
    } catch (error) {
      // A connection in an unknown state is closed, not reused (that also frees its locks).
      this.#client.release(error instanceof Error ? error : true);
    }
  }

  #exists(table: string): boolean {
    return this.#existing.has(table) || (this.#tables.get(table)?.length ?? 0) > 0;
  }

  /** Schema evolution: the columns this read brings that the table lacks are added; nothing is dropped. */
  async #addMissingColumns(table: string, columns: ColumnSpec[]): Promise<void> {
    await this.columns(table);
    const present = new Set(this.#tables.get(table)!.map((c) => truncatedIdentifier(c.name)));
    for (const column of this.#pgColumns(table, columns)) {
      if (present.has(truncatedIdentifier(column.name))) continue;
      await this.#client.query(
        `ALTER TABLE ${qualified(this.#schema, table)} ADD COLUMN ${ident(column.name)} ${column.pgType}`,
      );
    }
  }

  /**
   * The `COPY` columns of a batch for `table`: a column the table has keeps the table's type
   * (values were aligned to it), a new one gets the type its kind maps to.
   */
  #pgColumns(table: string, columns: ColumnSpec[]): (CopyColumn & PgColumn)[] {
    const existing = new Map(
      (this.#tables.get(table) ?? []).map((c) => [truncatedIdentifier(c.name), c.pgType] as const),
    );
    return columns.map((c) => {
      const pgType: PgType = existing.get(truncatedIdentifier(c.name)) ?? pgTypeOf(c);
      // A property now declared a string meeting a jsonb column made when it held JSON.
      const quoteJson = pgType === "jsonb" && c.kind !== "json" && c.name !== AIRBYTE_META_COLUMN;
      return { name: c.name, property: c.property, pgType, ...(quoteJson ? { quoteJson } : {}) };
    });
  }

  /** Run `fn`, turning a driver failure into a typed error that says what was being done. */
  async #run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.#db.error(error, action);
    }
  }
}
