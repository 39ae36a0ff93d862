/**
 * JSON with exact integers. `JSON.parse` reads every number as a double, so an integer past 2^53
 * (a Snowflake id, an int64 key from a database) comes back as a neighbouring value: three
 * distinct ids can become one. RECORD lines whose text holds a run of 16 or more digits (the
 * only way to write such an integer) are parsed a second time with `lossless-json`, which hands
 * every number's text to us: integer literals beyond ±(2^53 − 1) become bigints, everything else
 * is the number `JSON.parse` gives. The message parser keeps the exact record beside the plain
 * one (`record_notes.ts`), so that users and code that only know plain JSON values see what they
 * always saw, while the Arrow builder stores the exact digits.
 *
 * The rule is the source's: an integer literal (digits only) is an integer and is kept exact; a
 * number written with a fraction or an exponent is a floating-point number and is read as one.
 * Both the record line scanner and the general path follow it.
 *
 * The pre-check samples the line's characters, which costs far less than the parse it follows;
 * V8's `JSON.parse` source-text access would avoid the second parse but exists in Deno 2.9, not
 * in Node 20.
 *
 * @module
 */
import { parse as parseLossless, stringify as stringifyLossless } from "npm:lossless-json@4.3.3";

/** Sixteen digits in a row: the shortest text of an integer a double cannot hold exactly. */
const LONG_RUN = 16;

/**
 * Could `text` hold an integer literal that `JSON.parse` rounds? False means it surely does not;
 * true means it may (the digits may also sit in a string).
 *
 * @param text JSON text, such as one connector output line.
 * @returns Whether the text has a run of 16 or more digits.
 *
 * @example
 * ```ts
 * import { mayHoldInexactIntegers } from "./exact_json.ts";
 * if (mayHoldInexactIntegers('{"id":42}') || !mayHoldInexactIntegers('{"id":1101234567890123456}')) {
 *   throw new Error();
 * }
 * ```
 */
export function mayHoldInexactIntegers(text: string): boolean {
  // A run of 16 digits covers one index that is a multiple of 16, so only those are looked at
  // (about 22 reads for a 350-character line; /[0-9]{16}/ costs more than JSON.parse itself).
  const n = text.length;
  for (let i = LONG_RUN - 1; i < n; i += LONG_RUN) {
    if (!isDigit(text.charCodeAt(i))) continue;
    // Such a run also covers i - 8 or i + 8: most short runs (dates, counts) end here.
    if (!isDigit(text.charCodeAt(i - 8)) && !isDigit(text.charCodeAt(i + 8))) continue;
    let start = i, end = i + 1;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    while (end < n && isDigit(text.charCodeAt(end))) end++;
    // A shorter run ends before the next sample.
    if (end - start >= LONG_RUN) return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A number's text as a value: integer literals a double cannot hold become bigints. */
function exactNumber(text: string): number | bigint {
  const value = Number(text);
  if (Number.isSafeInteger(value) || !isIntegerLiteral(text)) return value;
  return BigInt(text);
}

function isIntegerLiteral(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return false; // . e E
  }
  return true;
}

const PARSE_OPTIONS = {
  parseNumber: exactNumber,
  // As JSON.parse: the last of duplicate keys wins (in the first one's place).
  onDuplicateKey: ({ newValue }: { newValue: unknown }) => newValue,
};

/**
 * Parses JSON text as `JSON.parse` does, except that integer literals beyond ±(2^53 − 1) become
 * bigints with their exact value.
 *
 * @param text JSON text.
 * @returns The value.
 * @throws {SyntaxError} when the text is not JSON.
 *
 * @example
 * ```ts
 * import { parseExactJson } from "./exact_json.ts";
 * const value = parseExactJson('{"id":1101234567890123457,"n":1.5}') as Record<string, unknown>;
 * if (value.id !== 1101234567890123457n || value.n !== 1.5) throw new Error();
 * ```
 */
export function parseExactJson(text: string): unknown {
  return parseLossless(text, undefined, PARSE_OPTIONS);
}

/**
 * `JSON.stringify`, except that bigints are written as their digits (a JSON number) instead of
 * throwing. Values without bigints go through `JSON.stringify` itself.
 *
 * @param value Any JSON-like value.
 * @returns JSON text (`undefined` for a value JSON cannot hold, as `JSON.stringify`).
 * @throws {TypeError} for a circular structure.
 *
 * @example
 * ```ts
 * import { stringifyExact } from "./exact_json.ts";
 * if (stringifyExact({ id: 12345678901234567891n }) !== '{"id":12345678901234567891}') throw new Error();
 * ```
 */
export function stringifyExact(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError) || !String(error.message).toLowerCase().includes("bigint")) throw error;
    return stringifyLossless(value);
  }
}
