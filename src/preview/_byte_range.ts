/**
 * The `Range` header of a request for a file of known size (RFC 9110 §14): one range only,
 * which is what DuckDB-WASM's HTTP file system sends.
 *
 * @module
 */
import type { ByteRange } from "../runtime/runtime.ts";

/**
 * The one byte range a `Range` header asks for, clamped to the file: undefined when there is no
 * header (or one this server ignores, e.g. several ranges: the whole file is sent), "unsatisfiable"
 * when it starts past the end.
 *
 * @example
 * ```ts
 * import { parseByteRange } from "./_byte_range.ts";
 * const r = parseByteRange("bytes=10-19", 100);
 * if (r === undefined || r === "unsatisfiable" || r.start !== 10 || r.end !== 20) throw new Error();
 * if (parseByteRange("bytes=-10", 100) === "unsatisfiable") throw new Error();
 * if (parseByteRange("bytes=200-", 100) !== "unsatisfiable") throw new Error();
 * ```
 */
export function parseByteRange(header: string | null, size: number): ByteRange | "unsatisfiable" | undefined {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    // A suffix: the last N bytes.
    const length = Math.min(Number(match[2]), size);
    return length === 0 ? "unsatisfiable" : { start: size - length, end: size };
  }
  const start = Number(match[1]);
  if (start >= size) return "unsatisfiable";
  const end = match[2] === "" ? size : Math.min(Number(match[2]) + 1, size);
  return end <= start ? "unsatisfiable" : { start, end };
}
