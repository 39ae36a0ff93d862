/**
 * Names of the tables and indexes a `PostgresCache` creates. PostgreSQL keeps at most 63 bytes
 * of an identifier and silently cuts the rest, so a longer stream table name is shortened here,
 * deterministically (a prefix and a hash of the whole name): two long names never meet in one
 * table, and the registry records the name the table really has.
 *
 * @module
 */

/** The longest identifier PostgreSQL keeps (NAMEDATALEN - 1), in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

const utf8 = new TextEncoder();

/** 16 hex digits of two FNV-1a hashes of `text`: stable across processes and runtimes. */
export function nameHash(text: string): string {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
  for (const byte of utf8.encode(text)) {
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/**
 * `name` if PostgreSQL keeps it whole, else its first bytes, `_` and a hash of all of it (63 bytes).
 *
 * @example
 * ```ts
 * import { pgIdentifier } from "./pg_names.ts";
 * if (pgIdentifier("users") !== "users") throw new Error();
 * const long = pgIdentifier("x".repeat(80));
 * if (long.length !== 63 || !long.startsWith("xxxx")) throw new Error(long);
 * ```
 */
export function pgIdentifier(name: string): string {
  if (utf8.encode(name).length <= MAX_IDENTIFIER_BYTES) return name;
  const suffix = `_${nameHash(name)}`;
  let head = "";
  for (const char of name) {
    if (utf8.encode(head + char).length + suffix.length > MAX_IDENTIFIER_BYTES) break;
    head += char;
  }
  return head + suffix;
}

/**
 * What PostgreSQL makes of an identifier: its first 63 bytes (never splitting a character).
 *
 * @example
 * ```ts
 * import { truncatedIdentifier } from "./pg_names.ts";
 * if (truncatedIdentifier("a".repeat(70)).length !== 63) throw new Error();
 * ```
 */
export function truncatedIdentifier(name: string): string {
  if (utf8.encode(name).length <= MAX_IDENTIFIER_BYTES) return name;
  let head = "";
  for (const char of name) {
    if (utf8.encode(head + char).length > MAX_IDENTIFIER_BYTES) break;
    head += char;
  }
  return head;
}

/**
 * The staging table of `schema.table`: `_airbyte_stage:` and a hash of the qualified name. The
 * `:` never occurs in a normalized stream table name, so no stream can own it.
 *
 * @example
 * ```ts
 * import { stageTableName } from "./pg_names.ts";
 * if (!/^_airbyte_stage:[0-9a-f]{16}$/.test(stageTableName("public", "users"))) throw new Error();
 * ```
 */
export function stageTableName(schema: string, table: string): string {
  return `_airbyte_stage:${nameHash(`${schema}\u0000${table}`)}`;
}

/**
 * The index on a merged table's primary key columns.
 *
 * @example
 * ```ts
 * import { keyIndexName } from "./pg_names.ts";
 * if (!keyIndexName("public", "users").startsWith("_airbyte_pk:")) throw new Error();
 * ```
 */
export function keyIndexName(schema: string, table: string): string {
  return `_airbyte_pk:${nameHash(`${schema}\u0000${table}`)}`;
}
