/**
 * The DuckDB cache's stream registry: which table holds which source's stream, with the JSON
 * Schema and keys it was last written with. Two sources with the same stream name get two tables.
 *
 * @module
 */
import { normalizeName } from "../arrow/column_names.ts";
import type { StreamTable } from "../cache/cache.ts";
import { literal, qualified } from "../cache/sql_quote.ts";
import { CacheError, StreamNotFoundError } from "../errors.ts";
import type { EngineQueue } from "./engine_queue.ts";
import { INTERNAL_TABLES, internalSchemaFor } from "./internal_tables.ts";

/**
 * Reads and claims stream tables.
 *
 * @example
 * ```ts ignore
 * const registry = new StreamRegistry(queue, "main", "");
 * const table = await registry.claim("source-faker", "users", { jsonSchema: {}, primaryKey: [], cursor: [] });
 * ```
 */
export class StreamRegistry {
  readonly #queue: EngineQueue;
  readonly #schemaName: string;
  readonly #tablePrefix: string;
  readonly #registry: string;

  constructor(queue: EngineQueue, schemaName: string, tablePrefix: string) {
    this.#queue = queue;
    this.#schemaName = schemaName;
    this.#tablePrefix = tablePrefix;
    this.#registry = qualified(internalSchemaFor(schemaName), INTERNAL_TABLES.streams);
  }

  /** Every registered stream whose table exists (a claimed stream is listed once committed). */
  async list(): Promise<StreamTable[]> {
    const t = await this.#queue.sql(
      `SELECT source_name, stream_name, table_name, json_schema, primary_key, cursor_field ` +
        `FROM ${this.#registry} AS s WHERE EXISTS (SELECT 1 FROM information_schema.tables AS t ` +
        `WHERE t.table_schema = ${literal(this.#schemaName)} AND t.table_name = s.table_name) ORDER BY 1, 2`,
    );
    return t.toArray().map((r) => ({
      sourceName: String(r.source_name),
      stream: String(r.stream_name),
      table: String(r.table_name),
      jsonSchema: JSON.parse(String(r.json_schema ?? "{}")),
      primaryKey: JSON.parse(String(r.primary_key ?? "[]")),
      cursor: JSON.parse(String(r.cursor_field ?? "[]")),
    }));
  }

  /** The table of a stream (of a given source, or of the only source that has it). */
  async tableFor(stream: string, sourceName?: string): Promise<string> {
    const all = await this.list();
    const matches = all.filter((r) => r.stream === stream && (!sourceName || r.sourceName === sourceName));
    if (matches.length === 1) return matches[0].table;
    if (matches.length === 0) {
      throw new StreamNotFoundError(stream, [...new Set(all.map((r) => r.stream))], {
        guidance: "Read the stream into this cache first, or check the cache path.",
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
   * Find or assign the table for a source's stream, and record its schema and keys. A second
   * source with the same stream name gets a table prefixed with its own name.
   */
  claim(
    sourceName: string,
    stream: string,
    info: { jsonSchema: unknown; primaryKey: string[][]; cursor: string[] },
  ): Promise<string> {
    return this.#queue.exclusive(async (connection) => {
      const rows =
        (await connection.query(`SELECT source_name, stream_name, table_name FROM ${this.#registry}`))
          .toArray();
      const mine = rows.find((r) => r.source_name === sourceName && r.stream_name === stream);
      let table = mine ? String(mine.table_name) : `${this.#tablePrefix}${normalizeName(stream)}`;
      if (!mine && rows.some((r) => r.table_name === table)) {
        table = `${this.#tablePrefix}${normalizeName(sourceName)}__${normalizeName(stream)}`;
      }
      await connection.exec(
        `INSERT OR REPLACE INTO ${this.#registry} VALUES (${literal(sourceName)}, ${literal(stream)}, ` +
          `${literal(table)}, ${literal(JSON.stringify(info.jsonSchema ?? {}))}, ` +
          `${literal(JSON.stringify(info.primaryKey))}, ${literal(JSON.stringify(info.cursor))}, now())`,
      );
      return table;
    });
  }
}
