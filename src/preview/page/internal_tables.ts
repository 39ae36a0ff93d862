/**
 * The one place that knows where a cache keeps its registry of streams and its state. Two layouts
 * exist: the internal schema (`_airbyte_internal` for a cache whose schema is `main`,
 * `_airbyte_internal__<schema>` otherwise; tables `streams`, `state`, `destination_state`), and
 * the earlier one (tables `_airbyte_streams`, `_airbyte_state`, `_airbyte_destination_state` in
 * the cache's own schema). The preview reads both, and never writes.
 */
import { INTERNAL_TABLES, internalSchemaFor } from "../../duckdb/internal_tables.ts";
import { ident } from "./preview_db.ts";

/** One cache schema's internal tables, as qualified SQL names. */
export interface InternalTables {
  /** The schema holding the stream tables. */
  dataSchema: string;
  /** `internal`: the `_airbyte_internal` schema; `legacy`: `_airbyte_*` tables beside the data. */
  layout: "internal" | "legacy";
  streams: string;
  state: string;
  destinationState?: string;
}

const INTERNAL_SCHEMA = internalSchemaFor("main");
const NEW_NAMES = INTERNAL_TABLES;
const OLD_NAMES = {
  streams: "_airbyte_streams",
  state: "_airbyte_state",
  destinationState: "_airbyte_destination_state",
};

/** Is this table internal (never listed as a stream)? */
export function isInternalTable(schema: string, table: string): boolean {
  return schema === INTERNAL_SCHEMA || schema.startsWith(`${INTERNAL_SCHEMA}__`) ||
    table.startsWith("_airbyte_");
}

/**
 * Every cache schema's internal tables among the database's tables (empty for a plain DuckDB
 * file).
 */
export function findInternalTables(tables: { schema_name: string; table_name: string }[]): InternalTables[] {
  const has = (schema: string, table: string) =>
    tables.some((t) => t.schema_name === schema && t.table_name === table);
  const found: InternalTables[] = [];
  for (const { schema_name: schema, table_name: table } of tables) {
    if (
      table === NEW_NAMES.streams && (schema === INTERNAL_SCHEMA || schema.startsWith(`${INTERNAL_SCHEMA}__`))
    ) {
      const dataSchema = schema === INTERNAL_SCHEMA ? "main" : schema.slice(INTERNAL_SCHEMA.length + 2);
      found.push({
        dataSchema,
        layout: "internal",
        streams: `${ident(schema)}.${ident(NEW_NAMES.streams)}`,
        state: `${ident(schema)}.${ident(NEW_NAMES.state)}`,
        destinationState: has(schema, NEW_NAMES.destinationState)
          ? `${ident(schema)}.${ident(NEW_NAMES.destinationState)}`
          : undefined,
      });
    } else if (table === OLD_NAMES.streams && has(schema, OLD_NAMES.state)) {
      found.push({
        dataSchema: schema,
        layout: "legacy",
        streams: `${ident(schema)}.${ident(OLD_NAMES.streams)}`,
        state: `${ident(schema)}.${ident(OLD_NAMES.state)}`,
        destinationState: has(schema, OLD_NAMES.destinationState)
          ? `${ident(schema)}.${ident(OLD_NAMES.destinationState)}`
          : undefined,
      });
    }
  }
  // A schema migrated to the new layout may keep its old tables too: the new ones win.
  found.sort((a, b) => (a.layout === "internal" ? 0 : 1) - (b.layout === "internal" ? 0 : 1));
  return found.filter((t, i) => found.findIndex((u) => u.dataSchema === t.dataSchema) === i);
}
