/**
 * DuckDB's JSON functions for DuckDB-WASM without its `json` extension, which cannot be loaded
 * offline (it is fetched from the network on first use). `cache.sql` then reaches nested fields
 * the way it does on a native DuckDB or PyAirbyte cache:
 *
 * ```sql
 * SELECT json_extract_string(address, '$.city'), address->>'$.city', address->'$.geo'->>'lat',
 *        json_array_length(tags), json_keys(address), json_valid(payload) FROM users
 * ```
 *
 * | function                                                         | returns     |
 * | ---------------------------------------------------------------- | ----------- |
 * | `json_extract(j, path)`, `json_extract_path`, `j -> path`        | JSON text   |
 * | `json_extract_string(j, path)`, `json_extract_path_text`, `->>`  | `VARCHAR`   |
 * | `json_value(j, path)` (scalars only)                             | JSON text   |
 * | `json_exists(j, path)`                                           | `BOOLEAN`   |
 * | `json_type(j [, path])`                                          | `VARCHAR`   |
 * | `json_array_length(j [, path])`                                  | `UBIGINT`   |
 * | `json_keys(j [, path])` (a macro over `_airbyte_json_keys`)      | `VARCHAR[]` |
 * | `json_valid(j)`                                                  | `BOOLEAN`   |
 * | `json(j)` (minified)                                             | JSON text   |
 *
 * Semantics are DuckDB's (checked value by value against native DuckDB 1.4 with its json
 * extension, see tests/duckdb/json_functions_test.ts): paths are JSONPath (`$.a.b[0]`,
 * `$."key.with.dots"`, `$.a[#-1]`, `$.a[-1]`), JSON Pointer (`/a/b/0`), a bare key (`'city'`) or
 * an integer array index (`j->0`, negative from the end); a missing path is NULL; JSON is
 * re-serialized as DuckDB writes it (minified, `1.0` stays `1.0`, `1e5` becomes `100000.0`,
 * integers of any size keep their digits, strings re-escaped); malformed JSON is an error
 * ("Malformed JSON at byte N of input: ..."), except in `json_valid`; DuckDB's reader is lenient
 * in the same places (trailing commas, `NaN`/`Infinity`).
 *
 * What differs: JSON results are `VARCHAR` (DuckDB's `JSON` type is an alias of it that lives in
 * the extension); a path with a wildcard (`$[*]`, `$.*`, `$..a`) or a list of paths, which make
 * DuckDB return a list, is refused with a message naming what to use instead; the other
 * functions of the extension (`json_transform`, `json_group_array`, `read_json`, the `JSON` type,
 * ...) fail with a message naming an alternative ({@linkcode explainJsonError}).
 *
 * ## How
 * DuckDB-WASM registers JavaScript scalar functions (`duckdb_web_udf_scalar_create`: variadic
 * `ANY` arguments, one return type) and calls them through its runtime's `callScalarUDF` hook
 * once per vector of up to 2048 rows, with pointers into the wasm heap. duckdb-wasm 1.32's own
 * hook cannot return text (it hands back offsets where DuckDB reads pointers: every string comes
 * back empty), so this module brings its own: it reads the documents' UTF-8 bytes straight from
 * the heap, validates and walks them without `JSON.parse`, and writes the results back as one
 * byte buffer. `->` parses to `json_extract` and `->>` to a function named `->>`, so registering
 * those names is enough for the operators.
 *
 * Everything that runs inside DuckDB's thread is in {@linkcode createJsonFunctions} and
 * {@linkcode installJsonFunctionsInWorker}, two self-contained functions (no imports, no outer
 * names): Deno and Node call them directly in the engine's worker thread, and the browser
 * loader ships their source text into DuckDB-WASM's Web Worker.
 *
 * @module
 */

/** The parts of DuckDB-WASM's emscripten module the JSON functions use. */
export interface UdfModule {
  HEAPU8: Uint8Array;
  HEAPF64: Float64Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  stackSave(): number;
  stackAlloc(size: number): number;
  stackRestore(pointer: number): void;
  ccall(name: string, returnType: string | null, argTypes: string[], args: unknown[]): unknown;
}

/** The JSON functions, bound to nothing until {@linkcode JsonFunctions.register} runs. */
export interface JsonFunctions {
  /**
   * Registers every function on an open database through connection handle `connection`. Run
   * `setupSql` first when the connection has not yet turned extension autoloading off: DuckDB
   * would try to fetch the json extension when it sees a function of that name.
   */
  register(mod: UdfModule, connection: number, setupSql?: string): void;
  /** DuckDB-WASM's runtime hook for scalar functions (`DuckDBRuntime.callScalarUDF`). */
  callScalarUDF(
    mod: UdfModule,
    response: number,
    functionId: number,
    descriptionPointer: number,
    descriptionSize: number,
    pointersPointer: number,
    pointersSize: number,
  ): void;
  /** The names registered, in order (operators included). */
  readonly names: string[];
}

/**
 * The SQL that adds `json_keys` (a list, which a JavaScript scalar function cannot return: the
 * macro casts the list text `_airbyte_json_keys` writes). Run it on every connection that queries:
 * it creates a `TEMP` macro, which lives with the connection and never in the database file.
 *
 * @example The macro is temporary
 * ```ts
 * import { JSON_MACROS_SQL } from "./json_functions.ts";
 * if (!JSON_MACROS_SQL.startsWith("CREATE OR REPLACE TEMP MACRO json_keys")) throw new Error();
 * ```
 */
export const JSON_MACROS_SQL =
  "CREATE OR REPLACE TEMP MACRO json_keys(j) AS CAST(_airbyte_json_keys(j) AS VARCHAR[]), " +
  "(j, p) AS CAST(_airbyte_json_keys(j, p) AS VARCHAR[]);";

/**
 * Builds the JSON functions. Self-contained: the browser loader ships this function's source
 * text into DuckDB-WASM's Worker, so it may use nothing from outside its own body.
 *
 * @returns The functions, to {@linkcode JsonFunctions.register} on a database and to answer
 *   DuckDB-WASM's `callScalarUDF` hook.
 *
 * @example Ask DuckDB-WASM for a nested field
 * ```ts
 * import { openNodeEngine } from "./load_node.ts";
 * const engine = await openNodeEngine(":memory:"); // registers createJsonFunctions()
 * const t = await engine.query(`SELECT '{"address":{"city":"Oslo"}}'->'address'->>'city' AS city`);
 * await engine.close();
 * if (t.getChild("city")?.get(0) !== "Oslo") throw new Error();
 * ```
 */
export function createJsonFunctions(): JsonFunctions {
  // Function ids far above DuckDB-WASM's own (1, 2, ...), so both can live in one runtime.
  const BASE_ID = 7_340_000;
  const EXTRACT = 0, EXTRACT_STRING = 1, EXISTS = 2, VALUE = 3, TYPE = 4, ARRAY_LENGTH = 5;
  const VALID = 6, MINIFY = 7, KEYS = 8;
  const TEXT = 0, BOOL = 1, UINT64 = 2;
  interface Fn {
    name: string;
    op: number;
    returns: number;
    minArgs: number;
    maxArgs: number;
    /** Whether an integer path (an array index) is allowed, as in DuckDB. */
    integerPath: boolean;
    usage: string;
  }
  const fn = (
    name: string,
    op: number,
    returns: number,
    minArgs: number,
    maxArgs: number,
    integerPath: boolean,
    usage: string,
  ): Fn => ({ name, op, returns, minArgs, maxArgs, integerPath, usage });
  const FUNCTIONS: Fn[] = [
    fn("json_extract", EXTRACT, TEXT, 2, 2, true, "json_extract(json, path)"),
    fn("json_extract_path", EXTRACT, TEXT, 2, 2, true, "json_extract_path(json, path)"),
    fn("json_extract_string", EXTRACT_STRING, TEXT, 2, 2, true, "json_extract_string(json, path)"),
    fn("json_extract_path_text", EXTRACT_STRING, TEXT, 2, 2, true, "json_extract_path_text(json, path)"),
    fn("->>", EXTRACT_STRING, TEXT, 2, 2, true, "json ->> path"),
    fn("json_value", VALUE, TEXT, 2, 2, true, "json_value(json, path)"),
    fn("json_exists", EXISTS, BOOL, 2, 2, false, "json_exists(json, path)"),
    fn("json_type", TYPE, TEXT, 1, 2, false, "json_type(json [, path])"),
    fn("json_array_length", ARRAY_LENGTH, UINT64, 1, 2, false, "json_array_length(json [, path])"),
    fn("json_valid", VALID, BOOL, 1, 1, false, "json_valid(json)"),
    fn("json", MINIFY, TEXT, 1, 1, false, "json(json)"),
    fn("_airbyte_json_keys", KEYS, TEXT, 1, 2, false, "json_keys(json [, path])"),
  ];
  const SQL_TYPES = ["utf8", "bool", "uint64"];

  const QUOTE = 34, BACKSLASH = 92, SLASH = 47, COMMA = 44, COLON = 58, MINUS = 45, PLUS = 43, DOT = 46;
  const OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93;
  const DOLLAR = 36, HASH = 35, STAR = 42, TILDE = 126;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const HEX = "0123456789ABCDEF";

  // ---------------------------------------------------------------------------------------------
  // Output: one growing byte buffer for a vector's text results, rows delimited by offsets.

  let out = new Uint8Array(1 << 16);
  let at = 0;
  function room(n: number): void {
    if (at + n <= out.length) return;
    let size = out.length * 2;
    while (size < at + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(out.subarray(0, at));
    out = bigger;
  }
  function putByte(c: number): void {
    if (at === out.length) room(1);
    out[at++] = c;
  }
  function putBytes(b: Uint8Array, start: number, end: number): void {
    room(end - start);
    out.set(b.subarray(start, end), at);
    at += end - start;
  }
  function putAscii(text: string): void {
    room(text.length);
    for (let k = 0; k < text.length; k++) out[at++] = text.charCodeAt(k);
  }
  /** A code point as UTF-8. */
  function putCodePoint(cp: number): void {
    room(4);
    if (cp < 0x80) out[at++] = cp;
    else if (cp < 0x800) {
      out[at++] = 0xc0 | (cp >> 6);
      out[at++] = 0x80 | (cp & 63);
    } else if (cp < 0x10000) {
      out[at++] = 0xe0 | (cp >> 12);
      out[at++] = 0x80 | ((cp >> 6) & 63);
      out[at++] = 0x80 | (cp & 63);
    } else {
      out[at++] = 0xf0 | (cp >> 18);
      out[at++] = 0x80 | ((cp >> 12) & 63);
      out[at++] = 0x80 | ((cp >> 6) & 63);
      out[at++] = 0x80 | (cp & 63);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Validation, as DuckDB reads JSON (yyjson with trailing commas and NaN/Infinity allowed).

  /** Why the last document was malformed, and where. */
  let errorReason = "";
  let errorAt = 0;
  function fail(position: number, reason: string): number {
    errorAt = position;
    errorReason = reason;
    return -1;
  }
  let stack = new Uint8Array(64);

  function isSpace(c: number): boolean {
    return c === 32 || c === 10 || c === 13 || c === 9;
  }
  function skipSpace(b: Uint8Array, i: number, end: number): number {
    while (i < end && isSpace(b[i])) i++;
    return i;
  }
  function hexValue(c: number): number {
    if (c >= 48 && c <= 57) return c - 48;
    if (c >= 97 && c <= 102) return c - 87;
    if (c >= 65 && c <= 70) return c - 55;
    return -1;
  }
  /** `\uXXXX` at `i` (the backslash): its value, or -1. */
  function unicodeEscape(b: Uint8Array, i: number, end: number): number {
    if (i + 6 > end || b[i + 1] !== 117) return -1;
    let v = 0;
    for (let k = 2; k < 6; k++) {
      const h = hexValue(b[i + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }
  /** The string whose opening quote is at `i`: the index after its closing quote, or -1. */
  function validString(b: Uint8Array, i: number, end: number): number {
    for (i++; i < end; i++) {
      const c = b[i];
      if (c === QUOTE) return i + 1;
      if (c < 32) return fail(i, "unexpected control character in string");
      if (c !== BACKSLASH) continue;
      if (i + 1 >= end) return fail(end, "unexpected end of data");
      const e = b[i + 1];
      if (e === 117) {
        if (i + 6 > end) return fail(end, "unexpected end of data");
        const v = unicodeEscape(b, i, end);
        if (v < 0) return fail(i, "invalid escaped sequence in string");
        if (v >= 0xdc00 && v <= 0xdfff) return fail(i, "invalid high surrogate in string");
        if (v >= 0xd800 && v <= 0xdbff) {
          if (i + 6 >= end) return fail(end, "unexpected end of data");
          if (b[i + 6] !== BACKSLASH || (i + 7 < end && b[i + 7] !== 117)) {
            return fail(i + 6, "no low surrogate in string");
          }
          if (i + 12 > end) return fail(end, "unexpected end of data");
          const low = unicodeEscape(b, i + 6, end);
          if (low < 0xdc00 || low > 0xdfff) return fail(i + 6, "invalid low surrogate in string");
          i += 11;
        } else i += 5;
      } else if (
        e === QUOTE || e === BACKSLASH || e === SLASH || e === 98 || e === 102 || e === 110 || e === 114 ||
        e === 116
      ) {
        i++;
      } else return fail(i + 1, "invalid escaped character in string");
    }
    return fail(end, "unexpected end of data");
  }
  function lower(c: number): number {
    return c >= 65 && c <= 90 ? c + 32 : c;
  }
  /** `word` (lowercase ASCII) at `i`, in any case. */
  function matchesFolded(b: Uint8Array, i: number, end: number, word: string): boolean {
    if (i + word.length > end) return false;
    for (let k = 0; k < word.length; k++) if (lower(b[i + k]) !== word.charCodeAt(k)) return false;
    return true;
  }
  /** NaN, Inf, Infinity in any case (after an optional `-`): the index after it, or 0. */
  function nonFinite(b: Uint8Array, i: number, end: number): number {
    if (matchesFolded(b, i, end, "nan")) return i + 3;
    if (matchesFolded(b, i, end, "infinity")) return i + 8;
    if (matchesFolded(b, i, end, "inf")) return i + 3;
    return 0;
  }
  function isDigit(c: number): boolean {
    return c >= 48 && c <= 57;
  }
  /** The number at `i`: the index after it, or -1. */
  function validNumber(b: Uint8Array, i: number, end: number): number {
    if (b[i] === MINUS) {
      i++;
      if (i >= end) return fail(i, "unexpected end of data");
      const special = nonFinite(b, i, end);
      if (special) return special;
      if (!isDigit(b[i])) return fail(i, "no digit after minus sign");
    }
    if (b[i] === 48) {
      if (i + 1 < end && isDigit(b[i + 1])) return fail(i, "number with leading zero is not allowed");
      i++;
    } else {
      while (i < end && isDigit(b[i])) i++;
    }
    if (i < end && b[i] === DOT) {
      i++;
      if (i >= end) return fail(i, "unexpected end of data");
      if (!isDigit(b[i])) return fail(i, "no digit after decimal point");
      while (i < end && isDigit(b[i])) i++;
    }
    if (i < end && (b[i] === 101 || b[i] === 69)) {
      i++;
      if (i < end && (b[i] === PLUS || b[i] === MINUS)) i++;
      if (i >= end) return fail(i, "unexpected end of data");
      if (!isDigit(b[i])) return fail(i, "no digit after exponent sign");
      while (i < end && isDigit(b[i])) i++;
    }
    return i;
  }
  /** How many bytes at `i` match `word` (stopping at the end of the data). */
  function matching(b: Uint8Array, i: number, end: number, word: string, folded: boolean): number {
    let k = 0;
    while (k < word.length && i + k < end && (folded ? lower(b[i + k]) : b[i + k]) === word.charCodeAt(k)) {
      k++;
    }
    return k;
  }
  /** `true`, `false`, `null` (or `nan`, after an `n`) at `i`: the index after it, or -1. */
  function literal(b: Uint8Array, i: number, end: number, word: string): number {
    let k = matching(b, i, end, word, false);
    if (k === word.length) return i + k;
    if (word === "null" && k === 1) {
      k = matching(b, i, end, "nan", true);
      if (k === 3) return i + 3;
    }
    return i + k === end ? fail(end, "unexpected end of data") : fail(i, "invalid literal");
  }
  /** A scalar (not a string) at `i`: the index after it, or -1. */
  function validScalar(b: Uint8Array, i: number, end: number): number {
    const c = b[i];
    if (c === MINUS || isDigit(c)) return validNumber(b, i, end);
    if (c === 116) return literal(b, i, end, "true");
    if (c === 102) return literal(b, i, end, "false");
    if (c === 110) return literal(b, i, end, "null");
    const special = nonFinite(b, i, end);
    return special || fail(i, "unexpected character");
  }

  /** Checks the document `b[start, end)`: true, or false with `errorAt`/`errorReason` set. */
  function validate(b: Uint8Array, start: number, end: number): boolean {
    if (start === end) return fail(start, "input length is 0") >= 0;
    let i = skipSpace(b, start, end);
    if (i === end) return fail(start, "input data is empty") >= 0;
    let depth = 0;
    for (;;) {
      // A value at i.
      let c = b[i];
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (depth === stack.length) {
          const deeper = new Uint8Array(stack.length * 2);
          deeper.set(stack);
          stack = deeper;
        }
        stack[depth++] = c;
        i = skipSpace(b, i + 1, end);
        if (i >= end) return fail(end, "unexpected end of data") >= 0;
        if (b[i] === c + 2) { // the matching close: ] is [ + 2, } is { + 2
          i++;
          depth--;
        } else if (c === OPEN_BRACE) {
          if (b[i] !== QUOTE) return fail(i, "unexpected character") >= 0;
          i = member(b, i, end);
          if (i < 0) return false;
          continue;
        } else continue;
      } else if (c === QUOTE) {
        i = validString(b, i, end);
        if (i < 0) return false;
      } else {
        i = validScalar(b, i, end);
        if (i < 0) return false;
      }
      // After a value: close containers, or a comma and the next value.
      for (;;) {
        i = skipSpace(b, i, end);
        if (depth === 0) return i === end || fail(i, "unexpected content after document") >= 0;
        if (i >= end) return fail(end, "unexpected end of data") >= 0;
        c = b[i];
        const open = stack[depth - 1];
        if (c === open + 2) {
          i++;
          depth--;
          continue;
        }
        if (c !== COMMA) return fail(i, "unexpected character") >= 0;
        i = skipSpace(b, i + 1, end);
        if (i >= end) return fail(end, "unexpected end of data") >= 0;
        if (b[i] === open + 2) { // a trailing comma
          i++;
          depth--;
          continue;
        }
        if (open === OPEN_BRACE) {
          if (b[i] !== QUOTE) return fail(i, "unexpected character") >= 0;
          i = member(b, i, end);
          if (i < 0) return false;
        }
        break;
      }
    }
  }
  /** `"key" :` at `i`: the index of the value after it, or -1. */
  function member(b: Uint8Array, i: number, end: number): number {
    i = validString(b, i, end);
    if (i < 0) return -1;
    i = skipSpace(b, i, end);
    if (i >= end) return fail(end, "unexpected end of data");
    if (b[i] !== COLON) return fail(i, "unexpected character");
    i = skipSpace(b, i + 1, end);
    return i < end ? i : fail(end, "unexpected end of data");
  }

  // ---------------------------------------------------------------------------------------------
  // Walking a document already validated.

  function skipString(b: Uint8Array, i: number): number {
    for (i++;; i++) {
      const c = b[i];
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) i++;
    }
  }
  /** The index after the value at `i`. */
  function skipValue(b: Uint8Array, i: number, end: number): number {
    const c = b[i];
    if (c === QUOTE) return skipString(b, i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      let depth = 0;
      for (; i < end; i++) {
        const d = b[i];
        if (d === QUOTE) i = skipString(b, i) - 1;
        else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
        else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
          if (--depth === 0) return i + 1;
        }
      }
      return end;
    }
    while (i < end) {
      const d = b[i];
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
      i++;
    }
    return i;
  }
  /** After a value at `i` inside a container: the next element's index, or -1 at the close. */
  function nextElement(b: Uint8Array, i: number, end: number): number {
    i = skipSpace(b, skipValue(b, i, end), end);
    if (b[i] !== COMMA) return -1;
    i = skipSpace(b, i + 1, end);
    return b[i] === CLOSE_BRACE || b[i] === CLOSE_BRACKET ? -1 : i;
  }
  /** The first element or member of the container at `i`, or -1 when it is empty. */
  function firstElement(b: Uint8Array, i: number, end: number): number {
    i = skipSpace(b, i + 1, end);
    return b[i] === CLOSE_BRACE || b[i] === CLOSE_BRACKET ? -1 : i;
  }
  /** The value of the member whose key starts at `i`. */
  function memberValue(b: Uint8Array, i: number, end: number): number {
    i = skipSpace(b, skipString(b, i), end);
    return skipSpace(b, i + 1, end);
  }
  /** Whether the key (a JSON string) at `i` is `key` once unescaped. */
  function keyEquals(b: Uint8Array, i: number, key: Uint8Array): boolean {
    let k = 0;
    for (i++;; i++) {
      const c = b[i];
      if (c === QUOTE) return k === key.length;
      if (c === BACKSLASH) return unescapedEquals(b, i, key, k);
      if (k >= key.length || key[k++] !== c) return false;
    }
  }
  let scratch = new Uint8Array(256);
  function unescapedEquals(b: Uint8Array, i: number, key: Uint8Array, k: number): boolean {
    const mark = at;
    const stop = unescapeInto(b, i);
    const n = at - mark;
    let same = n === key.length - k;
    for (let j = 0; same && j < n; j++) same = out[mark + j] === key[k + j];
    at = mark;
    return same && b[stop] === QUOTE;
  }
  /**
   * Writes the unescaped UTF-8 of a string's body from `i` (inside the quotes) to the closing
   * quote; returns the index of that quote.
   */
  function unescapeInto(b: Uint8Array, i: number): number {
    for (;;) {
      const c = b[i];
      if (c === QUOTE) return i;
      if (c !== BACKSLASH) {
        putByte(c);
        i++;
        continue;
      }
      const e = b[i + 1];
      if (e === 117) {
        let cp = unicodeEscape(b, i, i + 6);
        i += 6;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (unicodeEscape(b, i, i + 6) - 0xdc00);
          i += 6;
        }
        putCodePoint(cp);
        continue;
      }
      putByte(e === 98 ? 8 : e === 102 ? 12 : e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e);
      i += 2;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Paths.

  /** One step: a key, or an array index (`fromEnd`: counted from the end, 1 = the last). */
  interface Step {
    key: Uint8Array | null;
    index: number;
    fromEnd: boolean;
  }
  /** A key step; `index` is -1 unless the key may also index an array (JSON Pointer digits). */
  const key = (bytes: Uint8Array): Step => ({ key: bytes, index: -1, fromEnd: false });
  const index = (n: number, fromEnd: boolean): Step => ({ key: null, index: n, fromEnd });

  function pathError(path: Uint8Array, from: number): Error {
    const near = decoder.decode(path.subarray(from));
    return new Error(`Binder Error: JSON path error near '${near}'`);
  }
  function wildcardError(path: Uint8Array): Error {
    return new Error(
      `Binder Error: JSON path '${decoder.decode(path)}' has a wildcard, which makes DuckDB return a list: ` +
        "this cache's JSON functions return one value per row. Ask for each element by index " +
        "($.a[0], $.a[1], ...; json_array_length gives the count) or by key (json_keys lists them).",
    );
  }
  /** `$.a."b c"[0][#-1]` into steps (the same grammar, and errors, as DuckDB). */
  function parseDollarPath(p: Uint8Array): Step[] {
    const steps: Step[] = [];
    let i = 1;
    while (i < p.length) {
      const start = i;
      const c = p[i++];
      if (c === DOT) {
        if (p[i] === QUOTE) {
          const bytes: number[] = [];
          let k = i + 1;
          for (; k < p.length && p[k] !== QUOTE; k++) {
            if (p[k] === BACKSLASH && k + 1 < p.length) k++;
            bytes.push(p[k]);
          }
          if (k >= p.length || bytes.length === 0) throw pathError(p, start);
          steps.push(key(Uint8Array.from(bytes)));
          i = k + 1;
          continue;
        }
        if (p[i] === DOT) {
          if (i + 1 < p.length) throw wildcardError(p); // recursive descent: $..key
          throw pathError(p, start);
        }
        let k = i;
        while (k < p.length && p[k] !== DOT && p[k] !== OPEN_BRACKET) k++;
        if (k === i) throw pathError(p, start);
        if (k === i + 1 && p[i] === STAR) throw wildcardError(p);
        steps.push(key(p.slice(i, k)));
        i = k;
      } else if (c === OPEN_BRACKET) {
        if (p[i] === STAR && p[i + 1] === CLOSE_BRACKET) throw wildcardError(p);
        let fromEnd = false;
        let from = start;
        if (p[i] === HASH) {
          from = i;
          i++;
          if (p[i] === CLOSE_BRACKET) { // [#]: one past the last element
            steps.push(index(0, true));
            i++;
            continue;
          }
          if (p[i] !== MINUS) throw pathError(p, from);
          fromEnd = true;
          i++;
        } else if (p[i] === MINUS) {
          fromEnd = true;
          i++;
        }
        let n = 0;
        const digits = i;
        while (i < p.length && isDigit(p[i])) n = n * 10 + (p[i++] - 48);
        if (i === digits || i >= p.length || p[i] !== CLOSE_BRACKET) throw pathError(p, from);
        if (n >= 18446744073709551616) throw pathError(p, i);
        i++;
        // [#-0] and [-0] are the first element, as in DuckDB.
        steps.push(fromEnd && n > 0 ? index(n, true) : index(n, false));
      } else {
        throw pathError(p, start);
      }
    }
    return steps;
  }
  /** `/a/b~1c/0` (JSON Pointer): keys; a step that reads digits may index an array. */
  function parsePointer(p: Uint8Array): Step[] {
    const steps: Step[] = [];
    let i = 1;
    for (;;) {
      const bytes: number[] = [];
      while (i < p.length && p[i] !== SLASH) {
        if (p[i] === TILDE && (p[i + 1] === 48 || p[i + 1] === 49)) {
          bytes.push(p[i + 1] === 48 ? TILDE : SLASH);
          i += 2;
        } else bytes.push(p[i++]);
      }
      const step = key(Uint8Array.from(bytes));
      // An array index: digits without a leading zero.
      const n = bytes.length > 0 && bytes.every(isDigit) && (bytes[0] !== 48 || bytes.length === 1)
        ? Number(String.fromCharCode(...bytes))
        : -1;
      step.index = n;
      steps.push(step);
      if (i >= p.length) return steps;
      i++;
    }
  }
  /** Steps for a path string (cached: a query usually passes the same path on every row). */
  const pathCache = new Map<string, Step[] | Error>();
  function compilePath(p: Uint8Array): Step[] {
    const text = decoder.decode(p);
    let steps = pathCache.get(text);
    if (steps === undefined) {
      try {
        steps = p.length === 0
          ? []
          : p[0] === DOLLAR
          ? parseDollarPath(p)
          : p[0] === SLASH
          ? parsePointer(p)
          : [
            key(p.slice()),
          ];
      } catch (error) {
        steps = error as Error;
      }
      if (pathCache.size > 256) pathCache.clear();
      pathCache.set(text, steps);
    }
    if (steps instanceof Error) throw steps;
    return steps;
  }
  /** Positions of a container's elements, for indexes counted from the end. */
  let positions = new Int32Array(64);
  /** Follows `steps` from the value at `i`: the target's index, or -1 when it is missing. */
  function follow(b: Uint8Array, i: number, end: number, steps: Step[]): number {
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s];
      const c = b[i];
      if (step.key !== null && c === OPEN_BRACE) {
        let m = firstElement(b, i, end);
        while (m >= 0 && !keyEquals(b, m, step.key)) m = nextElement(b, memberValue(b, m, end), end);
        if (m < 0) return -1;
        i = memberValue(b, m, end);
      } else if (c === OPEN_BRACKET && (step.key === null || step.index >= 0)) {
        let e = firstElement(b, i, end);
        if (step.fromEnd) {
          let count = 0;
          for (; e >= 0; e = nextElement(b, e, end)) {
            if (count === positions.length) {
              const more = new Int32Array(count * 2);
              more.set(positions);
              positions = more;
            }
            positions[count++] = e;
          }
          if (step.index > count || step.index === 0) return -1;
          i = positions[count - step.index];
        } else {
          for (let n = step.index; n > 0 && e >= 0; n--) e = nextElement(b, e, end);
          if (e < 0) return -1;
          i = e;
        }
      } else return -1;
    }
    return i;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing JSON as DuckDB does (yyjson): minified, numbers normalized, strings re-escaped.

  function putDouble(text: string): void {
    const v = Number(text);
    // Too large for a double: DuckDB keeps the number as written.
    if (!isFinite(v)) return putAscii(text);
    if (v === 0) return putAscii(1 / v < 0 ? "-0.0" : "0.0");
    const s = String(v);
    if (s.indexOf("e") >= 0) return putAscii(s.replace("e+", "e"));
    putAscii(s.indexOf(".") >= 0 ? s : s + ".0");
  }
  /**
   * Whether a number literal is already spelled as DuckDB writes it (so no double round trip is
   * needed): `-?D.F` with at most 15 significant digits (every such decimal is its own shortest
   * spelling), `F` without trailing zeros unless it is `0`, and at least 1e-6 (below, DuckDB
   * writes an exponent).
   */
  function canonicalDecimal(b: Uint8Array, i: number, stop: number): boolean {
    if (b[i] === MINUS) i++;
    let digits = 0, leading = true, zerosAfterDot = 0, dot = -1;
    for (let k = i; k < stop; k++) {
      const d = b[k];
      if (d === DOT) {
        dot = k;
        continue;
      }
      if (!isDigit(d)) return false;
      if (leading && d === 48) {
        if (dot >= 0) zerosAfterDot++;
        continue;
      }
      leading = false;
      digits++;
    }
    if (dot < 0 || digits > 15 || (b[i] === 48 && dot === i + 1 && !leading && zerosAfterDot >= 6)) {
      return false;
    }
    if (b[i] === 48 && dot !== i + 1) return false; // a leading zero: invalid JSON anyway
    // "1.0" and "0.0" stay; "1.50" does not.
    return b[stop - 1] !== 48 || stop - dot === 2;
  }
  function asciiText(b: Uint8Array, start: number, end: number): string {
    let s = "";
    for (let k = start; k < end; k++) s += String.fromCharCode(b[k]);
    return s;
  }
  /** A JSON string at `i` (its opening quote) re-escaped as yyjson writes it; returns its end. */
  function putJsonString(b: Uint8Array, i: number): number {
    const start = i;
    for (i++;; i++) {
      const c = b[i];
      if (c === QUOTE) {
        putBytes(b, start, i + 1);
        return i + 1;
      }
      if (c === BACKSLASH) break;
    }
    // Escapes: unescape, then escape what JSON requires (and only that).
    const mark = at;
    const close = unescapeInto(b, start + 1);
    const n = at - mark;
    if (scratch.length < n) scratch = new Uint8Array(n * 2);
    scratch.set(out.subarray(mark, at));
    at = mark;
    putByte(QUOTE);
    for (let k = 0; k < n; k++) {
      const c = scratch[k];
      if (c === QUOTE || c === BACKSLASH) {
        putByte(BACKSLASH);
        putByte(c);
      } else if (c < 32) {
        const short = c === 8 ? 98 : c === 9 ? 116 : c === 10 ? 110 : c === 12 ? 102 : c === 13 ? 114 : 0;
        if (short) {
          putByte(BACKSLASH);
          putByte(short);
        } else putAscii("\\u00" + HEX[c >> 4] + HEX[c & 15]);
      } else putByte(c);
    }
    putByte(QUOTE);
    return close + 1;
  }
  /** Open containers while writing: `{` or `[` per level. */
  let kinds = new Uint8Array(64);
  /** The value at `i` as minified, normalized JSON; returns the index after it. */
  function putJson(b: Uint8Array, i: number, end: number): number {
    let depth = 0;
    for (;;) {
      const c = b[i];
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        putByte(c);
        if (depth === kinds.length) {
          const deeper = new Uint8Array(depth * 2);
          deeper.set(kinds);
          kinds = deeper;
        }
        kinds[depth++] = c;
        i = skipSpace(b, i + 1, end);
        if (b[i] !== c + 2) {
          if (c === OPEN_BRACE) {
            i = putJsonString(b, i);
            putByte(COLON);
            i = skipSpace(b, skipSpace(b, i, end) + 1, end);
          }
          continue;
        }
        putByte(b[i++]);
        depth--;
      } else if (c === QUOTE) {
        i = putJsonString(b, i);
      } else {
        const stop = skipValue(b, i, end);
        if (c === MINUS || isDigit(c)) {
          let integral = true;
          for (let k = i; k < stop; k++) {
            const d = b[k];
            if (d === DOT || d === 101 || d === 69) integral = false;
            else if (d > 57 && integral) integral = false; // -Infinity, -nan: kept as written
          }
          if (integral && stop - i === 2 && c === MINUS && b[i + 1] === 48) putByte(48); // -0
          else if (integral || canonicalDecimal(b, i, stop)) putBytes(b, i, stop);
          else if (isDigit(b[c === MINUS ? i + 1 : i])) putDouble(asciiText(b, i, stop));
          else putBytes(b, i, stop);
        } else putBytes(b, i, stop);
        i = stop;
      }
      // After a value: closes, or a comma and the next value (trailing commas dropped).
      for (;;) {
        if (depth === 0) return i;
        i = skipSpace(b, i, end);
        const d = b[i];
        if (d === COMMA) {
          i = skipSpace(b, i + 1, end);
          if (b[i] === CLOSE_BRACE || b[i] === CLOSE_BRACKET) continue;
          putByte(COMMA);
          if (kinds[depth - 1] === OPEN_BRACE) {
            i = putJsonString(b, i);
            putByte(COLON);
            i = skipSpace(b, skipSpace(b, i, end) + 1, end);
          }
          break;
        }
        putByte(d);
        i++;
        depth--;
      }
    }
  }
  /** The string at `i` unescaped (for `->>` and `json_extract_string`). */
  function putPlainString(b: Uint8Array, i: number): void {
    const start = i + 1;
    for (i = start;; i++) {
      const c = b[i];
      if (c === QUOTE) return putBytes(b, start, i);
      if (c === BACKSLASH) break;
    }
    unescapeInto(b, start);
  }
  /** `"key"` for the list text json_keys casts: `\` and `"` escaped with a backslash. */
  function putListItem(b: Uint8Array, i: number): void {
    const mark = at;
    unescapeInto(b, i + 1);
    const n = at - mark;
    if (scratch.length < n) scratch = new Uint8Array(n * 2);
    scratch.set(out.subarray(mark, at));
    at = mark;
    putByte(QUOTE);
    for (let k = 0; k < n; k++) {
      const c = scratch[k];
      if (c === QUOTE || c === BACKSLASH) putByte(BACKSLASH);
      putByte(c);
    }
    putByte(QUOTE);
  }
  const UINT64_MAX = "18446744073709551615", INT64_MIN = "9223372036854775808";
  /** Whether the digits `b[start, end)` are at most `limit` (same-length comparison). */
  function digitsWithin(b: Uint8Array, start: number, end: number, limit: string): boolean {
    const n = end - start;
    if (n !== limit.length) return n < limit.length;
    for (let k = 0; k < n; k++) {
      const d = b[start + k], l = limit.charCodeAt(k);
      if (d !== l) return d < l;
    }
    return true;
  }
  function typeName(b: Uint8Array, i: number, end: number): string {
    const c = b[i];
    if (c === OPEN_BRACE) return "OBJECT";
    if (c === OPEN_BRACKET) return "ARRAY";
    if (c === QUOTE) return "VARCHAR";
    if (c === 116 || c === 102) return "BOOLEAN";
    if (c === 110 && b[i + 1] === 117) return "NULL";
    const stop = skipValue(b, i, end);
    const negative = c === MINUS;
    const from = negative ? i + 1 : i;
    for (let k = from; k < stop; k++) if (!isDigit(b[k])) return "DOUBLE";
    if (negative) return digitsWithin(b, from, stop, INT64_MIN) ? "BIGINT" : "DOUBLE";
    return digitsWithin(b, from, stop, UINT64_MAX) ? "UBIGINT" : "DOUBLE";
  }

  // ---------------------------------------------------------------------------------------------
  // The call from DuckDB: arguments from the heap, results back into it.

  interface Arg {
    sqlType: string;
    physicalType: string;
    validityBuffer?: number;
    dataBuffer?: number;
    lengthBuffer?: number;
  }
  interface Description {
    rows: number;
    args: Arg[];
  }
  const descriptions = new Map<string, Description>();
  function describe(mod: UdfModule, pointer: number, size: number): Description {
    const text = asciiText(mod.HEAPU8, pointer, pointer + size);
    let d = descriptions.get(text);
    if (d === undefined) {
      d = JSON.parse(text) as Description;
      if (descriptions.size > 64) descriptions.clear();
      descriptions.set(text, d);
    }
    return d;
  }
  const INTEGER_TYPES: Record<string, number> = {
    INT8: 1,
    UINT8: 1,
    INT16: 2,
    UINT16: 2,
    INT32: 4,
    UINT32: 4,
  };

  /** Text results of the last vector: where each row's bytes start in `out`, and NULLs. */
  let starts = new Int32Array(2049);
  let nulls = new Uint8Array(2048);
  let numbers = new Float64Array(2048);
  /** Per module: the result buffers DuckDB-WASM copies from and never frees (text results). */
  const textBuffers = new WeakMap<
    UdfModule,
    { pointers: number; rows: number; bytes: number; size: number }
  >();

  function malformed(b: Uint8Array, start: number, end: number): Error {
    const shown = end - start > 50 ? decoder.decode(b.subarray(start, start + 47)) + "..." : decoder.decode(
      b.subarray(start, end),
    );
    return new Error(
      `Invalid Input Error: Malformed JSON at byte ${
        errorAt - start
      } of input: ${errorReason}.  Input: "${shown}"`,
    );
  }

  function run(mod: UdfModule, response: number, f: Fn, d: Description, ptrs: number): void {
    const rows = d.rows;
    const args = d.args;
    if (args.length < f.minArgs || args.length > f.maxArgs) {
      const got = args.map((a) => a.sqlType).join(", ");
      throw new Error(`Binder Error: ${f.name} takes ${f.usage}; it was called as ${f.name}(${got}).`);
    }
    if (args[0].physicalType !== "VARCHAR") {
      throw new Error(
        `Binder Error: ${f.name} reads JSON text (VARCHAR), not ${args[0].sqlType}` +
          (args[0].physicalType === "STRUCT" ? ": read a STRUCT's fields with s.field or s['field']." : "."),
      );
    }
    const pathArg = args.length > 1 ? args[1] : null;
    const intWidth = pathArg && INTEGER_TYPES[pathArg.physicalType] ? INTEGER_TYPES[pathArg.physicalType] : 0;
    if (pathArg && pathArg.physicalType !== "VARCHAR" && !(intWidth && f.integerPath)) {
      throw new Error(
        `Binder Error: ${f.name} takes a path as VARCHAR` +
          (f.integerPath ? " or an INTEGER array index" : "") +
          `, not ${pathArg.sqlType}.`,
      );
    }
    if (starts.length < rows + 1) {
      starts = new Int32Array(rows + 1);
      nulls = new Uint8Array(rows);
      numbers = new Float64Array(rows);
    }
    const heap = mod.HEAPU8;
    const f64 = mod.HEAPF64;
    const word = (k: number | undefined) => k === undefined ? -1 : f64[(ptrs >> 3) + k];
    const docValid = word(args[0].validityBuffer);
    const docData = word(args[0].dataBuffer) / 8;
    const docLength = word(args[0].lengthBuffer) / 8;
    const pathValid = pathArg ? word(pathArg.validityBuffer) : -1;
    const pathData = pathArg ? word(pathArg.dataBuffer) : -1;
    const pathLength = pathArg && !intWidth ? word(pathArg.lengthBuffer) / 8 : -1;
    let lastPath: Uint8Array | null = null;
    let lastSteps: Step[] = [];
    at = 0;
    for (let row = 0; row < rows; row++) {
      starts[row] = at;
      nulls[row] = 0;
      if ((docValid >= 0 && heap[docValid + row] === 0) || (pathValid >= 0 && heap[pathValid + row] === 0)) {
        nulls[row] = 1;
        continue;
      }
      // Integers, not doubles: the walk indexes the heap with them (V8 is much faster with ints).
      const start = f64[docData + row] >>> 0;
      const end = start + (f64[docLength + row] >>> 0);
      if (f.op === VALID) {
        numbers[row] = validate(heap, start, end) ? 1 : 0;
        continue;
      }
      if (!validate(heap, start, end)) throw malformed(heap, start, end);
      let i = skipSpace(heap, start, end);
      if (pathArg && intWidth) {
        const n = readInteger(mod, pathData, row, pathArg.physicalType);
        i = follow(heap, i, end, [n < 0 ? index(-n, true) : index(n, false)]);
      } else if (pathArg) {
        const p = f64[pathData / 8 + row] >>> 0;
        const length = f64[pathLength + row] >>> 0;
        if (lastPath === null || !sameBytes(heap, p, length, lastPath)) {
          lastPath = heap.slice(p, p + length);
          lastSteps = compilePath(lastPath);
        }
        i = follow(heap, i, end, lastSteps);
      }
      const c = heap[i];
      switch (f.op) {
        case EXISTS:
          numbers[row] = i >= 0 ? 1 : 0;
          break;
        case EXTRACT:
        case MINIFY:
          if (i < 0) nulls[row] = 1;
          else putJson(heap, i, end);
          break;
        case EXTRACT_STRING:
          if (i < 0 || (c === 110 && heap[i + 1] === 117)) nulls[row] = 1;
          else if (c === QUOTE) putPlainString(heap, i);
          else putJson(heap, i, end);
          break;
        case VALUE:
          if (i < 0 || c === OPEN_BRACE || c === OPEN_BRACKET || (c === 110 && heap[i + 1] === 117)) {
            nulls[row] = 1;
          } else putJson(heap, i, end);
          break;
        case TYPE:
          if (i < 0) nulls[row] = 1;
          else putAscii(typeName(heap, i, end));
          break;
        case ARRAY_LENGTH: {
          if (i < 0) {
            nulls[row] = 1;
            break;
          }
          let count = 0;
          if (c === OPEN_BRACKET) {
            for (let e = firstElement(heap, i, end); e >= 0; e = nextElement(heap, e, end)) count++;
          }
          numbers[row] = count;
          break;
        }
        case KEYS: {
          if (i < 0) {
            nulls[row] = 1;
            break;
          }
          putByte(OPEN_BRACKET);
          if (c === OPEN_BRACE) {
            let m = firstElement(heap, i, end);
            for (
              let first = true;
              m >= 0;
              m = nextElement(heap, memberValue(heap, m, end), end), first = false
            ) {
              if (!first) putByte(COMMA);
              putListItem(heap, m);
            }
          }
          putByte(CLOSE_BRACKET);
          break;
        }
      }
    }
    starts[rows] = at;
    writeResults(mod, response, f, rows);
  }

  function readInteger(mod: UdfModule, data: number, row: number, type: string): number {
    const b = mod.HEAPU8;
    const width = INTEGER_TYPES[type];
    const p = data + row * width;
    let v = 0;
    for (let k = width - 1; k >= 0; k--) v = v * 256 + b[p + k];
    if (type.charCodeAt(0) === 73 && v >= 2 ** (width * 8 - 1)) v -= 2 ** (width * 8); // INT*: signed
    return v;
  }
  function sameBytes(b: Uint8Array, p: number, n: number, other: Uint8Array): boolean {
    if (n !== other.length) return false;
    for (let k = 0; k < n; k++) if (b[p + k] !== other[k]) return false;
    return true;
  }

  function writeResults(mod: UdfModule, response: number, f: Fn, rows: number): void {
    // Allocations may grow the heap (and replace HEAPU8): views are taken after them.
    const validity = mod._malloc(Math.max(rows, 1));
    const result = mod._malloc(24);
    let data = 0;
    let lengths = 0;
    if (f.returns === TEXT) {
      let buffers = textBuffers.get(mod);
      if (!buffers || buffers.rows < rows || buffers.size < at) {
        if (buffers) {
          mod._free(buffers.pointers);
          mod._free(buffers.bytes);
        }
        const capacity = Math.max(rows, buffers ? buffers.rows : 0, 2048);
        const size = Math.max(at, buffers ? buffers.size * 2 : 0, 1 << 16);
        buffers = { pointers: mod._malloc(capacity * 16), rows: capacity, bytes: mod._malloc(size), size };
        textBuffers.set(mod, buffers);
      }
      data = buffers.pointers;
      lengths = buffers.pointers + buffers.rows * 8;
      mod.HEAPU8.set(out.subarray(0, at), buffers.bytes);
      const f64 = mod.HEAPF64;
      for (let row = 0; row < rows; row++) {
        f64[(data >> 3) + row] = buffers.bytes + starts[row];
        f64[(lengths >> 3) + row] = starts[row + 1] - starts[row];
      }
    } else {
      data = mod._malloc(Math.max(rows, 1) * (f.returns === BOOL ? 1 : 8));
      const heap = mod.HEAPU8;
      for (let row = 0; row < rows; row++) {
        const v = numbers[row];
        if (f.returns === BOOL) heap[data + row] = v;
        else {
          // UBIGINT, little-endian: a count always fits 32 bits.
          heap[data + row * 8] = v & 255;
          heap[data + row * 8 + 1] = (v >>> 8) & 255;
          heap[data + row * 8 + 2] = (v >>> 16) & 255;
          heap[data + row * 8 + 3] = v >>> 24;
          heap.fill(0, data + row * 8 + 4, data + row * 8 + 8);
        }
      }
    }
    const heap = mod.HEAPU8;
    for (let row = 0; row < rows; row++) heap[validity + row] = nulls[row] ? 0 : 1;
    const f64 = mod.HEAPF64;
    f64[result >> 3] = data;
    f64[(result >> 3) + 1] = validity;
    f64[(result >> 3) + 2] = lengths;
    f64[response >> 3] = 0;
    f64[(response >> 3) + 1] = result;
    f64[(response >> 3) + 2] = 0;
  }

  function storeError(mod: UdfModule, response: number, message: string): void {
    const bytes = encoder.encode(message);
    const pointer = mod._malloc(bytes.length); // DuckDB-WASM frees it
    mod.HEAPU8.set(bytes, pointer);
    const f64 = mod.HEAPF64;
    f64[response >> 3] = 1;
    f64[(response >> 3) + 1] = pointer;
    f64[(response >> 3) + 2] = bytes.length;
  }

  function callScalarUDF(
    mod: UdfModule,
    response: number,
    functionId: number,
    descriptionPointer: number,
    descriptionSize: number,
    pointersPointer: number,
  ): void {
    const f = FUNCTIONS[functionId - BASE_ID];
    if (f === undefined) {
      storeError(
        mod,
        response,
        `Scalar function ${functionId} is not one of the JSON functions of this runtime.`,
      );
      return;
    }
    try {
      run(mod, response, f, describe(mod, descriptionPointer, descriptionSize), pointersPointer);
    } catch (error) {
      storeError(mod, response, error instanceof Error ? error.message : String(error));
    }
  }

  /** duckdb-wasm's `callSRet`: a call whose status and result come back in a response triple. */
  function callWithResponse(
    mod: UdfModule,
    name: string,
    argTypes: string[],
    args: unknown[],
  ): string | null {
    const stackTop = mod.stackSave();
    const response = mod.stackAlloc(24);
    mod.ccall(name, null, ["number", ...argTypes], [response, ...args]);
    const f64 = mod.HEAPF64;
    const status = f64[response >> 3], pointer = f64[(response >> 3) + 1], size = f64[(response >> 3) + 2];
    mod.stackRestore(stackTop);
    const message = status === 0 ? null : decoder.decode(mod.HEAPU8.subarray(pointer, pointer + size));
    mod.ccall("duckdb_web_clear_response", null, [], []);
    return message;
  }

  function register(mod: UdfModule, connection: number, setupSql?: string): void {
    if (setupSql) {
      const sql = encoder.encode(setupSql);
      const pointer = mod._malloc(sql.length);
      mod.HEAPU8.set(sql, pointer);
      const failure = callWithResponse(mod, "duckdb_web_query_run_buffer", ["number", "number", "number"], [
        connection,
        pointer,
        sql.length,
      ]);
      mod._free(pointer);
      if (failure !== null) throw new Error(`Cannot prepare the JSON functions: ${failure}`);
    }
    FUNCTIONS.forEach((f, k) => {
      const declaration = {
        functionId: BASE_ID + k,
        name: f.name,
        returnType: { sqlType: SQL_TYPES[f.returns] },
      };
      const failure = callWithResponse(mod, "duckdb_web_udf_scalar_create", ["number", "string"], [
        connection,
        JSON.stringify(declaration),
      ]);
      if (failure !== null) throw new Error(`Cannot register the JSON function ${f.name}: ${failure}`);
    });
  }

  return {
    register,
    callScalarUDF: (mod, response, functionId, descriptionPointer, descriptionSize, pointersPointer) =>
      callScalarUDF(mod, response, functionId, descriptionPointer, descriptionSize, pointersPointer),
    names: FUNCTIONS.map((f) => f.name),
  };
}

/**
 * Installs the JSON functions in DuckDB-WASM's browser Worker, after its own script has loaded
 * (`importScripts`). Self-contained, like `factory`: the browser loader ships both as source text.
 *
 * It takes DuckDB-WASM's runtime hook for scalar functions (the stock one cannot return text),
 * learns the wasm module from the runtime's first call when a database opens, and registers the
 * functions on a connection of its own once the open has succeeded, after running `setupSql`
 * there (extension autoloading must be off first).
 *
 * @param factory {@linkcode createJsonFunctions}.
 * @param setupSql The engine's settings (`ENGINE_SETUP_SQL`).
 *
 * @example The source text a Worker runs
 * ```ts
 * import { createJsonFunctions, installJsonFunctionsInWorker } from "./json_functions.ts";
 * const script = `(${installJsonFunctionsInWorker})(${createJsonFunctions}, "SET autoload_known_extensions=false");`;
 * if (!script.includes("duckdb_web_connect")) throw new Error();
 * ```
 */
export function installJsonFunctionsInWorker(factory: () => JsonFunctions, setupSql: string): void {
  type Handler = (this: unknown, event: MessageEvent) => unknown;
  const scope = globalThis as unknown as { onmessage: Handler; DUCKDB_RUNTIME?: Record<string, unknown> };
  const json = factory();
  const stock = scope.onmessage;
  let mod: UdfModule | null = null;
  let patched: unknown = null;
  scope.onmessage = async function (event: MessageEvent) {
    const request = event.data as { type?: unknown } | null;
    const opening = request !== null && typeof request === "object" && request.type === "OPEN";
    const runtime = scope.DUCKDB_RUNTIME;
    if (opening && runtime && patched !== runtime) {
      patched = runtime;
      const test = runtime.testPlatformFeature as (m: UdfModule, feature: number) => boolean;
      runtime.testPlatformFeature = (m: UdfModule, feature: number) => {
        mod = m;
        return test(m, feature);
      };
      runtime.callScalarUDF = json.callScalarUDF;
    }
    await stock.call(this, event);
    if (opening && mod !== null) {
      try {
        // A connection of its own, kept open: the functions live as long as the database.
        json.register(mod, mod.ccall("duckdb_web_connect", "number", [], []) as number, setupSql);
      } catch {
        // The open failed (nothing to register on); the loader's check query reports the rest.
      }
    }
  };
}

/** What to use instead of each function, table function or type of DuckDB's json extension. */
const ALTERNATIVES: Record<string, string> = {
  json_transform: "read each field with json_extract_string(j, '$.field')::TYPE",
  json_transform_strict: "read each field with json_extract_string(j, '$.field')::TYPE",
  from_json: "read each field with json_extract_string(j, '$.field')::TYPE",
  from_json_strict: "read each field with json_extract_string(j, '$.field')::TYPE",
  json_structure: "inspect documents with json_type(j, path) and json_keys(j, path)",
  json_group_structure: "inspect documents with json_type(j, path) and json_keys(j, path)",
  json_contains: "compare the part you need: json_extract(j, path) = '<json>'",
  json_group_array: "aggregate into a DuckDB LIST with list(x)",
  json_group_object: "aggregate into a DuckDB MAP with map(list(k), list(v))",
  to_json: "select the columns themselves (or CAST(x AS VARCHAR) for DuckDB's own text form)",
  json_object: "select the columns themselves, or build a STRUCT with struct_pack(...)",
  json_array: "build a DuckDB LIST with list_value(...)",
  array_to_json: "select the LIST itself",
  row_to_json: "select the columns themselves",
  json_quote: "select the value itself",
  json_merge_patch: "read the fields you need with json_extract and combine them in SQL",
  json_pretty: "use json(j) for the minified text",
  read_json: "read the file with a source (for example source-file) into the cache, then query its table",
  read_json_auto:
    "read the file with a source (for example source-file) into the cache, then query its table",
  read_ndjson: "read the file with a source (for example source-file) into the cache, then query its table",
  read_ndjson_auto:
    "read the file with a source (for example source-file) into the cache, then query its table",
  read_json_objects:
    "read the file with a source (for example source-file) into the cache, then query its table",
  read_ndjson_objects:
    "read the file with a source (for example source-file) into the cache, then query its table",
};

const PROVIDED = "json_extract, json_extract_string, ->, ->>, json_value, json_exists, json_type, " +
  "json_array_length, json_keys, json_valid and json";

/**
 * The message to show for a DuckDB error about JSON: DuckDB-WASM's "exists in the json
 * extension, try INSTALL json" (which cannot work offline) becomes one that names what to use
 * instead; errors of the JSON functions lose DuckDB-WASM's "Invalid Error: " wrapper. Any other
 * message comes back unchanged.
 *
 * @param message A DuckDB error message.
 * @returns The message to show.
 *
 * @example
 * ```ts
 * import { explainJsonError } from "./json_functions.ts";
 * const message = explainJsonError(
 *   'Catalog Error: Scalar Function with name "json_group_array" is not in the catalog, but it exists in the json extension.',
 * );
 * if (!message.includes("list(x)") || message.includes("INSTALL")) throw new Error(message);
 * ```
 */
export function explainJsonError(message: string): string {
  const own = /^Invalid Error: ((?:Binder|Invalid Input) Error: [\s\S]*)$/.exec(message);
  if (own) return own[1];
  const argument = /^Invalid Error: Unsupported UDF argument type (.+)$/.exec(message.trim());
  if (argument) {
    const type = argument[1];
    const hint = type.endsWith("[]")
      ? "A list of paths makes DuckDB return a list: call the function once per path (a LIST column is " +
        "not JSON text: use len(l) and l[1] on it)."
      : type === '"NULL"'
      ? "For a NULL write a typed one: NULL::VARCHAR."
      : `Cast it: x::VARCHAR for JSON text or a path, i::INTEGER for an array index.`;
    return `Binder Error: The JSON functions of this cache take JSON text (VARCHAR) and a path (VARCHAR, or ` +
      `an INTEGER array index), not ${type}. ${hint}`;
  }
  const missing =
    /^Catalog Error: ([\w ]+?) with name "?([^"\s]+)"? is not in the catalog, but it exists in the json extension/
      .exec(message);
  if (!missing) return message;
  const [, kind, name] = missing;
  const lowered = name.toLowerCase();
  if (kind === "Type") {
    return `Catalog Error: Type ${name} comes from DuckDB's json extension, which DuckDB-WASM cannot load ` +
      `offline. JSON documents in this cache are VARCHAR columns holding JSON text: drop the ::${name} ` +
      `cast; ${PROVIDED} read the text directly.`;
  }
  const instead = ALTERNATIVES[lowered] ?? "read the parts you need with json_extract_string(j, path)";
  return `Catalog Error: ${kind} ${name} comes from DuckDB's json extension, which DuckDB-WASM cannot ` +
    `load offline: ${instead}. This cache provides ${PROVIDED} with DuckDB's semantics.`;
}
