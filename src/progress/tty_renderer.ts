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
  formatRates,
  formatStreamLine,
  jobPrefix,
} from "./_format.ts";
import type { ProgressEvent } from "./progress_event.ts";
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
  /** Terminal width; longer lines are cut so that they never wrap (wrapping breaks the redraw). @default 100 */
  columns?: number;
  /** Running streams shown one per line; the rest are summed up in one line. @default 8 */
  maxStreamLines?: number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR_LINE = "\r\x1b[2K";
const CLEAR_BELOW = "\x1b[0J";
const cursorUp = (lines: number) => (lines > 0 ? `\x1b[${lines}A` : "");

/**
 * Draws a header line with the job's totals and one line per running stream, redrawn in place
 * with `\r` and ANSI erase codes at most every `intervalMs`. When the job ends the display is
 * erased and replaced by a summary that stays: one line per stream and a total. Every write
 * passes through `maskSecrets`.
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
export class TtyRenderer implements ProgressRenderer {
  readonly intervalMs: number;
  readonly #sink: TextSink;
  readonly #columns: number;
  readonly #maxStreamLines: number;
  #drawnLines = 0;
  #frame = 0;
  #lastDrawAt = -Infinity;

  constructor(sink: TextSink, options: TtyRendererOptions = {}) {
    this.#sink = sink;
    this.intervalMs = options.intervalMs ?? 100;
    this.#columns = Math.max(20, options.columns ?? 100);
    this.#maxStreamLines = Math.max(0, options.maxStreamLines ?? 8);
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
    const lines = this.#liveLines(event).map((line) => CLEAR_LINE + this.#fit(line) + "\n");
    const shrink = lines.length < this.#drawnLines ? CLEAR_BELOW : "";
    this.#sink(maskSecrets(cursorUp(this.#drawnLines) + lines.join("") + shrink));
    this.#drawnLines = lines.length;
  }

  #end(event: ProgressEvent): void {
    const prefix = jobPrefix(event);
    const summary = event.kind === "done"
      ? Object.entries(event.streams).map(([name, stream]) => `${prefix} ${formatStreamLine(name, stream)}\n`)
      : [];
    summary.push(`${prefix} ${formatJobEnd(event)}\n`);
    this.#sink(maskSecrets(cursorUp(this.#drawnLines) + "\r" + CLEAR_BELOW + summary.join("")));
    this.#drawnLines = 0;
  }

  #liveLines(event: ProgressEvent): string[] {
    const spinner = SPINNER[this.#frame++ % SPINNER.length];
    const entries = Object.entries(event.streams);
    const running = entries.filter(([, s]) => !s.done);
    const header = `${spinner} ${event.job} ${event.connector}: ${formatCount(event.totalRecords)} records` +
      (event.totalConfirmed === undefined ? "" : `, ${formatCount(event.totalConfirmed)} confirmed`) +
      ` (${formatRates(event.recordsPerSecond, event.mbPerSecond)}) elapsed ${
        formatElapsed(event.elapsedMs)
      }` +
      ` [${entries.length - running.length}/${entries.length} streams done]`;
    const lines = [header];
    for (const [name, stream] of running.slice(0, this.#maxStreamLines)) {
      lines.push(`  ${formatStreamLine(name, stream)}`);
    }
    const hidden = running.length - this.#maxStreamLines;
    if (hidden > 0) lines.push(`  … and ${hidden} more stream${hidden === 1 ? "" : "s"} running`);
    return lines;
  }

  #fit(line: string): string {
    return line.length < this.#columns ? line : line.slice(0, this.#columns - 2) + "…";
  }
}
