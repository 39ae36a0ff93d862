/**
 * The CLI's exit codes, and which one an error maps to.
 *
 * @module
 */
import { AirbyteError } from "../../mod.ts";
import { CliInputError } from "./cli_input_error.ts";

/**
 * The documented exit codes: 0 success; 1 the connector said no (a failed check, a failed
 * connector); 2 bad usage or bad input (flags, config files, streams); 3 installing the connector
 * failed; 4 anything else.
 *
 * @example Exit 1 for a failed check
 * ```ts
 * import { EXIT } from "./exit_codes.ts";
 * const passed = false;
 * if ((passed ? EXIT.ok : EXIT.refused) !== 1) throw new Error();
 * ```
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, install: 3, other: 4 } as const;

/** One of the {@linkcode EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The exit code for an error that ended a command.
 *
 * @example A bad flag value is a usage error
 * ```ts
 * import { exitCodeOf, EXIT } from "./exit_codes.ts";
 * import { CliInputError } from "./cli_input_error.ts";
 * if (exitCodeOf(new CliInputError("Cannot read the --config file 'x'")) !== EXIT.usage) throw new Error();
 * ```
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliInputError) return EXIT.usage;
  if (error instanceof AirbyteError) {
    switch (error.code) {
      case "CONNECTOR_CHECK_FAILED":
      case "CONNECTOR_FAILED":
      case "SUBPROCESS_FAILED":
      case "DESTINATION_FAILED":
        return EXIT.refused;
      case "CONFIG_INVALID":
      case "STREAM_NOT_FOUND":
      case "NO_STREAMS_SELECTED":
      case "INVALID_ARGUMENT":
        return EXIT.usage;
      case "CONNECTOR_INSTALL_FAILED":
        return EXIT.install;
      case "REMOTE_REFUSED": {
        // Refused for what was asked (token, connector, request): bad input. Busy, draining,
        // timed out, failed: anything else.
        const status = (error as { status?: number }).status ?? 500;
        return status >= 400 && status < 500 && status !== 429 ? EXIT.usage : EXIT.other;
      }
    }
  }
  return EXIT.other;
}
