/**
 * A small argument parser: positionals, `--name value`, `--name=value` and boolean `--flag`s.
 *
 * @module
 */

/** Parsed command-line arguments. */
export interface ParsedArgs {
  positional: string[];
  string(name: string): string | undefined;
  flag(name: string): boolean;
}

// Options that never take a value.
const BOOLEAN = new Set(["help", "full-refresh", "no-cache"]);

/**
 * Parse `argv`.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const a = parseArgs(["read", "source-faker", "--config", "c.json", "--full-refresh"]);
 * if (a.positional[1] !== "source-faker" || a.string("config") !== "c.json" || !a.flag("full-refresh")) throw new Error();
 * ```
 */
export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (eq > 0) values.set(name, a.slice(eq + 1));
    else if (BOOLEAN.has(name) || i + 1 >= argv.length || argv[i + 1].startsWith("--")) flags.add(name);
    else values.set(name, argv[++i]);
  }
  return {
    positional,
    string: (name) => values.get(name),
    flag: (name) => flags.has(name) || values.get(name) === "true",
  };
}
