/**
 * Where the Docker engine listens: `DOCKER_HOST` syntax (`unix:///path`, `tcp://host:port`, or a
 * bare socket path) turned into a {@linkcode SocketAddress}, with the default socket when nothing
 * is set.
 *
 * @module
 */
import { ExecutorUnavailableError } from "../../errors.ts";
import type { SocketAddress } from "../../runtime/runtime.ts";

/** The engine address used when neither an option nor `DOCKER_HOST` names one. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/** An engine address as parsed, with the text to show in messages. */
export interface EngineAddress {
  /** What to connect to. */
  socket: SocketAddress;
  /** The address in `DOCKER_HOST` form, e.g. `unix:///var/run/docker.sock`. */
  display: string;
}

/** How to point the library at an engine; part of every "cannot reach" message. */
export const DOCKER_HOST_GUIDANCE =
  "Start the Docker engine (or `podman system service`), or point DOCKER_HOST at " +
  "it, e.g. DOCKER_HOST=unix:///run/podman/podman.sock or DOCKER_HOST=tcp://127.0.0.1:2375 " +
  "(or pass `docker: { host }`).";

/**
 * Parse an engine address in `DOCKER_HOST` syntax.
 *
 * @param host `unix:///path`, `tcp://host:port` (or `http://`), or an absolute socket path;
 *   empty or undefined means {@linkcode DEFAULT_DOCKER_HOST}.
 * @returns The socket to connect to and its display form.
 * @throws {ExecutorUnavailableError} for schemes this client cannot speak (TLS, ssh, npipe).
 *
 * @example Both forms of a unix socket
 * ```ts
 * import { parseDockerHost } from "./engine_address.ts";
 * const a = parseDockerHost("unix:///run/podman/podman.sock");
 * const b = parseDockerHost("/run/podman/podman.sock");
 * if (a.display !== b.display || a.socket.transport !== "unix") throw new Error(a.display);
 * if (parseDockerHost("tcp://10.0.0.5:2375").display !== "tcp://10.0.0.5:2375") throw new Error();
 * ```
 */
export function parseDockerHost(host: string | undefined): EngineAddress {
  const text = (host ?? "").trim() || DEFAULT_DOCKER_HOST;
  if (text.startsWith("/")) return unix(text);
  const match = /^([a-z0-9+]+):\/\/(.*)$/i.exec(text);
  if (!match) throw badHost(text, "it is neither a URL (unix://, tcp://) nor an absolute socket path");
  const scheme = match[1].toLowerCase();
  const rest = match[2];
  if (scheme === "unix") {
    if (!rest.startsWith("/")) throw badHost(text, "a unix socket needs an absolute path (unix:///path)");
    return unix(rest);
  }
  if (scheme === "tcp" || scheme === "http") {
    const hostPort = /^(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(rest);
    if (!hostPort) throw badHost(text, "expected tcp://host:port");
    const hostname = hostPort[1].replace(/^\[|\]$/g, "");
    const port = hostPort[2] ? Number(hostPort[2]) : 2375;
    if (!(port > 0 && port < 65536)) throw badHost(text, `port ${hostPort[2]} is out of range`);
    return {
      socket: { transport: "tcp", hostname, port },
      display: `tcp://${hostPort[1]}:${port}`,
    };
  }
  const why = scheme === "https" || scheme === "ssh" || scheme === "npipe"
    ? `'${scheme}://' engines are not supported yet (no TLS, SSH or named pipes)`
    : `unknown scheme '${scheme}://'`;
  throw badHost(text, why);
}

function unix(path: string): EngineAddress {
  return { socket: { transport: "unix", path }, display: `unix://${path}` };
}

function badHost(host: string, why: string): ExecutorUnavailableError {
  return new ExecutorUnavailableError(`Cannot use Docker engine address '${host}': ${why}.`, {
    guidance: "Use unix:///path/to/docker.sock or tcp://host:port; for a remote engine over TLS or SSH, " +
      "forward its socket to a local one (e.g. `ssh -L /tmp/docker.sock:/var/run/docker.sock host`).",
    context: { dockerHost: host },
  });
}
