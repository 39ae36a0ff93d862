/**
 * The PostgreSQL side of one `PostgresCache`: a connection pool opened on first use, the internal
 * tables and the cache's schema made sure of, SQL answered as Arrow, and every driver failure
 * turned into a typed error with the password masked. The cache's other parts (registry, state,
 * store, record pages) work through it.
 *
 * @module
 */
import type * as arrow from "npm:apache-arrow@17.0.0";
import { ident } from "../cache/sql_quote.ts";
import { AirbyteError, CacheError } from "../errors.ts";
import { maskSecrets } from "../secrets.ts";
import {
  checkout,
  connectPostgres,
  type PgClient,
  type PgPool,
  postgresError,
  type ResolvedConnection,
} from "./connection.ts";
import { ADVISORY_NAMESPACE, BOOTSTRAP_LOCK, ensureInternalTables } from "./internal_tables.ts";
import { type PgField, pgResultToArrow } from "./result_to_arrow.ts";

/** Every value as PostgreSQL's text: the cache reads types itself (see result_to_arrow.ts). */
export const TEXT_VALUES = { getTypeParser: () => (value: string) => value };

/**
 * One database and one cache schema in it.
 *
 * @example
 * ```ts ignore
 * const db = new PostgresDatabase(resolveConnection({ url }), "airbyte_raw", { maxConnections: 8 });
 * const table = await db.sql("SELECT 1 AS one");
 * await db.close();
 * ```
 */
export class PostgresDatabase {
  /** Where to connect (the password is registered as a secret). */
  readonly connection: ResolvedConnection;
  /** The schema holding the stream tables. */
  readonly schemaName: string;
  readonly #maxConnections: number;
  #pool: Promise<PgPool> | undefined;
  #closed = false;

  constructor(connection: ResolvedConnection, schemaName: string, options: { maxConnections?: number } = {}) {
    this.connection = connection;
    this.schemaName = schemaName;
    this.#maxConnections = options.maxConnections ?? 8;
  }

  /** True once `close()` has been called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Connect (once), and make sure the internal tables and the cache's schema exist. */
  open(): Promise<PgPool> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (!this.#pool) {
      this.#pool = this.#connect();
      // A failed open may be retried (the server may come up, a grant may be given).
      this.#pool.catch(() => this.#pool = undefined);
    }
    return this.#pool;
  }

  async #connect(): Promise<PgPool> {
    const pool = await connectPostgres(this.connection, {
      max: this.#maxConnections,
      // Text output the cache reads exactly (result_to_arrow.ts), and unqualified names in
      // `cache.sql()` found in the cache's schema first.
      settings: {
        TimeZone: "UTC",
        DateStyle: "ISO, YMD",
        IntervalStyle: "iso_8601",
        search_path: `${ident(this.schemaName)}, public`,
      },
    });
    try {
      await ensureInternalTables(pool).catch((error) => {
        throw this.error(error, "create the cache's internal tables (schema '_airbyte_internal') in");
      });
      await this.#ensureSchema(pool);
      return pool;
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
  }

  /** `CREATE SCHEMA` only when it is missing: a user who may not create schemas can use one given to it. */
  async #ensureSchema(pool: PgPool): Promise<void> {
    const exists = async (db: PgPool | PgClient) =>
      (await db.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [this.schemaName])).rowCount! > 0;
    if (await exists(pool)) return;
    const client = await checkout(pool);
    try {
      await client.query("BEGIN");
      // Several processes opening caches at once: one creates, the others find it.
      await client.query("SELECT pg_advisory_xact_lock($1, $2)", [ADVISORY_NAMESPACE, BOOTSTRAP_LOCK]);
      if (!await exists(client)) await client.query(`CREATE SCHEMA ${ident(this.schemaName)}`);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw this.error(error, `create schema '${this.schemaName}' in`);
    } finally {
      client.release();
    }
  }

  /** A connection of its own (for a transaction, a session lock or a cursor); `release()` it. */
  async client(): Promise<PgClient> {
    const pool = await this.open();
    try {
      return await checkout(pool);
    } catch (error) {
      throw this.error(error, "connect to");
    }
  }

  /** Run one query on the pool; values come back as text. */
  async query(text: string, values: unknown[] = []): Promise<{ rows: Record<string, string | null>[] }> {
    const pool = await this.open();
    try {
      return await pool.query({ text, values, types: TEXT_VALUES });
    } catch (error) {
      throw this.error(error, "query");
    }
  }

  /** Run `fn` in a transaction on a connection of its own. */
  async transaction<T>(fn: (client: PgClient) => Promise<T>, action = "write to"): Promise<T> {
    const client = await this.client();
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw this.error(error, action);
    } finally {
      client.release();
    }
  }

  /** Run SQL (several statements: the last one's result) and return the result as an Arrow table. */
  async sql(query: string): Promise<arrow.Table> {
    const pool = await this.open();
    let result;
    try {
      result = await pool.query({ text: query, rowMode: "array", types: TEXT_VALUES });
    } catch (error) {
      throw this.error(error, "run a query on");
    }
    const results = Array.isArray(result) ? result : [result];
    const last = [...results].reverse().find((r) => r.fields?.length) ?? results[results.length - 1];
    return pgResultToArrow((last?.fields ?? []) as PgField[], (last?.rows ?? []) as (string | null)[][]);
  }

  /**
   * A driver or server failure as a typed error: connection and permission failures as
   * `CacheConnectionError`/`CachePermissionError`, anything else as `CacheError` with the
   * server's message; the password masked everywhere. An `AirbyteError` passes unchanged.
   */
  error(error: unknown, action: string): Error {
    if (error instanceof AirbyteError) return error;
    const typed = postgresError(error, this.connection, action);
    if (typed instanceof AirbyteError) return typed;
    const e = error as { message?: string; code?: string; detail?: string; hint?: string; position?: string };
    const detail = maskSecrets([e?.message ?? String(error), e?.detail].filter(Boolean).join(": "));
    return new CacheError(
      `Cannot ${action} the PostgreSQL cache at '${this.connection.location}': ${detail}`,
      {
        guidance: e?.hint
          ? maskSecrets(e.hint)
          : "See the server's message above; the failed statement changed nothing.",
        context: { location: this.connection.location, sqlState: e?.code, position: e?.position },
        cause: error,
      },
    );
  }

  #closedError(): CacheError {
    return new CacheError(`Cannot use the PostgreSQL cache at '${this.connection.location}': it is closed.`, {
      guidance: "Create a new PostgresCache.",
    });
  }

  /** End every connection. Further calls fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await (await pool.catch(() => undefined))?.end().catch(() => {});
  }
}
