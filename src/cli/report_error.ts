/**
 * How the CLI prints an error that ended a command: once, prefixed `airbyte-ts:`, with guidance
 * that names CLI flags where the library's guidance names library options.
 *
 * @module
 */
import { AirbyteError } from "../../mod.ts";
import type { CliContext } from "./context.ts";

/**
 * The text to print on stderr for `error` (ends with a newline).
 *
 * @example A missing stream points at --streams
 * ```ts
 * import { formatCliError } from "./report_error.ts";
 * import { CliContext } from "./context.ts";
 * import { getRuntime, StreamNotFoundError } from "../../mod.ts";
 * const context = new CliContext(await getRuntime(), new AbortController().signal);
 * const text = formatCliError(new StreamNotFoundError("nope", ["users"]), context);
 * if (!text.includes("--streams") || text.includes("getAvailableStreams")) throw new Error(text);
 * ```
 */
export function formatCliError(error: unknown, context: CliContext): string {
  if (!(error instanceof Error)) return `airbyte-ts: ${String(error)}\n`;
  if (!(error instanceof AirbyteError)) return `airbyte-ts: ${error.message}\n`;
  let text = error.message;
  const guidance = cliGuidance(error, context);
  if (guidance !== undefined) {
    text = error.guidance === undefined
      ? appendGuidance(text, guidance)
      : text.replace(`\nGuidance: ${error.guidance}`, `\nGuidance: ${guidance}`);
  }
  const from = error.code === "CONFIG_INVALID" ? context.configSourceOf(error.context.connector) : undefined;
  if (from) text = text.replace(/:\n/, ` (from ${from.flag} '${from.path}'):\n`);
  return `airbyte-ts: ${text}\n`;
}

// Guidance in CLI terms for the errors whose library guidance names API calls or options.
function cliGuidance(error: AirbyteError, context: CliContext): string | undefined {
  switch (error.code) {
    case "STREAM_NOT_FOUND":
    case "NO_STREAMS_SELECTED":
      return "Choose streams with --streams a,b; `airbyte-ts discover <connector> --config FILE` lists them.";
    case "CONFIG_INVALID": {
      const from = context.configSourceOf(error.context.connector);
      const file = from ? `the ${from.flag} file` : "the config file";
      return `Fix the listed fields in ${file}; \`airbyte-ts spec <connector>\` prints the connector's JSON Schema.`;
    }
    default:
      return undefined;
  }
}

// The library puts guidance right after the message, before any log lines.
function appendGuidance(text: string, guidance: string): string {
  const logs = text.indexOf("\nLast log lines:");
  return logs < 0
    ? `${text}\nGuidance: ${guidance}`
    : `${text.slice(0, logs)}\nGuidance: ${guidance}${text.slice(logs)}`;
}
