/**
 * `airbyte-ts preview [CACHE_PATH] [--port N] [--open]`: serve the preview page for a cache until
 * Ctrl-C.
 *
 * @module
 */
import { type Runtime, startPreviewServer } from "../../../mod.ts";
import { CliInputError } from "../cli_input_error.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliCommand } from "./cli_command.ts";

const DEFAULT_PORT = "8765";

/** Ask the desktop to open `url`; false when no opener is installed (the URL is printed anyway). */
async function openInBrowser(rt: Runtime, url: string): Promise<boolean> {
  for (const opener of ["xdg-open", "open"]) {
    try {
      const child = rt.spawn(opener, [url]);
      await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
      if ((await child.status).code === 0) return true;
    } catch {
      // not installed: try the next one
    }
  }
  return false;
}

/**
 * `preview`: start the preview server for a cache file (the default cache without one), print its
 * URL, and serve until Ctrl-C. The page reads the cache read-only.
 *
 * @example Registered with the others
 * ```ts
 * import { previewCommand } from "./preview.ts";
 * if (previewCommand.name !== "preview") throw new Error();
 * ```
 */
export const previewCommand: CliCommand = {
  name: "preview",
  register(program, context) {
    return program.command("preview")
      .description(
        "show a cache in the browser: streams, records, column summaries, misfit values, state, SQL",
      )
      .argument("[cache_path]", "a DuckDB cache file (default: the default cache file)")
      .option("--port <n>", "the port to serve on; 0 picks a free one", DEFAULT_PORT)
      .option("--open", "open the page in the default browser")
      .action(context.action(async (cachePath: string | undefined, parsed: Record<string, unknown>) => {
        const port = Number(parsed.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new CliInputError(
            `Cannot use --port '${parsed.port}': expected a port number from 0 to 65535.`,
          );
        }
        const server = await startPreviewServer({ cachePath, port });
        try {
          context.writeStdout(`Preview of ${server.cachePath}: ${server.url}\n`);
          context.writeStderr("Serving until Ctrl-C. The page reads the cache; it never writes it.\n");
          if (parsed.open && !await openInBrowser(context.runtime, server.url)) {
            context.writeStderr(`Could not open a browser here: open ${server.url} yourself.\n`);
          }
          await new Promise<void>((resolve) => {
            if (context.signal.aborted) resolve();
            context.signal.addEventListener("abort", () => resolve(), { once: true });
          });
        } finally {
          await server.close();
        }
        return EXIT.ok;
      }));
  },
};
