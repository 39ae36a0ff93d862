/**
 * Turns the user's `progress` option into a renderer, given what the host says about standard
 * error. Capabilities are handed in (sink, terminal flag, environment), never sniffed here.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { PlainRenderer } from "./plain_renderer.ts";
import type { ProgressOption } from "./progress_event.ts";
import type { ProgressRenderer, TextSink } from "./progress_renderer.ts";
import { TtyRenderer } from "./tty_renderer.ts";

/**
 * What {@linkcode resolveProgress} needs from the host.
 *
 * @example From a Runtime adapter
 * ```ts
 * import type { ProgressContext } from "./resolve_progress.ts";
 * import { getRuntime } from "../runtime/detect.ts";
 * const rt = await getRuntime();
 * const context: ProgressContext = {
 *   sink: (text) => rt.writeStderr(text),
 *   isTerminal: rt.stderrIsTerminal(),
 *   env: (name) => rt.env(name),
 * };
 * if (typeof context.isTerminal !== "boolean") throw new Error();
 * ```
 */
export interface ProgressContext {
  /** Where text goes, e.g. `runtime.writeStderr`. */
  sink: TextSink;
  /** Is the sink a terminal? (`runtime.stderrIsTerminal()`) */
  isTerminal: boolean;
  /** Reads an environment variable (`runtime.env`); `CI` and `TERM` are consulted. */
  env: (name: string) => string | undefined;
  /** Milliseconds between two `progress` events for a callback. @default 100 */
  callbackIntervalMs?: number;
  /** Milliseconds between two plain log lines. @default 5000 */
  plainIntervalMs?: number;
  /** Terminal width for the tty display, or a function asked at each redraw. @default 100 */
  columns?: number | (() => number | undefined);
}

/**
 * Pick the renderer for a `progress` option, or `undefined` for `"none"`. `"auto"` (also the
 * default) means the live tty display when the sink is a terminal, `TERM` is not `dumb` and `CI`
 * is not set; plain log lines otherwise. A callback gets `progress` events at most every
 * `callbackIntervalMs` and every other event as it happens.
 *
 * @example Plain lines when running under CI
 * ```ts
 * import { resolveProgress } from "./resolve_progress.ts";
 * import { PlainRenderer } from "./plain_renderer.ts";
 * const renderer = resolveProgress("auto", {
 *   sink: () => {},
 *   isTerminal: true,
 *   env: (name) => (name === "CI" ? "true" : undefined),
 * });
 * if (!(renderer instanceof PlainRenderer)) throw new Error();
 * ```
 */
export function resolveProgress(
  option: ProgressOption | undefined,
  context: ProgressContext,
): ProgressRenderer | undefined {
  const choice = option ?? "auto";
  if (typeof choice === "function") {
    return { intervalMs: context.callbackIntervalMs ?? 100, render: choice };
  }
  switch (choice) {
    case "none":
      return undefined;
    case "plain":
      return new PlainRenderer(context.sink, { intervalMs: context.plainIntervalMs });
    case "tty":
      return new TtyRenderer(context.sink, { columns: context.columns });
    case "auto":
      return isLiveTerminal(context)
        ? new TtyRenderer(context.sink, { columns: context.columns })
        : new PlainRenderer(context.sink, { intervalMs: context.plainIntervalMs });
    default:
      throw new InvalidArgumentError(
        `Cannot use progress option '${
          String(choice)
        }': expected "auto", "tty", "plain", "none" or a function`,
      );
  }
}

function isLiveTerminal(context: ProgressContext): boolean {
  if (!context.isTerminal) return false;
  if (context.env("TERM") === "dumb") return false;
  const ci = context.env("CI");
  return ci === undefined || ci === "" || ci === "0" || ci.toLowerCase() === "false";
}
