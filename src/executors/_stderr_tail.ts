/**
 * A bounded, secret-masked memory of a connector's last log lines, for error messages.
 *
 * @module
 */
import { maskSecrets } from "../secrets.ts";

/** Lines kept by default. */
export const DEFAULT_TAIL_LINES = 100;
/** A longer line is cut so the tail stays small whatever the connector prints. */
const MAX_LINE_CHARS = 4096;

/**
 * Keeps the last `capacity` lines pushed into it, masked and cut to a sane length.
 *
 * @example Only the newest lines stay
 * ```ts
 * import { StderrTail } from "./_stderr_tail.ts";
 * const tail = new StderrTail(2);
 * for (const line of ["a", "b", "c"]) tail.push(line);
 * if (tail.lines().join() !== "b,c") throw new Error(tail.lines().join());
 * ```
 */
export class StderrTail {
  readonly #capacity: number;
  readonly #lines: string[] = [];

  constructor(capacity: number = DEFAULT_TAIL_LINES) {
    this.#capacity = capacity;
  }

  /** Remember `line` (masking happens here, so callers may pass raw text); returns the masked line. */
  push(line: string): string {
    const masked = maskSecrets(line);
    const kept = masked.length > MAX_LINE_CHARS ? `${masked.slice(0, MAX_LINE_CHARS)}… (cut)` : masked;
    this.#lines.push(kept);
    if (this.#lines.length > this.#capacity) this.#lines.splice(0, this.#lines.length - this.#capacity);
    return masked;
  }

  /** The remembered lines, oldest first, masked again in case a secret was registered since. */
  lines(): string[] {
    return this.#lines.map(maskSecrets);
  }
}
