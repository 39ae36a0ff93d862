// SQL text helpers for the cache. DuckDB-WASM offers no parameter binding for DDL, so every
// identifier and literal is quoted here, in one place.

/** `"name"` with embedded quotes doubled. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"`. */
export function qualified(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}

/** `'text'` with embedded quotes doubled; `NULL` for null/undefined. */
export function literal(value: string | null | undefined): string {
  if (value === null || value === undefined) return "NULL";
  return `'${value.replace(/'/g, "''")}'`;
}
