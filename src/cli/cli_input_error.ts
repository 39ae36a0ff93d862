/**
 * Bad input the CLI itself detects (an unreadable config file, a bad flag value): exit code 2, and
 * the message names the flag.
 *
 * @module
 */

/**
 * An input problem found by the CLI; its message names the flag, e.g.
 * `Cannot read the --config file 'f.json': no such file`.
 *
 * @example Throw one for a bad --count
 * ```ts
 * import { CliInputError } from "./cli_input_error.ts";
 * const error = new CliInputError("Cannot use --count 'many': expected a positive whole number.");
 * if (!error.message.includes("--count")) throw new Error();
 * ```
 */
export class CliInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliInputError";
  }
}
