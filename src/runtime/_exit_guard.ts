/**
 * What a process-capable runtime adapter owes the machine when this process ends: connector
 * process groups it started must not outlive it (re-parented to PID 1, they keep running), and
 * the private temp directories holding configs must not stay on disk (they hold secrets).
 *
 * Shared by the Deno and Node adapters, which hand in the few host calls it needs. It
 * - ends every live group and removes every temp dir at exit (`Deno.exit`, `process.exit`, the
 *   natural end), synchronously;
 * - while anything is live, listens for SIGINT, SIGTERM and SIGHUP. Handlers registered with
 *   `Runtime.onSignal` (a CLI that aborts cleanly) get the signal. With none, and no other
 *   listener the host can see, the signal's own effect is reproduced with cleanup first: every
 *   group gets SIGTERM, a grace period, then SIGKILL, temp dirs go, and the process exits with
 *   128 + the signal's number (130, 143, 129), as the default action would have.
 *
 * @module
 */

/**
 * The signals that end a program: Ctrl-C, `kill`/`timeout`/`docker stop`, a closed terminal.
 *
 * @example Stop on any of them
 * ```ts ignore
 * const stop = rt.onSignal((signal: TerminationSignal) => console.error(`got ${signal}`));
 * stop();
 * ```
 */
export type TerminationSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** The exit code a program killed by each signal reports (128 + the signal's number). */
export const SIGNAL_EXIT_CODES: Record<TerminationSignal, number> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
};

const SIGNALS: TerminationSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** How long groups get between SIGTERM and SIGKILL when a signal ends the process. */
const GRACE_MS = 2000;

/** The host calls the guard needs. */
export interface ExitGuardHost {
  addSignalListener(signal: TerminationSignal, listener: () => void): void;
  removeSignalListener(signal: TerminationSignal, listener: () => void): void;
  /** Does something besides the guard listen for `signal` (then the program handles it)? */
  othersListen(signal: TerminationSignal): boolean;
  /** Run `fn` when the process exits (synchronously, before it is gone). */
  onExit(fn: () => void): void;
  killGroup(pid: number, signal: "SIGTERM" | "SIGKILL"): void;
  removeSync(path: string): void;
  exit(code: number): void;
}

/** A process-wide guard, one per adapter. */
export class ExitGuard {
  readonly #host: ExitGuardHost;
  readonly #groups = new Map<number, Promise<unknown>>();
  readonly #tempDirs = new Set<string>();
  /** Handlers, each with the signals it takes. */
  readonly #handlers = new Map<(signal: TerminationSignal) => void, readonly TerminationSignal[]>();
  readonly #listeners = new Map<TerminationSignal, () => void>();
  #exitHooked = false;
  #ending = false;

  constructor(host: ExitGuardHost) {
    this.#host = host;
  }

  /** A process group (led by `pid`) to end if this process ends first; forgotten when `status` settles. */
  trackGroup(pid: number, status: Promise<unknown>): void {
    this.#groups.set(pid, status);
    this.#update();
    status.finally(() => {
      this.#groups.delete(pid);
      this.#update();
    });
  }

  /** A temp dir to remove if this process ends before it is removed. */
  trackTempDir(path: string): void {
    this.#tempDirs.add(path);
    this.#update();
  }

  /** `path` was removed: forget it and any tracked dir inside it. */
  removed(path: string): void {
    const prefix = path.endsWith("/") ? path : `${path}/`;
    for (const dir of this.#tempDirs) if (dir === path || dir.startsWith(prefix)) this.#tempDirs.delete(dir);
    this.#update();
  }

  /** See `Runtime.onSignal`; `signals` narrows what the handler takes over (`onInterrupt`: SIGINT). */
  onSignal(
    handler: (signal: TerminationSignal) => void,
    signals: readonly TerminationSignal[] = SIGNALS,
  ): () => void {
    // A wrapper per registration: the same function may be registered twice, and removed once.
    const registration = (signal: TerminationSignal) => handler(signal);
    this.#handlers.set(registration, signals);
    this.#update();
    return () => {
      this.#handlers.delete(registration);
      this.#update();
    };
  }

  /** Listen for signals while there is something to guard or someone to tell; else leave them be. */
  #update(): void {
    const active = this.#handlers.size > 0 || this.#groups.size > 0 || this.#tempDirs.size > 0;
    if (active && !this.#exitHooked) {
      this.#exitHooked = true;
      this.#host.onExit(() => this.#cleanUpNow());
    }
    if (active && this.#listeners.size === 0) {
      for (const signal of SIGNALS) {
        const listener = () => this.#received(signal);
        this.#listeners.set(signal, listener);
        this.#host.addSignalListener(signal, listener);
      }
    } else if (!active && this.#listeners.size > 0 && !this.#ending) {
      for (const [signal, listener] of this.#listeners) this.#host.removeSignalListener(signal, listener);
      this.#listeners.clear();
    }
  }

  #received(signal: TerminationSignal): void {
    const takers = [...this.#handlers].filter(([, signals]) => signals.includes(signal));
    if (takers.length > 0) {
      for (const [handler] of takers) {
        try {
          handler(signal);
        } catch {
          // One faulty handler must not keep the others from hearing the signal.
        }
      }
      return;
    }
    if (this.#host.othersListen(signal)) return; // the program handles it; exit hooks still clean up
    if (this.#ending) {
      // A second signal while the groups get their grace period: end now.
      this.#host.exit(SIGNAL_EXIT_CODES[signal]);
      return;
    }
    this.#ending = true;
    void this.#endProcess(signal);
  }

  /** The signal's default action, with the cleanup it would skip done first. */
  async #endProcess(signal: TerminationSignal): Promise<void> {
    const groups = [...this.#groups];
    for (const [pid] of groups) this.#host.killGroup(pid, "SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled(groups.map(([, status]) => status)),
      new Promise((resolve) => timer = setTimeout(resolve, GRACE_MS)),
    ]);
    clearTimeout(timer);
    this.#cleanUpNow(groups.map(([pid]) => pid));
    this.#host.exit(SIGNAL_EXIT_CODES[signal]);
  }

  /** SIGKILL every group (and the given ones: their leaders may be gone, descendants not), remove temp dirs. */
  #cleanUpNow(extraGroups: number[] = []): void {
    for (const pid of new Set([...this.#groups.keys(), ...extraGroups])) this.#host.killGroup(pid, "SIGKILL");
    for (const dir of this.#tempDirs) {
      try {
        this.#host.removeSync(dir);
      } catch {
        // Best effort: the process is ending.
      }
    }
    this.#tempDirs.clear();
  }
}
