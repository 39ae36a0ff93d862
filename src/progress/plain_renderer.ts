/**
 * Progress as log lines: fit for CI logs, files and anything that is not a terminal.
 *
 * @module
 */
import { maskSecrets } from "../secrets.ts";
import { formatElapsed, formatJobEnd, formatJobPercent, formatStreamLine, jobPrefix } from "./_format.ts";
import type { ProgressEvent } from "./progress_event.ts";
import type { ProgressRenderer, TextSink } from "./progress_renderer.ts";

/**
 * Options for {@linkcode PlainRenderer}.
 *
 * @example A line every second
 * ```ts
 * import { PlainRenderer, type PlainRendererOptions } from "./plain_renderer.ts";
 * const options: PlainRendererOptions = { intervalMs: 1000 };
 * if (new PlainRenderer(() => {}, options).intervalMs !== 1000) throw new Error();
 * ```
 */
export interface PlainRendererOptions {
  /** Milliseconds between two progress lines. @default 5000 */
  intervalMs?: number;
}

/**
 * Writes a line per running stream every `intervalMs`, a line when a stream finishes and one when
 * the job ends, e.g. `[read source-faker] users: 1,000 records (12,345 rec/s, 3.2 MB/s) elapsed 0.1s`.
 * Every line passes through `maskSecrets`.
 *
 * @example Log a job to an array
 * ```ts
 * import { PlainRenderer } from "./plain_renderer.ts";
 * import { ProgressTracker } from "./progress_tracker.ts";
 * const lines: string[] = [];
 * const tracker = new ProgressTracker({
 *   job: "read",
 *   connector: "source-faker",
 *   renderer: new PlainRenderer((text) => lines.push(text)),
 * });
 * tracker.addRecords("users", 1000, 81_000);
 * tracker.finish();
 * if (!lines.some((l) => l.startsWith("[read source-faker] users done: 1,000 records"))) throw new Error();
 * ```
 */
export class PlainRenderer implements ProgressRenderer {
  readonly intervalMs: number;
  readonly #sink: TextSink;

  constructor(sink: TextSink, options: PlainRendererOptions = {}) {
    this.#sink = sink;
    this.intervalMs = options.intervalMs ?? 5000;
  }

  render(event: ProgressEvent): void {
    const prefix = jobPrefix(event);
    const lines: string[] = [];
    switch (event.kind) {
      case "start":
        lines.push(`${prefix} started`);
        break;
      case "progress": {
        const running = Object.entries(event.streams).filter(([, s]) => !s.done && !s.waiting);
        for (const [name, stream] of running) lines.push(`${prefix} ${formatStreamLine(name, stream)}`);
        if (running.length === 0) {
          lines.push(`${prefix} waiting for records, elapsed ${formatElapsed(event.elapsedMs)}`);
        } else if (event.percent !== undefined && Object.keys(event.streams).length > 1) {
          lines.push(`${prefix} all streams${formatJobPercent(event).replace(/^,/, ":")}`);
        }
        break;
      }
      case "stream_done":
        lines.push(`${prefix} ${formatStreamLine(event.stream!, event.streams[event.stream!])}`);
        break;
      case "done":
      case "failed":
        lines.push(`${prefix} ${formatJobEnd(event)}`);
        break;
    }
    this.#sink(maskSecrets(lines.join("\n") + "\n"));
  }
}
