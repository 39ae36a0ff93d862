// Masking a client's config secrets in what the server keeps and sends back (the connector's
// stderr tail, its per-run log file, error contexts). The connector's own spec says which fields
// are secret (`airbyte_secret`), so each connector's spec is fetched once per server; fields named
// like secrets are masked as well, as the client does.
import type { Executor } from "../executors/executor.ts";
import { LineSplitter } from "../protocol/line_splitter.ts";
import { parseMessageLine } from "../protocol/message_parser.ts";
import { registerSecret, registerSecretsFromConfig } from "../secrets.ts";

const SECRET_NAME = /(^|_)(password|secret|token|api_?key|private_key|credentials?)($|_)/i;

/** The spec (config JSON Schema) of each connector, fetched once. */
export class ConfigSecrets {
  readonly #schemas = new Map<string, Promise<Record<string, unknown> | undefined>>();

  /** Register the secrets in `configText` (the `--config` file) before the connector sees it. */
  async register(
    connector: string,
    executor: Executor,
    configText: string,
    signal: AbortSignal,
  ): Promise<void> {
    let config: unknown;
    try {
      config = JSON.parse(configText);
    } catch {
      return;
    }
    if (!config || typeof config !== "object") return;
    registerByName(config);
    const schema = await this.#schema(connector, executor, signal);
    registerSecretsFromConfig(config as Record<string, unknown>, schema);
  }

  #schema(
    connector: string,
    executor: Executor,
    signal: AbortSignal,
  ): Promise<Record<string, unknown> | undefined> {
    let schema = this.#schemas.get(connector);
    if (!schema) {
      schema = fetchSchema(executor, signal).catch(() => undefined);
      this.#schemas.set(connector, schema);
      // A failed spec run (aborted, broken install) is tried again by the next run.
      schema.then((s) => s === undefined && this.#schemas.delete(connector));
    }
    return schema;
  }
}

async function fetchSchema(
  executor: Executor,
  signal: AbortSignal,
): Promise<Record<string, unknown> | undefined> {
  const splitter = new LineSplitter();
  const find = (lines: string[]) => {
    for (const line of lines) {
      const outcome = parseMessageLine(line);
      if (outcome.ok && outcome.message.type === "SPEC") {
        const spec = outcome.message.spec as { connectionSpecification?: Record<string, unknown> };
        return spec.connectionSpecification ?? {};
      }
    }
    return undefined;
  };
  for await (const chunk of executor.execute(["spec"], { signal })) {
    const found = find(splitter.push(chunk));
    if (found) return found;
  }
  return find(splitter.flush());
}

function registerByName(value: unknown): void {
  if (!value || typeof value !== "object") return;
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_NAME.test(key) && (typeof v === "string" || typeof v === "number")) registerSecret(v);
    else if (v && typeof v === "object") registerByName(v);
  }
}
