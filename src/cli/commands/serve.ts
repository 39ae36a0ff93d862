/**
 * `airbyte-ts serve --config FILE`: the remote executor server.
 *
 * @module
 */
import { loadServerConfig, serve } from "../../../mod.ts";
import { CliInputError } from "../cli_input_error.ts";
import { EXIT } from "../exit_codes.ts";
import { addRequiredFlag } from "../options/required_flag.ts";
import type { CliCommand } from "./cli_command.ts";

/**
 * `serve`: run the allowlisted connectors of the config file for remote clients (RemoteExecutor,
 * `--remote URL`), until SIGTERM or Ctrl-C; running connectors get the config's `drainSeconds` to
 * finish. The bearer token comes from the environment variable the config names (default
 * `AIRBYTE_TS_SERVER_TOKEN`), never from a flag.
 *
 * @example Registered with the others
 * ```ts
 * import { serveCommand } from "./serve.ts";
 * if (serveCommand.name !== "serve") throw new Error();
 * ```
 */
export const serveCommand: CliCommand = {
  name: "serve",
  register(program, context) {
    const command = program.command("serve")
      .description("run connectors for remote clients (browsers, edge runtimes) over HTTP")
      .option("--hostname <host>", "listen on this address (default: the config's, else 127.0.0.1)")
      .option("--port <port>", "listen on this port, 0 for any free one (default: the config's, else 8787)")
      .addHelpText(
        "after",
        "\nThe token clients must send is read from the environment variable named by the config's " +
          "'tokenEnv' (default AIRBYTE_TS_SERVER_TOKEN).",
      );
    addRequiredFlag(
      command,
      "config",
      "file",
      "the server configuration: listen address, limits, connector allowlist",
    );
    return command.action(context.action(async (parsed: Record<string, unknown>) => {
      let port: number | undefined;
      if (parsed.port !== undefined) {
        port = Number(parsed.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new CliInputError(
            `Cannot use --port '${parsed.port}': expected a port number from 0 to 65535.`,
          );
        }
      }
      const config = await loadServerConfig(parsed.config as string);
      const server = await serve(config, {
        hostname: parsed.hostname as string | undefined,
        port,
        // The CLI owns the signals: Ctrl-C aborts the context, SIGTERM is hooked here.
        handleSignals: false,
      });
      const stop = () => void server.close();
      context.signal.addEventListener("abort", stop, { once: true });
      const unhook = context.runtime.onTerminate(stop);
      try {
        await server.finished;
      } finally {
        unhook();
        context.signal.removeEventListener("abort", stop);
      }
      return EXIT.ok;
    }));
  },
};
