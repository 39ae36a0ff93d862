/**
 * The name commander stores a flag's value under.
 *
 * @module
 */

/**
 * `source-pip-url` → `sourcePipUrl`: the key of a flag's value in commander's `opts()`.
 *
 * @example
 * ```ts
 * import { flagAttribute } from "./flag_attribute.ts";
 * if (flagAttribute("destination-config") !== "destinationConfig") throw new Error();
 * ```
 */
export function flagAttribute(flag: string): string {
  return flag.replace(/^-+/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
