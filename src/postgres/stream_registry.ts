/**
 * The PostgreSQL cache's stream registry: which table of the cache's schema holds which source's
 * stream, with the JSON Schema and keys it was last written with. Names are chosen as in the
 * DuckDB cache (the normalized stream name, or `<source>__<stream>` when another source has it),
 * kept within PostgreSQL's 63 bytes. Claims in one schema take turns (a transaction-scoped
 * advisory lock), so processes that start at once never pick one name for two sources.
 *
 * @module
 */
import { normalizeName } from "../arrow/column_names.ts";
import type { StreamTable } from "../cache/cache.ts";
import { CacheError, StreamNotFoundError } from "../errors.ts";
import type { PgClient } from "./connection.ts";
import { internalTable, REGISTRY_NAMESPACE, STREAMS_TABLE } from "./internal_tables.ts";
import { pgIdentifier } from "./pg_names.ts";
import type { PostgresDatabase } from "./postgres_database.ts";

/**
 * Reads and claims stream tables.
 *
 * @example
 * ```ts ignore
 * const registry = new StreamRegistry(db, "");
 * const table = await registry.claim(client, "source-faker", "users", { jsonSchema: {}, primaryKey: [], cursor: [] });
 * ```
 */
export class StreamRegistry {
  readonly #db: PostgresDatabase;
  readonly #tablePrefix: string;
  readonly #registry = internalTable(STREAMS_TABLE);

  constructor(db: PostgresDatabase, tablePrefix: string) {
    this.#db = db;
    this.#tablePrefix = tablePrefix;
  }

  /** Every registered stream of this schema whose table exists. */
  async list(): Promise<StreamTable[]> {
    const { rows } = await this.#db.query(
      `SELECT s.source_name, s.stream_name, s.table_name, s.json_schema, s.primary_key, s.cursor_field ` +
        `FROM ${this.#registry} AS s WHERE s.schema_name = $1 AND EXISTS (SELECT 1 FROM pg_catalog.pg_tables AS t ` +
        `WHERE t.schemaname = s.schema_name AND t.tablename = s.table_name) ORDER BY 1, 2`,
      [this.#db.schemaName],
    );
    return rows.map((r) => ({
      sourceName: String(r.source_name),
      stream: String(r.stream_name),
      table: String(r.table_name),
      jsonSchema: JSON.parse(r.json_schema ?? "{}"),
      primaryKey: JSON.parse(r.primary_key ?? "[]"),
      cursor: JSON.parse(r.cursor_field ?? "[]"),
    }));
  }

  /** The table of a stream (of a given source, or of the only source that has it). */
  async tableFor(stream: string, sourceName?: string): Promise<string> {
    const all = await this.list();
    const matches = all.filter((r) => r.stream === stream && (!sourceName || r.sourceName === sourceName));
    if (matches.length === 1) return matches[0].table;
    if (matches.length === 0) {
      throw new StreamNotFoundError(stream, [...new Set(all.map((r) => r.stream))], {
        guidance:
          `Read the stream into this cache first, or check the cache's URL and schema ('${this.#db.schemaName}').`,
      });
    }
    throw new CacheError(
      `Cannot tell which source's '${stream}' you mean: ${
        matches.map((m) => `'${m.sourceName}'`).join(", ")
      } all cached one.`,
      { guidance: "Pass `{ sourceName }` to `cache.get()`." },
    );
  }

  /**
   * Find or assign the table for a source's stream and record its schema and keys, committed at
   * once on `client` (which must not be in a transaction).
   */
  async claim(
    client: PgClient,
    sourceName: string,
    stream: string,
    info: { jsonSchema: unknown; primaryKey: string[][]; cursor: string[] },
  ): Promise<string> {
    const schema = this.#db.schemaName;
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [REGISTRY_NAMESPACE, schema]);
      const { rows } = await client.query(
        `SELECT source_name, stream_name, table_name FROM ${this.#registry} WHERE schema_name = $1`,
        [schema],
      );
      const mine = rows.find((r) => r.source_name === sourceName && r.stream_name === stream);
      let table: string = mine?.table_name;
      if (!table) {
        const taken = new Set(rows.map((r) => String(r.table_name)));
        const candidates = [
          `${this.#tablePrefix}${normalizeName(stream)}`,
          `${this.#tablePrefix}${normalizeName(sourceName)}__${normalizeName(stream)}`,
        ].map(pgIdentifier);
        table = candidates.find((c) => !taken.has(c)) ?? pgIdentifier(`${candidates[1]}_${rows.length}`);
      }
      await client.query(
        `INSERT INTO ${this.#registry} (schema_name, source_name, stream_name, table_name, json_schema, ` +
          `primary_key, cursor_field, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ` +
          `ON CONFLICT (schema_name, source_name, stream_name) DO UPDATE SET json_schema = excluded.json_schema, ` +
          `primary_key = excluded.primary_key, cursor_field = excluded.cursor_field, updated_at = now()`,
        [
          schema,
          sourceName,
          stream,
          table,
          JSON.stringify(info.jsonSchema ?? {}),
          JSON.stringify(info.primaryKey),
          JSON.stringify(info.cursor),
        ],
      );
      await client.query("COMMIT");
      return table;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw this.#db.error(error, `register stream '${stream}' of '${sourceName}' in`);
    }
  }
}
