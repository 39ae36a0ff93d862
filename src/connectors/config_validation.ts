/**
 * Config validation against a connector's own JSON Schema, with a validator that needs no
 * `eval` (edge runtimes and strict CSPs forbid it). Errors name JSON paths like `$.count`.
 *
 * @module
 */
import { Validator } from "npm:@cfworker/json-schema@4.1.6";
import { type ConfigIssue, ConfigValidationError } from "../errors.ts";

// Wrapper keywords only say "a child failed"; the child's own issue is the useful one.
const WRAPPER_KEYWORDS = new Set([
  "properties",
  "items",
  "allOf",
  "$ref",
  "additionalProperties",
  "prefixItems",
]);

function toJsonPath(instanceLocation: string): string {
  const parts = instanceLocation.replace(/^#\/?/, "").split("/").filter((p) => p !== "");
  let out = "$";
  for (const raw of parts) {
    // instanceLocation is a URI fragment: percent-decode, then unescape the JSON Pointer.
    const p = safeDecode(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(p)
      ? `[${p}]`
      : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)
      ? `.${p}`
      : `[${JSON.stringify(p)}]`;
  }
  return out;
}

function draftOf(schema: Record<string, unknown>): "4" | "7" | "2019-09" | "2020-12" {
  const s = String(schema.$schema ?? "");
  if (s.includes("draft-04")) return "4";
  if (s.includes("2019-09")) return "2019-09";
  if (s.includes("2020-12")) return "2020-12";
  return "7";
}

/**
 * Check `config` against `schema` and list every problem, each with its JSON path.
 * Returns an empty list when the config is valid.
 *
 * @example Find a wrongly typed field
 * ```ts
 * import { findConfigIssues } from "./config_validation.ts";
 * const issues = findConfigIssues({ count: "many" }, {
 *   type: "object", properties: { count: { type: "integer" } },
 * });
 * if (issues[0].path !== "$.count") throw new Error();
 * ```
 */
export function findConfigIssues(config: unknown, schema: Record<string, unknown>): ConfigIssue[] {
  const result = new Validator(schema as any, draftOf(schema), false).validate(config);
  if (result.valid) return [];
  const specific = result.errors.filter((e) => !WRAPPER_KEYWORDS.has(e.keyword));
  const chosen = specific.length ? specific : result.errors;
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const e of chosen) {
    let path = toJsonPath(e.instanceLocation);
    let message = e.error;
    const missing = e.keyword === "required" ? /property "(.+)"/.exec(e.error) : null;
    if (missing) {
      // Point at the missing field itself, which is what a user has to add.
      path = toJsonPath(`${e.instanceLocation}/${missing[1]}`);
      message = "is required but missing.";
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message });
  }
  return issues;
}

/**
 * Throw {@linkcode ConfigValidationError} when `config` does not match `schema`.
 *
 * @example
 * ```ts
 * import { assertValidConfig } from "./config_validation.ts";
 * assertValidConfig("source-x", { count: 3 }, { type: "object", properties: { count: { type: "integer" } } });
 * ```
 */
export function assertValidConfig(connector: string, config: unknown, schema: Record<string, unknown>): void {
  assertJsonConfig(connector, config);
  const issues = findConfigIssues(config, schema);
  if (issues.length) throw new ConfigValidationError(connector, issues);
}

/**
 * What in `config` JSON cannot carry, each with its path and what to pass instead: a BigInt, a
 * function, a symbol, a non-finite number, a structure that refers to itself, and objects other
 * than plain ones and arrays (a Date, a Map, a class instance). A connector gets its config as a
 * JSON file, so these would be lost or change on the way, or crash the walk over it.
 *
 * @param config The config as given.
 * @returns The problems; empty when the config is plain JSON data.
 *
 * @example A BigInt and a function
 * ```ts
 * import { findNonJsonValues } from "./config_validation.ts";
 * const issues = findNonJsonValues({ count: 10n, onRow: () => {} });
 * if (issues.map((i) => i.path).join() !== "$.count,$.onRow") throw new Error();
 * ```
 */
export function findNonJsonValues(config: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const open = new Map<object, string>(); // objects on the current path, and where they are
  const visit = (value: unknown, path: string): void => {
    if (issues.length >= 20) return;
    switch (typeof value) {
      case "bigint":
        issues.push({
          path,
          message: `is a BigInt, which JSON cannot hold: pass a number, or a string for integers past 2^53.`,
        });
        return;
      case "function":
        issues.push({
          path,
          message:
            "is a function: a config holds JSON data only (strings, numbers, booleans, null, arrays, objects).",
        });
        return;
      case "symbol":
        issues.push({ path, message: "is a symbol: a config holds JSON data only." });
        return;
      case "number":
        if (!Number.isFinite(value)) {
          issues.push({ path, message: `is ${value}, which JSON cannot hold: pass a finite number.` });
        }
        return;
      case "object": {
        if (value === null) return;
        const at = open.get(value);
        if (at !== undefined) {
          issues.push({
            path,
            message: `refers back to ${at} (a circular structure): a config must be plain JSON data.`,
          });
          return;
        }
        const proto = Object.getPrototypeOf(value);
        if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
          const kind = value instanceof Date
            ? "a Date: pass its text (date.toISOString())."
            : `a ${
              proto?.constructor?.name ?? "non-plain object"
            }: a config holds plain objects and arrays only.`;
          issues.push({ path, message: `is ${kind}` });
          return;
        }
        open.set(value, path);
        if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`));
        else for (const [key, item] of Object.entries(value)) visit(item, joinPath(path, key));
        open.delete(value);
        return;
      }
      default:
        return; // strings, booleans, undefined (left out of JSON, as an absent field)
    }
  };
  visit(config, "$");
  return issues;
}

/**
 * Throw {@linkcode ConfigValidationError} when `config` holds what JSON cannot carry (see
 * {@linkcode findNonJsonValues}), or is not an object at all.
 *
 * @example
 * ```ts
 * import { assertJsonConfig } from "./config_validation.ts";
 * assertJsonConfig("source-x", { count: 3, nested: { ok: [1, "two", null] } });
 * ```
 */
export function assertJsonConfig(connector: string, config: unknown): void {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigValidationError(connector, [
      {
        path: "$",
        message: `is ${Array.isArray(config) ? "an array" : typeof config}: a config is a JSON object.`,
      },
    ]);
  }
  const issues = findNonJsonValues(config);
  if (issues.length) throw new ConfigValidationError(connector, issues);
}

function joinPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
