/**
 * A minimal logger seam. Connector LOG messages, skipped malformed lines and warnings go through
 * one of these; the default writes masked lines to `console.warn`, and tests or UIs hand in
 * their own.
 *
 * @module
 */
import { maskSecrets } from "./secrets.ts";

/**
 * Where library log lines go. Messages arrive already secret-masked.
 *
 * @example A logger that keeps warnings
 * ```ts
 * import type { Logger } from "./logger.ts";
 * const lines: string[] = [];
 * const logger: Logger = { debug: () => {}, info: () => {}, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
 * logger.warn("skipped a line");
 * if (lines.length !== 1) throw new Error();
 * ```
 */
export interface Logger {
  /** Detail for debugging, such as a connector's LOG lines below ERROR. */
  debug(message: string): void;
  /** Progress worth knowing. */
  info(message: string): void;
  /**
   * Something skipped or suspicious that did not stop the job, such as a malformed line or a
   * connector's ERROR log line.
   */
  warn(message: string): void;
  /** A failure. */
  error(message: string): void;
}

/**
 * A logger that masks secrets and prints warnings and errors to the console; info and debug are
 * dropped unless `AIRBYTE_TS_LOG_LEVEL` style verbosity is asked for with `verbose: true`.
 *
 * @example Warnings and errors only
 * ```ts
 * import { consoleLogger } from "./logger.ts";
 * const log = consoleLogger({ verbose: false });
 * log.debug("not shown");
 * ```
 */
export function consoleLogger(options: { verbose?: boolean } = {}): Logger {
  const verbose = options.verbose ?? false;
  return {
    debug: (m) => verbose && console.debug(maskSecrets(m)),
    info: (m) => verbose && console.info(maskSecrets(m)),
    warn: (m) => console.warn(maskSecrets(m)),
    error: (m) => console.error(maskSecrets(m)),
  };
}

/**
 * A logger that keeps every (masked) line in memory: for tests and for UIs that show a log pane.
 *
 * @example Keep lines for a log pane
 * ```ts
 * import { memoryLogger } from "./logger.ts";
 * const log = memoryLogger();
 * log.warn("careful");
 * if (log.lines[0] !== "WARN careful") throw new Error();
 * ```
 */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => void lines.push(`${level} ${maskSecrets(m)}`);
  return { lines, debug: push("DEBUG"), info: push("INFO"), warn: push("WARN"), error: push("ERROR") };
}
