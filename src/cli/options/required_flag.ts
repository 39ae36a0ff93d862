/**
 * Flags a command cannot run without, checked after commander has rejected unknown flags (its own
 * `requiredOption` is checked first, so `--confg f.json` would be reported as a missing
 * `--config` instead of a typo with a suggestion).
 *
 * @module
 */
import { type Command, Option } from "npm:commander@14.0.3";
import { flagAttribute } from "./flag_attribute.ts";

const required = new WeakMap<Command, Option[]>();

/**
 * Add the flag `--name <value>` to `command` and refuse to run the command without it.
 *
 * @example `check` needs `--config`
 * ```ts
 * import { Command } from "npm:commander@14.0.3";
 * import { addRequiredFlag } from "./required_flag.ts";
 * const check = addRequiredFlag(new Command("check"), "config", "file", "the connector's config (a JSON file)");
 * if (!check.options.some((o) => o.long === "--config")) throw new Error();
 * ```
 */
export function addRequiredFlag(command: Command, name: string, value: string, description: string): Command {
  const option = new Option(`--${name} <${value}>`, `${description} (required)`);
  command.addOption(option);
  let options = required.get(command);
  if (options === undefined) {
    options = [];
    required.set(command, options);
    command.hook("preAction", (self) => {
      const parsed = self.opts();
      const missing = options!.find((o) => parsed[flagAttribute(o.long!)] === undefined);
      if (missing) {
        self.error(`required option '${missing.flags}' not specified`, { code: "airbyte-ts.missingFlag" });
      }
    });
  }
  options.push(option);
  return command;
}
