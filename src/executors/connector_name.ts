/**
 * Connector names become directory and file names (`<home>/venvs/<name>`, `<home>/logs/<name>-…`),
 * so a name must be one plain path segment: `getSource("../../x", { pipUrl })` would otherwise put
 * a venv, and pip's log, outside the airbyte-ts home.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

/** Letters, digits, `.`, `_` and `-`, starting with a letter or digit (PyPI names fit). */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_LENGTH = 200;

/**
 * Throws {@linkcode InvalidArgumentError} unless `name` is a plain connector name: letters,
 * digits, `.`, `_` and `-`, no path separator, no `..`, at most 200 characters.
 *
 * @param name The connector name, e.g. `source-faker`.
 * @param what What the name names, for the message. @default "connector name"
 *
 * @example
 * ```ts
 * import { assertConnectorName } from "./connector_name.ts";
 * assertConnectorName("source-faker");
 * let failed = false;
 * try {
 *   assertConnectorName("../../escaped-venv");
 * } catch {
 *   failed = true;
 * }
 * if (!failed) throw new Error();
 * ```
 */
export function assertConnectorName(name: unknown, what = "connector name"): asserts name is string {
  if (
    typeof name === "string" && PLAIN_NAME.test(name) && !name.includes("..") && name.length <= MAX_LENGTH
  ) {
    return;
  }
  const shown = typeof name === "string" ? `'${name.slice(0, MAX_LENGTH)}'` : String(name);
  throw new InvalidArgumentError(
    `Invalid ${what} ${shown}: it names a directory and files under the airbyte-ts home, so it may hold ` +
      "only letters, digits, '.', '_' and '-' (no path separators, no '..').",
    {
      guidance: "Use the connector's name as on PyPI without 'airbyte-', e.g. 'source-faker'. " +
        "To run a program at a path, pass 'localExecutable' with that path instead.",
    },
  );
}
