// Builds the progress tracker for one read or write job from the user's `progress` option and
// the host runtime's stderr (and its width, for the live display).
import { ProgressTracker } from "./progress_tracker.ts";
import type { ProgressOption } from "./progress_event.ts";
import { resolveProgress } from "./resolve_progress.ts";
import { getRuntime } from "../runtime/detect.ts";
import type { Runtime } from "../runtime/runtime.ts";

export async function jobProgress(
  job: "read" | "write",
  connector: string,
  option: ProgressOption | undefined,
): Promise<ProgressTracker> {
  const rt = await getRuntime();
  const renderer = resolveProgress(option, {
    sink: (text) => rt.writeStderr(text),
    isTerminal: rt.stderrIsTerminal(),
    env: (name) => rt.env(name),
    columns: () => stderrColumns(rt),
  });
  // The job always ends the tracker (finish or fail), which stops the heartbeat.
  return new ProgressTracker({ job, connector, renderer, heartbeatMs: renderer?.intervalMs });
}

// The terminal's width: from the runtime when it can tell (an optional capability, `stderrColumns`),
// else from $COLUMNS; undefined when neither knows (the renderer then assumes 100).
function stderrColumns(rt: Runtime): number | undefined {
  const fromRuntime = (rt as Runtime & { stderrColumns?: () => number | undefined }).stderrColumns?.();
  if (fromRuntime !== undefined && fromRuntime > 0) return fromRuntime;
  const fromEnv = Number(rt.env("COLUMNS"));
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined;
}
