/**
 * Printing a message while a live progress display is on the terminal, without the next redraw
 * wiping it: the display is erased, the message written, and the display drawn again below it.
 *
 * @module
 */

/** A display that owns the bottom lines of the terminal (the tty renderer). */
export interface LiveDisplay {
  /** Erase the display, write `text`, draw the display again below it. */
  printAbove(text: string): void;
}

// The display drawn last. Two live displays on one terminal would garble each other anyway, so
// one slot: the latest to draw owns it until it ends.
let current: LiveDisplay | undefined;

/** Called by a live display each time it draws. */
export function registerLiveDisplay(display: LiveDisplay): void {
  current = display;
}

/** Called by a live display when it ends. */
export function unregisterLiveDisplay(display: LiveDisplay): void {
  if (current === display) current = undefined;
}

/**
 * Write `text` on standard error above the live progress display of a running read or write,
 * if one is on the terminal; otherwise hand it to `write` (e.g. the runtime's `writeStderr`). Use
 * it for messages printed while a job runs, such as a Ctrl-C notice: a plain write would be
 * erased by the display's next redraw.
 *
 * @example Tell the user that the job is stopping
 * ```ts
 * import { printAboveProgress } from "./print_above_progress.ts";
 * let written = "";
 * printAboveProgress("Interrupted: stopping the connector...\n", (text) => (written += text));
 * // No live display here, so the text went to the fallback writer.
 * if (written !== "Interrupted: stopping the connector...\n") throw new Error();
 * ```
 */
export function printAboveProgress(text: string, write: (text: string) => void): void {
  if (current) current.printAbove(text);
  else write(text);
}
