/**
 * The `airbyte-ts` command line. It parses arguments and calls the public API (`mod.ts`) only.
 *
 * Exit codes: 0 success; 1 the connector said no (check failed, connector failed); 2 bad usage or
 * bad input (config, streams); 3 install failed; 4 anything else.
 *
 * @module
 */
import {
  AirbyteError,
  DuckDBCache,
  getDefaultCache,
  getDestination,
  getRuntime,
  getSource,
  type ReadResult,
  type Source,
  type WriteStrategy,
} from "../../mod.ts";
import { parseArgs, type ParsedArgs } from "./args.ts";
import { summaryTable } from "./summary_table.ts";

const USAGE = `airbyte-ts <command> [options]

Commands:
  spec <connector>                       print the connector's spec (JSON)
  check <connector> --config FILE        check a config (exit 1 when it fails)
  discover <connector> --config FILE     print the catalog (JSON)
  read <connector> --config FILE [--streams a,b] [--cache PATH] [--strategy auto|append|merge|replace]
                                         read into a DuckDB cache and print a summary per stream
  sync <source> <destination> --source-config FILE --destination-config FILE [--streams a,b]
       [--strategy S] [--cache PATH|--no-cache]
  demo                                   sync airbyte-source-faker into the default cache

How to run a connector (default: pip-install airbyte-<connector> into a venv):
  --pip-url SPEC | --executable PATH     (sync: --source-pip-url, --source-executable,
                                          --destination-pip-url, --destination-executable)
Other options: --full-refresh, --progress auto|tty|plain|none, --help`;

const EXIT = { ok: 0, refused: 1, usage: 2, install: 3, other: 4 } as const;

async function readJsonFile(
  path: string | undefined,
  what: string,
): Promise<Record<string, unknown> | undefined> {
  if (!path) return undefined;
  const rt = await getRuntime();
  let text: string;
  try {
    text = await rt.readTextFile(path);
  } catch (e) {
    throw new UsageError(`Cannot read ${what} file '${path}': ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`Cannot parse ${what} file '${path}' as JSON: ${(e as Error).message}`);
  }
}

class UsageError extends Error {}

function executorOptions(args: ParsedArgs, prefix = "") {
  const pipUrl = args.string(`${prefix}pip-url`);
  const localExecutable = args.string(`${prefix}executable`);
  return { pipUrl, localExecutable };
}

/** The options `read` and `sync` share: streams, strategy, full refresh, progress, abort. */
function jobOptions(args: ParsedArgs, progress: "auto", signal: AbortSignal) {
  return {
    streams: streamsOf(args),
    writeStrategy: (args.string("strategy") ?? "auto") as WriteStrategy,
    forceFullRefresh: args.flag("full-refresh"),
    progress,
    signal,
  };
}

function streamsOf(args: ParsedArgs): string[] | "*" {
  const s = args.string("streams");
  return s ? s.split(",").map((x) => x.trim()).filter(Boolean) : "*";
}

async function openSource(args: ParsedArgs, name: string, configFlag: string, prefix = ""): Promise<Source> {
  const config = await readJsonFile(args.string(configFlag), "config");
  return getSource(name, { ...executorOptions(args, prefix), config });
}

async function printRead(result: ReadResult, seconds: number): Promise<void> {
  const rt = await getRuntime();
  const rows = [];
  for (const [name, dataset] of result) {
    rows.push({ stream: name, read: result.recordsPerStream.get(name) ?? 0, cached: await dataset.count() });
  }
  rt.writeStdout(summaryTable(rows, { cache: result.cache.location, seconds }) + "\n");
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [command, ...positional] = args.positional;
  const rt = await getRuntime();
  if (!command || args.flag("help")) {
    rt.writeStdout(USAGE + "\n");
    return command || args.flag("help") ? EXIT.ok : EXIT.usage;
  }
  const progress = (args.string("progress") ?? "auto") as "auto";
  // Connectors run in their own process group, so Ctrl-C must be turned into an abort here.
  const interrupt = new AbortController();
  const stopListening = rt.onInterrupt(() => {
    if (interrupt.signal.aborted) rt.exit(130);
    rt.writeStderr("\nInterrupted: stopping the connector (Ctrl-C again to quit at once)...\n");
    interrupt.abort(new Error("Interrupted by Ctrl-C."));
  });
  try {
    return await runCommand(command, positional, args, progress, interrupt.signal);
  } finally {
    stopListening();
  }
}

async function runCommand(
  command: string,
  positional: string[],
  args: ParsedArgs,
  progress: "auto",
  signal: AbortSignal,
): Promise<number> {
  const rt = await getRuntime();
  const out = (value: unknown) => rt.writeStdout(JSON.stringify(value, null, 2) + "\n");
  switch (command) {
    case "spec": {
      const source = await getSource(need(positional[0], "connector"), executorOptions(args));
      out(await source.spec());
      return EXIT.ok;
    }
    case "check": {
      const source = await openSource(args, need(positional[0], "connector"), "config");
      await source.check();
      out({ status: "SUCCEEDED" });
      return EXIT.ok;
    }
    case "discover": {
      const source = await openSource(args, need(positional[0], "connector"), "config");
      out(await source.discover());
      return EXIT.ok;
    }
    case "read": {
      const source = await openSource(args, need(positional[0], "connector"), "config");
      const cachePath = args.string("cache");
      await using cache = cachePath ? new DuckDBCache({ path: cachePath }) : getDefaultCache();
      const started = performance.now();
      const result = await source.read({ cache, ...jobOptions(args, progress, signal) });
      await printRead(result, (performance.now() - started) / 1000);
      return EXIT.ok;
    }
    case "sync": {
      const source = await openSource(args, need(positional[0], "source"), "source-config", "source-");
      const destConfig = await readJsonFile(args.string("destination-config"), "destination config");
      const destination = await getDestination(need(positional[1], "destination"), {
        ...executorOptions(args, "destination-"),
        config: destConfig,
      });
      const cachePath = args.string("cache");
      const cache = args.flag("no-cache")
        ? false
        : cachePath
        ? new DuckDBCache({ path: cachePath })
        : undefined;
      const result = await destination.write(source, { cache, ...jobOptions(args, progress, signal) });
      out({
        destination: result.destination,
        processedRecords: result.processedRecords,
        confirmedRecords: result.confirmedRecords,
        streams: Object.fromEntries(result.recordsPerStream),
      });
      if (cache) await cache.close();
      return EXIT.ok;
    }
    case "demo": {
      const count = Number(args.string("count") ?? 10_000);
      rt.writeStderr(`Installing airbyte-source-faker (first run only) and reading ${count} users...\n`);
      const source = await getSource("source-faker", {
        pipUrl: "airbyte-source-faker==7.2.1",
        config: { count, seed: 1, parallelism: 1 },
        streams: "*",
      });
      const cache = getDefaultCache();
      const started = performance.now();
      const result = await source.read({ cache, progress, signal });
      await printRead(result, (performance.now() - started) / 1000);
      await cache.close();
      return EXIT.ok;
    }
    default:
      throw new UsageError(`Unknown command '${command}'.`);
  }
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`Missing the ${what} name.`);
  return value;
}

function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof AirbyteError) {
    switch (error.code) {
      case "CONNECTOR_CHECK_FAILED":
      case "CONNECTOR_FAILED":
      case "SUBPROCESS_FAILED":
        return EXIT.refused;
      case "CONFIG_INVALID":
      case "STREAM_NOT_FOUND":
      case "NO_STREAMS_SELECTED":
      case "INVALID_ARGUMENT":
        return EXIT.usage;
      case "CONNECTOR_INSTALL_FAILED":
        return EXIT.install;
    }
  }
  return EXIT.other;
}

/** Run the CLI with `argv` (without the program name); resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    const rt = await getRuntime();
    const text = error instanceof UsageError
      ? `${error.message}\n\n${USAGE}`
      : (error as Error)?.message ?? String(error);
    rt.writeStderr(`airbyte-ts: ${text}\n`);
    return exitCodeOf(error);
  }
}

if ((import.meta as { main?: boolean }).main !== false) {
  const rt = await getRuntime();
  rt.exit(await runCli(rt.args()));
}
