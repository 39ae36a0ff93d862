/**
 * The interface between a {@linkcode ProgressTracker} and whatever shows its events.
 *
 * @module
 */
import type { ProgressEvent } from "./progress_event.ts";

/**
 * Shows progress events. The tracker hands it every `start`, `stream_done`, `done` and `failed`
 * event, and `progress` events at most once per `intervalMs`.
 *
 * @example A renderer that counts events
 * ```ts
 * import type { ProgressRenderer } from "./progress_renderer.ts";
 * import { ProgressTracker } from "./progress_tracker.ts";
 * let seen = 0;
 * const renderer: ProgressRenderer = { intervalMs: 1000, render: () => void seen++ };
 * const tracker = new ProgressTracker({ job: "read", connector: "source-x", renderer });
 * tracker.finish();
 * if (seen !== 2) throw new Error("expected start and done");
 * ```
 */
export interface ProgressRenderer {
  /** Minimum milliseconds between two `progress` events. */
  readonly intervalMs: number;
  /** Show one event. */
  render(event: ProgressEvent): void;
}

/**
 * Where renderers write text, e.g. `runtime.writeStderr`.
 *
 * @example Capture text in memory
 * ```ts
 * import type { TextSink } from "./progress_renderer.ts";
 * let captured = "";
 * const sink: TextSink = (text) => void (captured += text);
 * sink("hello\n");
 * if (captured !== "hello\n") throw new Error();
 * ```
 */
export type TextSink = (text: string) => void;

/**
 * A monotonic clock in milliseconds, e.g. `() => performance.now()`. Injectable for tests.
 *
 * @example A clock a test moves by hand
 * ```ts
 * import type { Clock } from "./progress_renderer.ts";
 * let now = 0;
 * const clock: Clock = () => now;
 * now += 250;
 * if (clock() !== 250) throw new Error();
 * ```
 */
export type Clock = () => number;
