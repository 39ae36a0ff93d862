/**
 * Where a JSON text breaks, said without quoting it. `JSON.parse`'s own message quotes the text
 * around the error, which in a config file is often the secret itself.
 *
 * @module
 */
import { parse as parseJsonStrictly } from "npm:lossless-json@4.3.3";

/**
 * `syntax error at line L, column C` for text that `JSON.parse` rejects; none of the text is shown.
 *
 * @param text JSON text that does not parse.
 * @returns Where the first syntax error is, by line and column.
 *
 * @example
 * ```ts
 * import { jsonSyntaxErrorPlace } from "./json_syntax.ts";
 * const place = jsonSyntaxErrorPlace('{\n  "api_key": sk-secret\n}');
 * if (place !== "syntax error at line 2, column 14" || place.includes("sk-")) throw new Error(place);
 * ```
 */
export function jsonSyntaxErrorPlace(text: string): string {
  let position = text.length;
  try {
    parseJsonStrictly(text);
  } catch (error) {
    const match = /at position (\d+)/.exec(String((error as Error).message));
    if (match) position = Number(match[1]);
  }
  const before = text.slice(0, position).split("\n");
  return `syntax error at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
