// Builds the progress tracker for one read or write job from the user's `progress` option and
// the host runtime's stderr.
import { ProgressTracker } from "./progress_tracker.ts";
import type { ProgressOption } from "./progress_event.ts";
import { resolveProgress } from "./resolve_progress.ts";
import { getRuntime } from "../runtime/detect.ts";

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
  });
  return new ProgressTracker({ job, connector, renderer });
}
