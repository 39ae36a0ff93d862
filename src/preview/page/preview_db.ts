/**
 * The page's handle on a database: SQL in, Arrow tables or plain rows out. The same views run on
 * a cache opened read-only (a served file or a dropped one) and on the OPFS cache of the in-page
 * read example.
 */
import type * as arrow from "apache-arrow";

export interface PreviewDb {
  /** What the header shows: the file name, or the OPFS path. */
  readonly title: string;
  /** A line under it: size, where it comes from. */
  readonly detail: string;
  query(sql: string): Promise<arrow.Table>;
  close(): Promise<void>;
}

/** Rows as plain objects, bigints as numbers where they fit (counts, ids). */
export async function rows<T = Record<string, unknown>>(db: PreviewDb, sql: string): Promise<T[]> {
  const table = await db.query(sql);
  return table.toArray().map((row) => {
    const plain = row.toJSON() as Record<string, unknown>;
    for (const [key, value] of Object.entries(plain)) {
      if (
        typeof value === "bigint" && value <= BigInt(Number.MAX_SAFE_INTEGER) &&
        value >= -BigInt(Number.MAX_SAFE_INTEGER)
      ) {
        plain[key] = Number(value);
      }
    }
    return plain as T;
  });
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A single-quoted SQL string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `"schema"."table"` in the current database. */
export function tableRef(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}
