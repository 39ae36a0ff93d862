/**
 * Column names for cache tables: how a JSON property name becomes a SQL column name, and how two
 * properties that would land in the same column are caught before any data is written.
 *
 * @module
 */
import { CacheError } from "../errors.ts";

/**
 * Turns a property (or stream) name into a SQL-safe column name, following PyAirbyte's
 * `LowerCaseNormalizer`: lower-case it, replace every character outside `[a-z0-9]` with `_`
 * (one `_` per code point), and prefix `_` when the result starts with a digit. An empty name
 * becomes `_` (PyAirbyte raises instead; a column still needs a name).
 *
 * @example Normalize a few names
 * ```ts
 * import { normalizeName } from "./column_names.ts";
 * if (normalizeName("Average Sales (%)") !== "average_sales____") throw new Error();
 * if (normalizeName("1st-Place") !== "_1st_place") throw new Error();
 * if (normalizeName("") !== "_") throw new Error();
 * ```
 */
export function normalizeName(name: string): string {
  // The `u` flag makes an astral character (an emoji) one `_`, as Python's per-code-point regex does.
  const result = name.toLowerCase().replace(/[^a-z0-9]/gu, "_");
  if (result === "") return "_";
  const first = result.charCodeAt(0);
  return first >= 48 && first <= 57 ? `_${result}` : result;
}

/** Two or more property names that normalize to the same column. */
export interface ColumnCollision {
  /** The normalized column name they share. */
  column: string;
  /** The original property names, in the order given. */
  sources: string[];
}

/** What {@linkcode normalizeColumns} found. */
export interface NormalizedColumns {
  /** Original property name -> normalized column name (first property wins on a collision). */
  columns: Map<string, string>;
  /** Every column claimed by more than one property; empty when all is well. */
  collisions: ColumnCollision[];
}

/**
 * Normalizes a list of property names and reports every pair (or group) that would share a
 * column, such as `"userId"` and `"UserID"`, or `"a b"` and `"a-b"`.
 *
 * @example Detect a collision
 * ```ts
 * import { normalizeColumns } from "./column_names.ts";
 * const { columns, collisions } = normalizeColumns(["Id", "user name", "user-name"]);
 * if (columns.get("Id") !== "id") throw new Error();
 * if (collisions[0].column !== "user_name" || collisions[0].sources.length !== 2) throw new Error();
 * ```
 */
export function normalizeColumns(names: string[]): NormalizedColumns {
  const columns = new Map<string, string>();
  const claimedBy = new Map<string, string[]>();
  for (const name of names) {
    const column = normalizeName(name);
    const sources = claimedBy.get(column);
    if (sources) {
      sources.push(name);
    } else {
      claimedBy.set(column, [name]);
      columns.set(name, column);
    }
  }
  const collisions: ColumnCollision[] = [];
  for (const [column, sources] of claimedBy) {
    if (sources.length > 1) collisions.push({ column, sources });
  }
  return { columns, collisions };
}

/**
 * Throws a {@linkcode CacheError} naming the clashing properties and their shared column when
 * {@linkcode normalizeColumns} found any collision; does nothing otherwise.
 *
 * @example Refuse a stream whose properties clash
 * ```ts
 * import { assertNoCollisions, normalizeColumns } from "./column_names.ts";
 * import { CacheError } from "../errors.ts";
 * try {
 *   assertNoCollisions("users", normalizeColumns(["userId", "UserID"]));
 *   throw new Error("expected a CacheError");
 * } catch (e) {
 *   if (!(e instanceof CacheError) || !e.message.includes("'UserID'")) throw e;
 * }
 * ```
 */
export function assertNoCollisions(stream: string, result: NormalizedColumns): void {
  if (result.collisions.length === 0) return;
  const lines = result.collisions.map((c) =>
    `${c.sources.map((s) => `'${s}'`).join(" and ")} all map to column '${c.column}'`
  );
  throw new CacheError(
    `Cannot cache stream '${stream}': property names collide after normalization: ${lines.join("; ")}.`,
    {
      guidance: "Column names are lower-cased with every non-alphanumeric character replaced by '_'. " +
        "Rename one of the properties in the source, or remove it from the stream's JSON Schema.",
      context: { stream, collisions: result.collisions },
    },
  );
}
