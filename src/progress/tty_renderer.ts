/**
 * Progress as a live display on a terminal, redrawn in place.
 *
 * @module
 */
import { maskSecrets } from "../secrets.ts";
import {
  formatCount,
  formatElapsed,
  formatJobEnd,
  formatJobPercent,
  formatRates,
  formatStreamLine,
  jobPrefix,
} from "./_format.ts";
import { type LiveDisplay, registerLiveDisplay, unregisterLiveDisplay } from "./print_above_progress.ts";
import type { ProgressEvent, StreamProgress } from "./progress_event.ts";
import type { ProgressRenderer, TextSink } from "./progress_renderer.ts";

/**
 * Options for {@linkcode TtyRenderer}.
 *
 * @example A narrow terminal, redrawn 4 times a second
 * ```ts
 * import { TtyRenderer, type TtyRendererOptions } from "./tty_renderer.ts";
 * const options: TtyRendererOptions = { columns: 60, intervalMs: 250 };
 * if (new TtyRenderer(() => {}, options).intervalMs !== 250) throw new Error();
 * ```
 */
export interface TtyRendererOptions {
  /** Minimum milliseconds between two redraws. @default 100 */
  intervalMs?: number;
  /**
   * Terminal width, or a function asked at every redraw (so the display follows a resized
   * terminal; `undefined` means unknown). Progress bars fill the width; longer lines are cut so
   * that they never wrap (wrapping breaks the redraw). @default 100
   */
  columns?: number | (() => number | undefined);
  /** Running streams shown one per line; the rest are summed up in one line. @default 8 */
  maxStreamLines?: number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const DEFAULT_COLUMNS = 100;
const BAR_MIN = 10;
const BAR_MAX = 40;
const CLEAR_LINE = "\r\x1b[2K";
const CLEAR_BELOW = "\x1b[0J";
const cursorUp = (lines: number) => (lines > 0 ? `\x1b[${lines}A` : "");

/**
 * Draws a header line with the job's totals (and its percent and ETA when the connector's
 * estimates cover it), one line per running stream (with a bar as wide as the terminal allows when
 * the stream has an estimate), and the streams still waiting, redrawn in place with `\r` and ANSI
 * erase codes at most every `intervalMs`. When the job ends the display is erased and replaced by
 * a summary that stays: one line per stream and a total. Messages written through
 * `printAboveProgress` stay above the display. Every write passes through `maskSecrets`.
 *
 * @example Draw into a string
 * ```ts
 * import { TtyRenderer } from "./tty_renderer.ts";
 * import { ProgressTracker } from "./progress_tracker.ts";
 * let screen = "";
 * let now = 0;
 * const tracker = new ProgressTracker({
 *   job: "read",
 *   connector: "source-faker",
 *   renderer: new TtyRenderer((text) => (screen += text)),
 *   clock: () => now,
 * });
 * tracker.addRecords("users", 1000, 1_000_000);
 * now = 1000;
 * tracker.finish();
 * if (!screen.includes("\r")) throw new Error("expected an in-place redraw");
 * const summary = "[read source-faker] finished: 1 stream, 1,000 records (1,000 rec/s, 1.0 MB/s) elapsed 1.0s\n";
 * if (!screen.endsWith(summary)) throw new Error(screen);
 * ```
 */
export class TtyRenderer implements ProgressRenderer, LiveDisplay {
  readonly intervalMs: number;
  readonly #sink: TextSink;
  readonly #columnsOption: number | (() => number | undefined);
  readonly #maxStreamLines: number;
  #drawnLines = 0;
  #drawn: string[] = [];
  #frame = 0;
  #lastDrawAt = -Infinity;

  constructor(sink: TextSink, options: TtyRendererOptions = {}) {
    this.#sink = sink;
    this.intervalMs = options.intervalMs ?? 100;
    this.#columnsOption = options.columns ?? DEFAULT_COLUMNS;
    this.#maxStreamLines = Math.max(0, options.maxStreamLines ?? 8);
  }

  /** Erase the live display, write `text`, and draw the display again below it. */
  printAbove(text: string): void {
    const line = text.endsWith("\n") ? text : text + "\n";
    this.#sink(maskSecrets(cursorUp(this.#drawnLines) + "\r" + CLEAR_BELOW + line + this.#drawn.join("")));
  }

  // The width right now: the terminal may have been resized since the last redraw.
  #columns(): number {
    const option = this.#columnsOption;
    const columns = typeof option === "function" ? option() : option;
    return Math.max(20, columns !== undefined && Number.isFinite(columns) ? columns : DEFAULT_COLUMNS);
  }

  render(event: ProgressEvent): void {
    switch (event.kind) {
      case "start":
      case "progress":
        this.#draw(event);
        break;
      case "stream_done":
        // Not throttled by the tracker; many small streams must not flood the terminal.
        if (event.elapsedMs - this.#lastDrawAt >= this.intervalMs) this.#draw(event);
        break;
      case "done":
      case "failed":
        this.#end(event);
        break;
    }
  }

  #draw(event: ProgressEvent): void {
    this.#lastDrawAt = event.elapsedMs;
    const columns = this.#columns();
    const lines = this.#liveLines(event, columns).map((line) => CLEAR_LINE + fit(line, columns) + "\n");
    const shrink = lines.length < this.#drawnLines ? CLEAR_BELOW : "";
    this.#sink(maskSecrets(cursorUp(this.#drawnLines) + lines.join("") + shrink));
    this.#drawnLines = lines.length;
    this.#drawn = lines;
    registerLiveDisplay(this);
  }

  #end(event: ProgressEvent): void {
    const prefix = jobPrefix(event);
    const summary = event.kind === "done"
      ? Object.entries(event.streams).map(([name, stream]) => `${prefix} ${formatStreamLine(name, stream)}\n`)
      : [];
    summary.push(`${prefix} ${formatJobEnd(event)}\n`);
    this.#sink(maskSecrets(cursorUp(this.#drawnLines) + "\r" + CLEAR_BELOW + summary.join("")));
    this.#drawnLines = 0;
    this.#drawn = [];
    unregisterLiveDisplay(this);
  }

  #liveLines(event: ProgressEvent, columns: number): string[] {
    const spinner = SPINNER[this.#frame++ % SPINNER.length];
    const entries = Object.entries(event.streams);
    const running = entries.filter(([, s]) => !s.done && !s.waiting);
    const waiting = entries.filter(([, s]) => !s.done && s.waiting).map(([name]) => name);
    // Most telling first, so that a narrow terminal cuts the rates rather than the percent.
    const header = `${spinner} ${event.job} ${event.connector}: ` +
      (event.percent === undefined ? "" : formatJobPercent(event).slice(2) + ", ") +
      `${formatCount(event.totalRecords)} records` +
      (event.totalConfirmed === undefined ? "" : `, ${formatCount(event.totalConfirmed)} confirmed`) +
      `, ${entries.length - running.length - waiting.length}/${entries.length} streams done` +
      ` (${formatRates(event.recordsPerSecond, event.mbPerSecond)}) elapsed ${
        formatElapsed(event.elapsedMs)
      }`;
    const lines = [header];
    for (const [name, stream] of running.slice(0, this.#maxStreamLines)) {
      lines.push(streamLine(name, stream, columns));
    }
    const hidden = running.length - this.#maxStreamLines;
    if (hidden > 0) lines.push(`  … and ${hidden} more stream${hidden === 1 ? "" : "s"} running`);
    if (waiting.length > 0) lines.push(`  waiting: ${waiting.join(", ")}`);
    return lines;
  }
}

// A running stream: with an estimate, a bar that takes the width the text leaves (within bounds).
function streamLine(name: string, stream: StreamProgress, columns: number): string {
  const text = formatStreamLine(name, stream);
  if (stream.percent === undefined) return `  ${text}`;
  const width = Math.max(BAR_MIN, Math.min(BAR_MAX, columns - 6 - text.length));
  return `  ${bar(stream.percent, width)} ${text}`;
}

/** `[█████░░░░░]`: `percent` of `width` cells filled. */
function bar(percent: number, width: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}

function fit(line: string, columns: number): string {
  return line.length < columns ? line : line.slice(0, columns - 2) + "…";
}
