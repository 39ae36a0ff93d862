/**
 * The {@linkcode Runtime} for browsers (and other hosts without processes or a file system).
 * Anything that needs a process or a file fails with a `RuntimeCapabilityError` that names what
 * works instead; logging goes to the console.
 *
 * @module
 */
import { RuntimeCapabilityError } from "../errors.ts";
import type { Runtime, SocketAddress } from "./runtime.ts";

const ALTERNATIVES = "In a browser, run connectors with a 'RemoteExecutor' (an airbyte-ts executor server) " +
  "or an 'InProcessExecutor' (a JavaScript connector object).";

function unsupportedError(action: string): RuntimeCapabilityError {
  return new RuntimeCapabilityError("RUNTIME_UNSUPPORTED", `Cannot ${action} in a browser.`, {
    guidance: ALTERNATIVES,
  });
}

function unsupported(action: string): never {
  throw unsupportedError(action);
}

/**
 * The browser adapter: no processes, no files, no environment.
 *
 * @example Spawning explains what to use instead
 * ```ts
 * import { browserRuntime } from "./browser.ts";
 * try {
 *   browserRuntime.spawn("source-faker", ["spec"]);
 *   throw new Error("should have thrown");
 * } catch (e) {
 *   if (!(e as Error).message.includes("start a process")) throw e;
 * }
 * ```
 */
export const browserRuntime: Runtime = {
  name: "browser",
  spawn: (command) => unsupported(`start a process ('${command}')`),
  run: (command) => Promise.reject(unsupportedError(`start a process ('${command}')`)),
  readTextFile: (path) => Promise.reject(unsupportedError(`read file '${path}'`)),
  writeTextFile: (path) => Promise.reject(unsupportedError(`write file '${path}'`)),
  openAppendFile: (path) => Promise.reject(unsupportedError(`open file '${path}'`)),
  openReadStream: (path) => Promise.reject(unsupportedError(`read file '${path}'`)),
  stat: (path) => Promise.reject(unsupportedError(`look up file '${path}'`)),
  exists: (path) => Promise.reject(unsupportedError(`look up file '${path}'`)),
  createFileExclusive: (path) => Promise.reject(unsupportedError(`create file '${path}'`)),
  mkdir: (path) => Promise.reject(unsupportedError(`create directory '${path}'`)),
  remove: (path) => Promise.reject(unsupportedError(`remove '${path}'`)),
  makeTempDir: () => Promise.reject(unsupportedError("create a temporary directory")),
  env: () => undefined,
  homeDir: () => unsupported("find a home directory"),
  cwd: () => unsupported("find a working directory"),
  stderrIsTerminal: () => false,
  writeStderr: (text) => console.error(text.endsWith("\n") ? text.slice(0, -1) : text),
  writeStdout: (text) => console.log(text.endsWith("\n") ? text.slice(0, -1) : text),
  joinPath: (...parts) => parts.filter((p) => p !== "").join("/").replace(/\/{2,}/g, "/"),
  memoryRss: () => undefined,
  processIdentity: () => undefined,
  processAlive: () => true,
  args: () => [],
  exit: () => unsupported("exit the program"),
  onSignal: () => () => {},
  onInterrupt: () => () => {},
  httpRequest: (address) => Promise.reject(unsupportedError(`open a socket (${describe(address)})`)),
  connect: (address) => Promise.reject(unsupportedError(`open a socket (${describe(address)})`)),
  onTerminate: () => () => {},
  serveHttp: () => Promise.reject(unsupportedError("serve HTTP")),
};

function describe(address: SocketAddress): string {
  return address.transport === "unix"
    ? `unix://${address.path}`
    : `tcp://${address.hostname}:${address.port}`;
}
