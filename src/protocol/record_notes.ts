/**
 * What the message parser learned about a RECORD that its plain `JSON.parse` data cannot show:
 * an exact copy of the data when the line held integers past 2^53, and whether the line's text
 * held U+FFFD, which is what decoding puts in place of bytes that are not UTF-8. The notes hang
 * off the data object under a symbol, non-enumerable: `JSON.stringify`, `for…in`, spreading and
 * `structuredClone` do not see them, so users and other code get the data they always got, and
 * the Arrow batch builder stores the exact values and notes the replaced text.
 *
 * @module
 */

/** The notes on one record's data. */
export interface RecordNotes {
  /** The same data with integers past 2^53 as exact bigints. */
  exact?: Record<string, unknown>;
  /** The line's text held U+FFFD: text values holding it may have lost what the source sent. */
  replacementCharacters?: boolean;
}

const NOTES: unique symbol = Symbol("airbyte-ts.recordNotes");

/**
 * Attaches notes to a record's data (merging with notes already there).
 *
 * @param data A record's data, as `JSON.parse` made it.
 * @param notes What to note.
 *
 * @example Keep an exact copy
 * ```ts
 * import { noteRecord, notesOf } from "./record_notes.ts";
 * const data = { id: 1101234567890123500 };
 * noteRecord(data, { exact: { id: 1101234567890123457n } });
 * if (notesOf(data)?.exact?.id !== 1101234567890123457n || JSON.stringify(data).includes("457")) {
 *   throw new Error();
 * }
 * ```
 */
export function noteRecord(data: object, notes: RecordNotes): void {
  const merged = { ...notesOf(data), ...notes };
  Object.defineProperty(data, NOTES, { value: merged, enumerable: false, configurable: true });
}

/**
 * The notes on a record's data, or undefined (nearly always: a plain record has none).
 *
 * @param data A record's data.
 * @returns Its notes.
 *
 * @example A plain record
 * ```ts
 * import { notesOf } from "./record_notes.ts";
 * if (notesOf({ id: 1 }) !== undefined) throw new Error();
 * ```
 */
export function notesOf(data: object): RecordNotes | undefined {
  return (data as Record<symbol, RecordNotes | undefined>)[NOTES];
}
