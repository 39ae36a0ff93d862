/**
 * Secret masking. Every config value under a field marked `airbyte_secret` is registered here,
 * and every error message, log line and progress line passes through {@linkcode maskSecrets}
 * before a user can see it. A process-wide registry is deliberate: a secret leaked by one Source
 * into another's stderr must still be masked.
 *
 * @module
 */

const MASK = "****";
const secrets = new Set<string>();

/**
 * Register secret values so that {@linkcode maskSecrets} replaces them everywhere.
 * Values shorter than 3 characters are ignored: masking them would garble ordinary text.
 *
 * @example Register and mask
 * ```ts
 * import { registerSecret, maskSecrets } from "./secrets.ts";
 * registerSecret("hunter22");
 * if (maskSecrets("password=hunter22") !== "password=****") throw new Error();
 * ```
 */
export function registerSecret(value: unknown): void {
  if (typeof value === "string" && value.length >= 3) secrets.add(value);
  else if (typeof value === "number" && String(value).length >= 3) secrets.add(String(value));
}

/**
 * Replace every registered secret in `text` with `****`.
 *
 * @example
 * ```ts
 * import { maskSecrets } from "./secrets.ts";
 * if (maskSecrets("nothing secret") !== "nothing secret") throw new Error();
 * ```
 */
export function maskSecrets(text: string): string {
  if (secrets.size === 0 || !text) return text;
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  return out;
}

/**
 * Walk a config object with its JSON Schema and register every value whose schema says
 * `airbyte_secret: true`. Returns a copy of the config with those values replaced by `****`,
 * fit for logs.
 *
 * @example
 * ```ts
 * import { registerSecretsFromConfig } from "./secrets.ts";
 * const masked = registerSecretsFromConfig(
 *   { api_key: "abc123", n: 1 },
 *   { type: "object", properties: { api_key: { type: "string", airbyte_secret: true } } },
 * );
 * if (masked.api_key !== "****") throw new Error();
 * ```
 */
export function registerSecretsFromConfig(
  config: Record<string, unknown>,
  schema: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return walk(config, schema) as Record<string, unknown>;
}

function walk(value: unknown, schema: any): unknown {
  if (schema && typeof schema === "object" && schema.airbyte_secret === true) {
    registerSecret(value);
    return value === undefined ? value : MASK;
  }
  if (Array.isArray(value)) {
    return value.map((v) => walk(v, schema?.items));
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    // oneOf/anyOf/allOf branches: a field is secret if any branch says so.
    const branches: any[] = [
      schema,
      ...(schema?.oneOf ?? []),
      ...(schema?.anyOf ?? []),
      ...(schema?.allOf ?? []),
    ]
      .filter(Boolean);
    for (const [k, v] of Object.entries(value)) {
      const sub = branches.map((b) => b?.properties?.[k]).find((s) => s && s.airbyte_secret) ??
        branches.map((b) => b?.properties?.[k]).find(Boolean);
      out[k] = walk(v, sub);
    }
    return out;
  }
  return value;
}
