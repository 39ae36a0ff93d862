/**
 * The DuckDB cache's `CacheStore`: each write session gets a connection of its own, so two reads
 * into one cache in one process run in separate transactions. Two sessions writing the same
 * stream of the same source take turns (the second waits for the first to finish).
 *
 * @module
 */
import type { DuckDBConnection } from "../../wasm/duckdb_engine.ts";
import type { ColumnSpec } from "../arrow/stream_columns.ts";
import type { CacheStore, StageApply, StoreConnection } from "../cache/cache_store.ts";
import { ident, literal, qualified } from "../cache/sql_quote.ts";
import type { ExistingColumn } from "../cache/table_columns.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import type { EngineQueue } from "./engine_queue.ts";
import { stageTableFor } from "./internal_tables.ts";
import type { StateStore } from "./state_store.ts";
import type { StreamRegistry } from "./stream_registry.ts";
import { addMissingColumnsSql, createTableSql } from "./table_sql.ts";

/**
 * Write sessions' access to a DuckDB cache.
 *
 * @example
 * ```ts ignore
 * const store = new DuckDBStore({ queue, registry, state, schemaName: "main" });
 * const conn = await store.connect();
 * ```
 */
export class DuckDBStore implements CacheStore {
  readonly #parts: { queue: EngineQueue; registry: StreamRegistry; state: StateStore; schemaName: string };
  /** Streams being written in this process: the next writer of one waits for the current one. */
  readonly #writing = new Map<string, Promise<void>>();

  constructor(
    parts: { queue: EngineQueue; registry: StreamRegistry; state: StateStore; schemaName: string },
  ) {
    this.#parts = parts;
  }

  async connect(): Promise<StoreConnection> {
    return new DuckDBStoreConnection(
      await this.#parts.queue.connect(),
      this.#parts,
      (key) => this.#take(key),
    );
  }

  /** Wait for the stream `key` to be free, take it; resolves with the function that frees it. */
  async #take(key: string): Promise<() => void> {
    for (;;) {
      const busy = this.#writing.get(key);
      if (!busy) break;
      await busy;
    }
    let free!: () => void;
    this.#writing.set(key, new Promise((resolve) => free = resolve));
    return () => {
      this.#writing.delete(key);
      free();
    };
  }
}

class DuckDBStoreConnection implements StoreConnection {
  readonly #c: DuckDBConnection;
  readonly #registry: StreamRegistry;
  readonly #state: StateStore;
  readonly #schema: string;
  readonly #take: (key: string) => Promise<() => void>;
  readonly #held: (() => void)[] = [];
  #released = false;

  constructor(
    connection: DuckDBConnection,
    parts: { registry: StreamRegistry; state: StateStore; schemaName: string },
    take: (key: string) => Promise<() => void>,
  ) {
    this.#c = connection;
    this.#registry = parts.registry;
    this.#state = parts.state;
    this.#schema = parts.schemaName;
    this.#take = take;
  }

  async claimTable(
    sourceName: string,
    stream: string,
    info: { jsonSchema: unknown; primaryKey: string[][]; cursor: string[] },
  ): Promise<string> {
    this.#held.push(await this.#take(`${sourceName}\u0000${stream}`));
    return await this.#registry.claim(sourceName, stream, info);
  }

  async columns(table: string): Promise<ExistingColumn[]> {
    const result = await this.#c.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ` +
        `${literal(this.#schema)} AND table_name = ${literal(table)} ORDER BY ordinal_position`,
    );
    return result.toArray().map((r) => ({ name: String(r.column_name), sqlType: String(r.data_type) }));
  }

  stageFor(table: string): string {
    return stageTableFor(table);
  }

  begin(): Promise<void> {
    return this.#c.exec("BEGIN TRANSACTION");
  }

  commit(): Promise<void> {
    return this.#c.exec("COMMIT");
  }

  rollback(): Promise<void> {
    return this.#c.exec("ROLLBACK");
  }

  insert(table: string, ipc: Uint8Array, options: { create: boolean; columns: ColumnSpec[] }): Promise<void> {
    return this.#c.insertArrowIPC(ipc, { schema: this.#schema, table, create: options.create });
  }

  createTable(table: string, columns: ColumnSpec[]): Promise<void> {
    return this.#c.exec(createTableSql(this.#schema, table, columns));
  }

  async applyStage(stage: string, table: string, how: StageApply): Promise<void> {
    const staged = qualified(this.#schema, stage);
    const target = qualified(this.#schema, table);
    const rows = how.merge ? dedupSql(staged, how.merge) : `SELECT * FROM ${staged}`;
    if (!how.tableExists) {
      // The stage becomes the table: a rename, when no dedupe is needed.
      if (how.merge) await this.#c.exec(`CREATE TABLE ${target} AS ${rows}`);
      else await this.#c.exec(`ALTER TABLE ${staged} RENAME TO ${ident(table)}`);
    } else {
      // Schema evolution: columns new in this read are added; nothing is dropped.
      for (const sql of addMissingColumnsSql(this.#schema, table, await this.columns(table), how.columns)) {
        await this.#c.exec(sql);
      }
      if (how.merge) {
        const match = how.merge.keys.map((k) => `${target}.${ident(k)} IS NOT DISTINCT FROM s.${ident(k)}`)
          .join(" AND ");
        await this.#c.exec(`DELETE FROM ${target} USING ${staged} AS s WHERE ${match}`);
      }
      await this.#c.exec(`INSERT INTO ${target} BY NAME ${rows}`);
    }
    await this.dropTable(stage);
  }

  async replaceTable(stage: string | undefined, table: string, columns: ColumnSpec[]): Promise<void> {
    await this.dropTable(table);
    if (stage) {
      await this.#c.exec(`ALTER TABLE ${qualified(this.#schema, stage)} RENAME TO ${ident(table)}`);
    } else await this.createTable(table, columns);
  }

  dropTable(table: string): Promise<void> {
    return this.#c.exec(`DROP TABLE IF EXISTS ${qualified(this.#schema, table)}`);
  }

  writeState(sourceName: string, state: AirbyteStateMessage): Promise<void> {
    return this.#c.exec(this.#state.upsertSql(sourceName, state));
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    try {
      await this.#c.close();
    } finally {
      for (const free of this.#held.splice(0)) free();
    }
  }
}

/** Keep one row per key: the greatest cursor, and among equals the last one staged. */
function dedupSql(stage: string, merge: { keys: string[]; cursor?: string }): string {
  const keys = merge.keys.map(ident).join(", ");
  const cursor = merge.cursor ? `${ident(merge.cursor)} DESC NULLS LAST, ` : "";
  return `SELECT * EXCLUDE (_ab_rn, _ab_seq) FROM (SELECT *, row_number() OVER (PARTITION BY ${keys} ` +
    `ORDER BY ${cursor}_ab_seq DESC) AS _ab_rn FROM (SELECT *, rowid AS _ab_seq FROM ${stage})) WHERE _ab_rn = 1`;
}
