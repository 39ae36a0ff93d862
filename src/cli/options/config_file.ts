/**
 * Reading the JSON files that `--config`, `--source-config` and `--destination-config` name. Every
 * problem is a {@linkcode CliInputError} that names the flag and the path.
 *
 * @module
 */
import { CliInputError } from "../cli_input_error.ts";
import type { CliContext } from "../context.ts";
import { jsonSyntaxErrorPlace } from "./json_syntax.ts";

/**
 * Read the JSON object in the file `path` that `flag` named, and remember that it is
 * `connector`'s config so that a later validation error can point at the flag.
 *
 * @example Read a source's config
 * ```ts ignore
 * const config = await readConfigFile(context, { flag: "--config", path: "faker.json", connector: "source-faker" });
 * ```
 */
export async function readConfigFile(
  context: CliContext,
  options: { flag: string; path: string; connector: string },
): Promise<Record<string, unknown>> {
  const { flag, path, connector } = options;
  let text: string;
  try {
    text = await context.runtime.readTextFile(path);
  } catch (error) {
    throw new CliInputError(`Cannot read the ${flag} file '${path}': ${describeFileError(error)}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Never JSON.parse's message: it quotes the text at the error, often the secret itself.
    throw new CliInputError(
      `Cannot parse the ${flag} file '${path}' as JSON: ${
        jsonSyntaxErrorPlace(text)
      } (the text there is not shown: it may hold a secret).`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new CliInputError(
      `Cannot use the ${flag} file '${path}': it must hold a JSON object, not ${
        Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`
      }.`,
    );
  }
  context.noteConfigSource(connector, { flag, path });
  return value as Record<string, unknown>;
}

// Deno throws `NotFound`/`PermissionDenied` errors, Node sets `code`; say it the same way for both.
function describeFileError(error: unknown): string {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  if (name === "NotFound" || code === "ENOENT") return "no such file";
  if (name === "PermissionDenied" || code === "EACCES") return "permission denied";
  if (name === "IsADirectory" || code === "EISDIR") return "it is a directory";
  return message ?? String(error);
}
