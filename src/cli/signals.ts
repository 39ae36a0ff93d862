/**
 * How the CLI ends on a signal. The first SIGINT, SIGTERM or SIGHUP aborts the running command:
 * the connector's whole process group is stopped and its temp files removed, then the CLI exits
 * with 130, 143 or 129, as a program killed by that signal reports. A second signal exits at
 * once (the runtime still ends the connectors' groups and removes temp files on the way out).
 *
 * @module
 */
import type { Runtime } from "../../mod.ts";

type TerminationSignal = Parameters<Parameters<Runtime["onSignal"]>[0]>[0];

const EXIT_CODES: Record<TerminationSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

const NOTICES: Record<TerminationSignal, [notice: string, reason: string]> = {
  SIGINT: ["Interrupted: stopping the connector (Ctrl-C again to quit at once)...", "Interrupted by Ctrl-C."],
  SIGTERM: [
    "Terminated: stopping the connector (a second signal quits at once)...",
    "Terminated by SIGTERM.",
  ],
  SIGHUP: ["Hung up: stopping the connector (a second signal quits at once)...", "Hung up (SIGHUP)."],
};

/** The CLI's view of termination signals, while it listens. */
export interface TerminationListener {
  /** The exit code the first signal asks for; undefined while none came. */
  readonly exitCode: number | undefined;
  /** Stop listening. */
  dispose(): void;
}

/**
 * Listen for SIGINT, SIGTERM and SIGHUP: the first aborts `controller` (the reason names the
 * signal) and prints a notice through `notify`, the next exits at once.
 *
 * @param rt The runtime.
 * @param controller Aborted on the first signal.
 * @param notify Shows the notice, e.g. above a live progress display.
 * @returns The exit code to use once the command has stopped, and a way to stop listening.
 *
 * @example
 * ```ts
 * import { getRuntime } from "../../mod.ts";
 * import { listenForTermination } from "./signals.ts";
 * const rt = await getRuntime();
 * const termination = listenForTermination(rt, new AbortController(), (text) => rt.writeStderr(text));
 * if (termination.exitCode !== undefined) throw new Error();
 * termination.dispose();
 * ```
 */
export function listenForTermination(
  rt: Runtime,
  controller: AbortController,
  notify: (text: string) => void,
): TerminationListener {
  let first: TerminationSignal | undefined;
  const stop = rt.onSignal((signal) => {
    if (first !== undefined) rt.exit(EXIT_CODES[first]);
    first = signal;
    const [notice, reason] = NOTICES[signal];
    notify(`\n${notice}\n`);
    controller.abort(new Error(reason));
  });
  return {
    get exitCode() {
      return first === undefined ? undefined : EXIT_CODES[first];
    },
    dispose: stop,
  };
}
