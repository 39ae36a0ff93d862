/**
 * Secret masking. Every config value under a field marked `airbyte_secret` is registered here
 * (for a secret object or array, every value inside it), and every error message, log line and
 * progress line passes through {@linkcode maskSecrets} before a user can see it. A process-wide
 * registry is deliberate: a secret leaked by one Source into another's stderr must still be masked.
 *
 * A secret is masked in the forms it takes when a connector prints it: as is, JSON-escaped (a PEM
 * key's newlines as `\n`, Python's `\uXXXX` for non-ASCII), URL-encoded, and line by line for a
 * multi-line secret (a log may show one line of a key).
 *
 * @module
 */

const MASK = "****";
/** Shorter values are not registered: masking them would garble ordinary text. */
const MIN_LENGTH = 3;
/** Lines of a multi-line secret at least this long are masked on their own too. */
const MIN_LINE_LENGTH = 16;
// Field names that are secret by convention, even when a spec forgets `airbyte_secret`.
const SECRET_NAME = /(^|_)(password|secret|token|api_?key|private_key|credentials?)($|_)/i;

const secrets = new Set<string>();
/** The registered texts, longest first (a secret containing another is masked whole); rebuilt lazily. */
let ordered: string[] | undefined;

function add(text: string): void {
  if (text.length < MIN_LENGTH || secrets.has(text)) return;
  secrets.add(text);
  ordered = undefined;
}

/** Python's `json.dumps` default: everything past ASCII as `\uXXXX` (lowercase hex). */
function asciiEscaped(jsonBody: string): string {
  let out = "";
  for (let i = 0; i < jsonBody.length; i++) {
    const c = jsonBody.charCodeAt(i);
    out += c < 0x80 ? jsonBody[i] : `\\u${c.toString(16).padStart(4, "0")}`;
  }
  return out;
}

/** Every form of one secret string a user might see. */
function registerText(text: string): void {
  if (text.length < MIN_LENGTH) return;
  add(text);
  const json = JSON.stringify(text).slice(1, -1);
  add(json);
  add(asciiEscaped(json));
  add(json.replaceAll("/", "\\/"));
  const url = encodeURIComponent(text);
  add(url);
  add(url.replaceAll("%20", "+"));
  if (text.includes("\n")) {
    for (const line of text.split(/\r?\n/)) {
      const trimmed = line.trim();
      // PEM armour ("-----BEGIN PRIVATE KEY-----") is no secret, and masking it would hide what failed.
      if (trimmed.length >= MIN_LINE_LENGTH && !trimmed.startsWith("-----")) registerText(trimmed);
    }
  }
}

/**
 * Register secret values so that {@linkcode maskSecrets} replaces them everywhere. Strings and
 * numbers are registered with their escaped and encoded forms; for an object or an array every
 * value inside it is. Values shorter than 3 characters are ignored: masking them would garble
 * ordinary text.
 *
 * @param value A secret: a string, a number, or an object or array holding them.
 *
 * @example Register and mask
 * ```ts
 * import { registerSecret, maskSecrets } from "./secrets.ts";
 * registerSecret("hunter22");
 * if (maskSecrets("password=hunter22") !== "password=****") throw new Error();
 * ```
 *
 * @example Every value of a secret object, also JSON-escaped
 * ```ts
 * import { registerSecret, maskSecrets } from "./secrets.ts";
 * registerSecret({ pem: "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\n-----END KEY-----" });
 * if (maskSecrets('{"pem": "-----BEGIN KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEF\\n-----END KEY-----"}') !== '{"pem": "****"}') {
 *   throw new Error();
 * }
 * ```
 */
export function registerSecret(value: unknown): void {
  registerLeaves(value, new Set());
}

function registerLeaves(value: unknown, seen: Set<object>): void {
  if (typeof value === "string") registerText(value);
  else if (typeof value === "number" || typeof value === "bigint") registerText(String(value));
  else if (value !== null && typeof value === "object" && !seen.has(value)) {
    seen.add(value);
    for (const item of Array.isArray(value) ? value : Object.values(value)) registerLeaves(item, seen);
  }
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
  ordered ??= [...secrets].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of ordered) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  return out;
}

/**
 * Walk a config object with its JSON Schema and register every value whose schema says
 * `airbyte_secret: true` (all of it, when it is an object or an array). Returns a copy of the
 * config with those values replaced by `****`, fit for logs. A config that refers to itself is
 * walked once per object.
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
  return walk(config, schema, new Set()) as Record<string, unknown>;
}

function walk(value: unknown, schema: any, seen: Set<object>): unknown {
  if (schema && typeof schema === "object" && schema.airbyte_secret === true) {
    registerSecret(value);
    return value === undefined ? value : MASK;
  }
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, schema?.items, seen));
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
    out[k] = walk(v, sub, seen);
  }
  return out;
}

/**
 * Register the values of fields whose names say they are secret (`password`, `token`,
 * `api_key`, `client_secret`, `credentials`, ...), anywhere in `config`, whatever the spec says:
 * a safety net for specs that forget `airbyte_secret`. Only string and number values count: the
 * fields of a `credentials` object are judged by their own names.
 *
 * @param config A connector config (or any value inside one).
 *
 * @example A nested token
 * ```ts
 * import { maskSecrets, registerSecretsByName } from "./secrets.ts";
 * registerSecretsByName({ auth: { access_token: "tok-123456" } });
 * if (maskSecrets("Bearer tok-123456") !== "Bearer ****") throw new Error();
 * ```
 */
export function registerSecretsByName(config: unknown): void {
  byName(config, new Set());
}

function byName(value: unknown, seen: Set<object>): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  for (const [k, v] of Object.entries(value)) {
    // Only values: a `credentials` object also holds names like `auth_type: "oauth2.0"`, which
    // would garble every message if masked; its secret-named fields are found as the walk goes on.
    if (SECRET_NAME.test(k) && (typeof v === "string" || typeof v === "number")) registerSecret(v);
    else byName(v, seen);
  }
}

/**
 * A URL's user name and password shown as `****` (`https://user:TOKEN@host/x` becomes
 * `https://user:****@host/x`; a lone user name, which is often a token, is masked too). Text
 * without such a URL comes back unchanged.
 *
 * @param text Any text, such as a pip requirement or an error message.
 * @returns The text with URL credentials masked.
 *
 * @example
 * ```ts
 * import { redactUrlCredentials } from "./secrets.ts";
 * const shown = redactUrlCredentials("git+https://oauth2:glpat-XYZ@gitlab.example/x.git");
 * if (shown !== "git+https://oauth2:****@gitlab.example/x.git") throw new Error(shown);
 * ```
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(
    URL_CREDENTIALS,
    (_all, scheme: string, user: string, password?: string) =>
      password === undefined ? `${scheme}${MASK}@` : `${scheme}${user}:${MASK}@`,
  );
}

/**
 * Register the credentials of every URL in `text` as secrets (see {@linkcode redactUrlCredentials}).
 *
 * @param text Text that may hold URLs with credentials, such as a pip requirement.
 *
 * @example
 * ```ts
 * import { maskSecrets, registerUrlCredentials } from "./secrets.ts";
 * registerUrlCredentials("https://user:s3cr3t-tok@pypi.example/simple");
 * if (maskSecrets("401 for s3cr3t-tok") !== "401 for ****") throw new Error();
 * ```
 */
export function registerUrlCredentials(text: string): void {
  for (const match of text.matchAll(URL_CREDENTIALS)) {
    const [, , user, password] = match;
    const secret = password ?? user;
    registerSecret(secret);
    try {
      registerSecret(decodeURIComponent(secret));
    } catch {
      // Not percent-encoding after all: the text as written is registered.
    }
  }
}

/** `scheme://user[:password]@`; user and password stop at the characters that end them in a URL. */
const URL_CREDENTIALS = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s:/?#@'"]+)(?::([^\s/?#@'"]*))?@/g;
