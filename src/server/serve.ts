/**
 * `serve()`: run the remote executor server on a port, in Deno or Node, until SIGTERM/SIGINT (or
 * `close()`), draining running connectors on the way out.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { getRuntime } from "../runtime/detect.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { createServerApp, type ServerApp } from "./create_server_app.ts";
import type { ExecutorFactory } from "./executor_factory.ts";
import type { ServerConfig } from "./server_config.ts";
import { deferred } from "./_deferred.ts";

/**
 * Options for {@linkcode serve}.
 *
 * @example Any free port, no signal handlers (an embedding program has its own)
 * ```ts
 * import type { ServeOptions } from "./serve.ts";
 * const options: ServeOptions = { port: 0, handleSignals: false };
 * if (options.port !== 0) throw new Error();
 * ```
 */
export interface ServeOptions {
  /** The bearer token. @default the value of the config's `tokenEnv` environment variable */
  token?: string;
  /** Override the config's hostname. */
  hostname?: string;
  /** Override the config's port (`0` picks a free one). */
  port?: number;
  /** Drain and stop on SIGTERM and SIGINT. @default true */
  handleSignals?: boolean;
  /** Where log lines go. @default stderr, with a timestamp */
  log?: (line: string) => void;
  /** Builds executors from allowlist entries (e.g. one that runs `image` entries). */
  executorFactory?: ExecutorFactory;
  /** The runtime to listen with. @default the detected runtime */
  runtime?: Runtime;
}

/**
 * A running server.
 *
 * @example Stop a server
 * ```ts ignore
 * const server = await serve(config, { port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export interface RunningServer {
  /** The base URL clients use, e.g. `http://127.0.0.1:8787`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The handler, with its counters and drain controls. */
  readonly app: ServerApp;
  /** Resolves once the server has stopped (after a signal or `close()`). */
  readonly finished: Promise<void>;
  /**
   * Drain (new runs get 503; running ones get `graceMs`, default the config's `drainSeconds`) and
   * stop listening.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Start the remote executor server: the allowlisted connectors of `config`, behind a bearer
 * token, on `config.hostname:config.port`. On SIGTERM or SIGINT it stops taking runs, gives the
 * running ones `limits.drainSeconds` to finish, ends the rest and stops.
 *
 * @param config A validated configuration ({@linkcode loadServerConfig}, {@linkcode parseServerConfig}).
 * @param options Token, address overrides, signal handling, log sink.
 * @returns The running server.
 * @throws {InvalidArgumentError} when no token is set.
 *
 * @example Serve faker on a free port and stop again
 * ```ts
 * import { parseServerConfig, serve } from "../../mod.ts";
 * const config = parseServerConfig({ connectors: { "source-faker": { pipUrl: "airbyte-source-faker==7.2.1" } } });
 * const server = await serve(config, { token: "a-long-enough-test-token", port: 0, handleSignals: false, log: () => {} });
 * const health = await fetch(`${server.url}/health`);
 * if ((await health.json()).status !== "ok") throw new Error();
 * await server.close();
 * ```
 */
export async function serve(config: ServerConfig, options: ServeOptions = {}): Promise<RunningServer> {
  const rt = options.runtime ?? await getRuntime();
  const token = options.token ?? rt.env(config.tokenEnv);
  if (!token) {
    throw new InvalidArgumentError(`Cannot serve without a token: '${config.tokenEnv}' is not set.`, {
      guidance: `Set it to a long random value, e.g. 'export ${config.tokenEnv}=$(openssl rand -hex 32)', ` +
        "and give clients the same value.",
    });
  }
  const log = options.log ?? ((line: string) => rt.writeStderr(`${new Date().toISOString()} ${line}\n`));
  const app = createServerApp(config, { token, log, executorFactory: options.executorFactory });
  const http = await rt.serveHttp((request) => app.fetch(request), {
    hostname: options.hostname ?? config.hostname,
    port: options.port ?? config.port,
  });
  const host = http.hostname.includes(":") ? `[${http.hostname}]` : http.hostname;
  const url = `http://${host}:${http.port}`;
  log(`serving ${Object.keys(config.connectors).length} connector(s) on ${url}`);

  const finished = deferred<void>();
  let closing: Promise<void> | undefined;
  const unhook: (() => void)[] = [];
  const close = (graceMs = config.limits.drainSeconds * 1000): Promise<void> => {
    closing ??= (async () => {
      for (const remove of unhook) remove();
      await app.drain(graceMs);
      await http.close();
      log("stopped");
      finished.resolve();
    })();
    return closing;
  };
  if (options.handleSignals ?? true) {
    const onSignal = () => void close();
    unhook.push(rt.onTerminate(onSignal), rt.onInterrupt(onSignal));
  }
  return { url, port: http.port, app, finished: finished.promise, close };
}
