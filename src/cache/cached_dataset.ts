/**
 * `CachedDataset`: one stream's table in a cache, with ways to count it, load it as Arrow, as plain
 * objects, or iterate it page by page without loading it whole.
 *
 * @module
 */
import type * as arrow from "npm:apache-arrow@17.0.0";
import { literal, qualified } from "./sql_quote.ts";

/**
 * The part of a cache a dataset needs; every `Cache` is one.
 *
 * @example A host over a table-less stand-in
 * ```ts
 * import * as arrow from "npm:apache-arrow@17.0.0";
 * import { CachedDataset, type DatasetHost } from "./cached_dataset.ts";
 * const host: DatasetHost = {
 *   schemaName: "main",
 *   sql: () => Promise.resolve(arrow.tableFromArrays({ n: Int32Array.from([3]) })),
 *   tableFor: (stream) => Promise.resolve(stream),
 * };
 * if (await new CachedDataset(host, "users").count() !== 3) throw new Error();
 * ```
 */
export interface DatasetHost {
  /** The schema holding the stream tables. */
  readonly schemaName: string;
  /** Run a SQL query; the result as an Arrow table. */
  sql(query: string): Promise<arrow.Table>;
  /** Resolve a stream to its table name (throws StreamNotFoundError when unknown). */
  tableFor(stream: string, sourceName?: string): Promise<string>;
}

const PAGE_ROWS = 10_000;

/**
 * The cached records of one stream.
 *
 * @example Count and load a stream
 * ```ts ignore
 * const users = cache.get("users");
 * console.log(await users.count(), (await users.toArray())[0]);
 * for await (const row of users) console.log(row.id);
 * ```
 */
export class CachedDataset implements AsyncIterable<Record<string, unknown>> {
  /** The stream name. */
  readonly stream: string;
  readonly #host: DatasetHost;
  readonly #sourceName?: string;

  /**
   * A stream's records in a cache; usually made by `cache.get(stream)`.
   *
   * @param host The cache holding the table.
   * @param stream The stream's name.
   * @param sourceName The source whose stream it is, when several sources cached one by that name.
   */
  constructor(host: DatasetHost, stream: string, sourceName?: string) {
    this.#host = host;
    this.stream = stream;
    this.#sourceName = sourceName;
  }

  /** The fully qualified table name, e.g. `"main"."users"`. */
  async tableName(): Promise<string> {
    return qualified(this.#host.schemaName, await this.#host.tableFor(this.stream, this.#sourceName));
  }

  /** Number of rows. */
  async count(): Promise<number> {
    const t = await this.#host.sql(`SELECT count(*)::INTEGER AS n FROM ${await this.tableName()}`);
    return Number(t.get(0)?.n ?? 0);
  }

  /** Column names, data columns first, then the `_airbyte_*` columns. */
  get columns(): Promise<string[]> {
    return this.tableName().then(async (name) => {
      const t = await this.#host.sql(`SELECT * FROM ${name} LIMIT 0`);
      return t.schema.fields.map((f) => f.name);
    });
  }

  /** The whole table as an Arrow table. */
  async toArrow(): Promise<arrow.Table> {
    return this.#host.sql(`SELECT * FROM ${await this.tableName()}`);
  }

  /** The whole table as plain objects (BIGINTs in the safe range become numbers). */
  async toArray(): Promise<Record<string, unknown>[]> {
    return toPlainRows(await this.toArrow());
  }

  /**
   * Iterate the rows in the order they were cached, page by page, so memory does not grow with
   * the table. Pages resume after the last `_airbyte_raw_id` (keyset paging: no OFFSET rescans).
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Record<string, unknown>> {
    const name = await this.tableName();
    let last: string | undefined;
    for (;;) {
      const where = last === undefined ? "" : `WHERE _airbyte_raw_id > ${literal(last)}`;
      const rows = toPlainRows(
        await this.#host.sql(`SELECT * FROM ${name} ${where} ORDER BY _airbyte_raw_id LIMIT ${PAGE_ROWS}`),
      );
      yield* rows;
      if (rows.length < PAGE_ROWS) return;
      last = String(rows[rows.length - 1]._airbyte_raw_id);
    }
  }
}

/**
 * Arrow rows to plain objects. BigInts become numbers when exact; timestamps stay epoch
 * milliseconds as Arrow gives them.
 *
 * @example
 * ```ts
 * import * as arrow from "npm:apache-arrow@17.0.0";
 * import { toPlainRows } from "./cached_dataset.ts";
 * const rows = toPlainRows(arrow.tableFromArrays({ n: BigInt64Array.from([1n]) }));
 * if (rows[0].n !== 1) throw new Error();
 * ```
 */
export function toPlainRows(table: arrow.Table): Record<string, unknown>[] {
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((_, i) => table.getChildAt(i)!);
  const out: Record<string, unknown>[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = plain(cols[c].get(r));
    out[r] = row;
  }
  return out;
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  }
  if (v && typeof v === "object" && "toJSON" in v && typeof (v as any).toJSON === "function") {
    return (v as any).toJSON();
  }
  return v;
}
