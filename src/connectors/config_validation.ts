/**
 * Config validation against a connector's own JSON Schema, with a validator that needs no
 * `eval` (edge runtimes and strict CSPs forbid it). Errors name JSON paths like `$.count`.
 *
 * @module
 */
import { Validator } from "@cfworker/json-schema";
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
  const issues = findConfigIssues(config, schema);
  if (issues.length) throw new ConfigValidationError(connector, issues);
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
