/**
 * The version `airbyte-ts --version` prints: the npm package's, read from package.json at build
 * time (tsup inlines it into dist/cli.js; Deno imports the JSON module).
 *
 * @module
 */
import packageJson from "../../package.json" with { type: "json" };

/**
 * The package version, e.g. `"0.1.0"`.
 *
 * @example Print it
 * ```ts
 * import { VERSION } from "./version.ts";
 * if (!/^\d+\.\d+\.\d+/.test(VERSION)) throw new Error(VERSION);
 * ```
 */
export const VERSION: string = packageJson.version;
