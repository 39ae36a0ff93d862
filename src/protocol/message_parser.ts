/**
 * Turn one line of a connector's output into an Airbyte message, without throwing.
 *
 * This is the hot path of every read: RECORD lines are checked by hand (a few `typeof` tests)
 * because running the zod schema over millions of records would cost more than `JSON.parse`
 * itself. The rare other message types go through the full schema.
 *
 * @module
 */
import { maskSecrets } from "../secrets.ts";
import { type AirbyteMessage, isAirbyteMessageType, parseAirbyteMessage } from "./messages.ts";
import { mayHoldInexactIntegers, parseExactJson } from "./exact_json.ts";
import { noteRecord } from "./record_notes.ts";

/**
 * Why a line is not an Airbyte message.
 *
 * @example Branch on the reason
 * ```ts
 * import { parseMessageLine, type ParseFailureReason } from "./message_parser.ts";
 * const outcome = parseMessageLine('{"level":"info"}');
 * const reason: ParseFailureReason | undefined = outcome.ok ? undefined : outcome.reason;
 * if (reason !== "not_airbyte") throw new Error();
 * ```
 */
export type ParseFailureReason =
  /** Not JSON at all, e.g. a stray `print` or a Python traceback. */
  | "not_json"
  /** JSON, but not an object with a known message `type`. */
  | "not_airbyte"
  /** An Airbyte message type whose body does not match the protocol. */
  | "invalid";

/**
 * A line that is not a valid Airbyte message, with enough to tell the user why.
 *
 * @example A line that is not JSON
 * ```ts
 * import { parseMessageLine } from "./message_parser.ts";
 * const outcome = parseMessageLine("Traceback (most recent call last):");
 * if (outcome.ok || outcome.reason !== "not_json") throw new Error();
 * ```
 */
export interface ParseFailure {
  /** Always false: the line was not taken. */
  ok: false;
  /** Why, as a code. */
  reason: ParseFailureReason;
  /** What is wrong, in one line (secrets masked). */
  detail: string;
  /** The line's start, truncated to ~200 characters (secrets masked). */
  excerpt: string;
}

/**
 * The result of {@linkcode parseMessageLine}.
 *
 * @example A line that is not JSON
 * ```ts
 * import { parseMessageLine, type ParseOutcome } from "./message_parser.ts";
 * const outcome: ParseOutcome = parseMessageLine("not json");
 * if (outcome.ok || outcome.reason !== "not_json") throw new Error();
 * ```
 */
export type ParseOutcome = { ok: true; message: AirbyteMessage } | ParseFailure;

const EXCERPT_CHARS = 200;

/**
 * A line's start for messages: at most ~200 characters, secrets masked.
 *
 * @param line Any text.
 * @returns The excerpt, ending in `…` when the line was cut.
 *
 * @example Cut a long line
 * ```ts
 * import { excerptOf } from "./message_parser.ts";
 * if (excerptOf("x".repeat(1000)).length !== 201) throw new Error();
 * ```
 */
export function excerptOf(line: string): string {
  // Masking before cutting, so a secret straddling the cut is still hidden.
  const head = line.length > EXCERPT_CHARS * 2 ? line.slice(0, EXCERPT_CHARS * 2) : line;
  const masked = maskSecrets(head);
  return masked.length > EXCERPT_CHARS || head.length < line.length
    ? `${masked.slice(0, EXCERPT_CHARS)}…`
    : masked;
}

function failure(reason: ParseFailureReason, detail: string, line: string): ParseFailure {
  return { ok: false, reason, detail: maskSecrets(detail), excerpt: excerptOf(line) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why a RECORD body is malformed, or undefined when its required shape holds. */
function recordProblem(record: unknown): string | undefined {
  if (!isPlainObject(record)) return "record: expected an object";
  if (typeof record.stream !== "string") return "record.stream: expected a string";
  if (!isPlainObject(record.data)) return "record.data: expected an object";
  if (typeof record.emitted_at !== "number") return "record.emitted_at: expected a number";
  const namespace = record.namespace;
  if (namespace !== undefined && namespace !== null && typeof namespace !== "string") {
    return "record.namespace: expected a string";
  }
  return undefined;
}

/**
 * Notes on `record.data` what JSON.parse hid (see record_notes.ts): an exact copy when the line
 * holds integers past 2^53, and U+FFFD in the text (bytes that were not UTF-8).
 */
function noteOddities(line: string, record: Record<string, unknown>): void {
  if (line.includes("\uFFFD")) noteRecord(record.data as object, { replacementCharacters: true });
  if (!mayHoldInexactIntegers(line)) return;
  let exact: unknown;
  try {
    exact = (parseExactJson(line) as { record?: { data?: unknown } }).record?.data;
  } catch {
    return; // JSON.parse took the line, so this cannot happen; the rounded data is all there is
  }
  if (isPlainObject(exact)) noteRecord(record.data as object, { exact });
}

/**
 * Parse one line of connector output.
 *
 * RECORD messages are validated by hand (object `record`, string `stream`, object `data`,
 * number `emitted_at`); other types with the zod schema (a RECORD carrying `meta` too). The
 * returned message is the `JSON.parse` result itself, so unknown keys and key order survive.
 * When a RECORD holds integers past 2^53, which `JSON.parse` rounds, an exact copy of its data
 * rides along for the cache, as does a note when its text held U+FFFD (see `record_notes.ts`).
 *
 * @param line One line, without its line break.
 * @returns `{ ok: true, message }`, or `{ ok: false, reason, detail, excerpt }`.
 *
 * @example A record, a traceback and a foreign JSON line
 * ```ts
 * import { parseMessageLine } from "./message_parser.ts";
 * const record = parseMessageLine('{"type":"RECORD","record":{"stream":"s","data":{"id":1},"emitted_at":1}}');
 * if (!record.ok || record.message.type !== "RECORD") throw new Error();
 * const traceback = parseMessageLine("Traceback (most recent call last):");
 * if (traceback.ok || traceback.reason !== "not_json") throw new Error();
 * const other = parseMessageLine('{"level":"info"}');
 * if (other.ok || other.reason !== "not_airbyte") throw new Error();
 * ```
 */
export function parseMessageLine(line: string): ParseOutcome {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return failure("not_json", `Cannot parse the line as JSON: ${(error as Error).message}`, line);
  }
  if (!isPlainObject(value)) {
    return failure("not_airbyte", "The line is JSON but not an object", line);
  }
  const type = value.type;
  if (type === "RECORD") {
    const record = value.record;
    const problem = recordProblem(record);
    if (problem !== undefined) return failure("invalid", `Invalid RECORD message: ${problem}`, line);
    if ((record as Record<string, unknown>).meta == null) {
      noteOddities(line, record as Record<string, unknown>);
      return { ok: true, message: value as AirbyteMessage };
    }
  } else if (!isAirbyteMessageType(type)) {
    const shown = type === undefined ? "missing" : `'${String(JSON.stringify(type)).slice(0, 50)}'`;
    return failure(
      "not_airbyte",
      `The JSON object has no known Airbyte message type (type is ${shown})`,
      line,
    );
  }
  const validation = parseAirbyteMessage(value);
  if (validation.success) {
    const message = validation.message;
    if (message.type === "RECORD") noteOddities(line, message.record as Record<string, unknown>);
    return { ok: true, message };
  }
  return failure("invalid", `Invalid ${type} message: ${validation.issues}`, line);
}

/**
 * A cheap pre-check: could this line be an Airbyte message? True when its first
 * non-whitespace character is `{`. Use it to route plain-text output (logs, tracebacks) away
 * without paying for a failed `JSON.parse`.
 *
 * @param line One line of output.
 * @returns Whether the line starts like a JSON object.
 *
 * @example Tell JSON lines from log text
 * ```ts
 * import { isLikelyJsonLine } from "./message_parser.ts";
 * if (!isLikelyJsonLine('  {"type":"LOG"}') || isLikelyJsonLine("INFO starting")) throw new Error();
 * ```
 */
export function isLikelyJsonLine(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === 123) return true;
    // space, tab, carriage return, newline
    if (code !== 32 && code !== 9 && code !== 13 && code !== 10) return false;
  }
  return false;
}
