/**
 * What sources and destinations share: a name, an executor, a spec fetched once, a config
 * validated against that spec (secrets registered for masking), `check`, and CONTROL config
 * updates. Reading a command's messages is the message loop's job (`message_loop.ts`).
 *
 * @module
 */
import { ConnectorCheckFailedError, InvalidArgumentError, ProtocolError } from "../errors.ts";
import type { Executor } from "../executors/executor.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import type { AirbyteMessage, ConnectorSpecification } from "../protocol/messages.ts";
import { registerSecretsByName, registerSecretsFromConfig } from "../secrets.ts";
import { assertJsonConfig, assertValidConfig } from "./config_validation.ts";
import { MessageLoop, type RunOptions } from "./message_loop.ts";

/**
 * A connector config: the JSON object the connector's spec describes.
 *
 * @example A faker config
 * ```ts
 * import type { ConnectorConfig } from "./connector_base.ts";
 * const config: ConnectorConfig = { count: 100, seed: 1 };
 * if (config.count !== 100) throw new Error();
 * ```
 */
export type ConnectorConfig = Record<string, unknown>;

/**
 * Options shared by `Source` and `Destination` constructors (and `getSource`/`getDestination`).
 *
 * @example A config, a migration callback and a quiet logger
 * ```ts
 * import type { ConnectorBaseOptions } from "./connector_base.ts";
 * import { memoryLogger } from "../logger.ts";
 * const options: ConnectorBaseOptions = {
 *   config: { count: 10 },
 *   configChangeCallback: (next) => console.log("migrated", next),
 *   logger: memoryLogger(),
 * };
 * if (options.config?.count !== 10) throw new Error();
 * ```
 */
export interface ConnectorBaseOptions {
  /** The connector's config (checked against its spec when set). */
  config?: ConnectorConfig;
  /** Called when the connector emits a CONTROL message with an updated (migrated) config. */
  configChangeCallback?: (newConfig: ConnectorConfig) => void | Promise<void>;
  /** Where connector LOG lines and skipped malformed lines go. @default consoleLogger() */
  logger?: Logger;
}

/**
 * The shared base of {@linkcode Source} and {@linkcode Destination}.
 *
 * @example Subclasses get spec, config and check
 * ```ts ignore
 * const source = await getSource("source-faker", { config: { count: 10 } });
 * await source.check();
 * ```
 */
export abstract class ConnectorBase {
  /** The connector's name, e.g. `source-faker`. */
  readonly name: string;
  /** How the connector is run. */
  readonly executor: Executor;
  /** Where this connector's log lines and warnings go. */
  readonly logger: Logger;
  #config?: ConnectorConfig;
  #spec?: Promise<ConnectorSpecification>;
  #configChangeCallback?: ConnectorBaseOptions["configChangeCallback"];
  readonly #loop: MessageLoop;

  /**
   * Set up the connector's name, executor, config and logger; nothing runs yet.
   *
   * @param name The connector's name, e.g. `source-faker`.
   * @param executor How the connector runs.
   * @param options Config, config-change callback and logger.
   */
  constructor(name: string, executor: Executor, options: ConnectorBaseOptions = {}) {
    this.name = name;
    this.executor = executor;
    this.logger = options.logger ?? consoleLogger();
    this.#configChangeCallback = options.configChangeCallback;
    if (options.config) {
      assertJsonConfig(name, options.config); // before structuredClone: a function would be a DataCloneError
      this.#config = structuredClone(options.config);
    }
    this.#loop = new MessageLoop(name, executor, {
      logger: this.logger,
      onControl: (message) => this.#applyControl(message),
    });
  }

  /** Run the connector's `spec` (once; the result is kept). */
  spec(): Promise<ConnectorSpecification> {
    this.#spec ??= this.#fetchSpec().catch((e) => {
      this.#spec = undefined; // let a later call retry, e.g. after an install is fixed
      throw e;
    });
    return this.#spec;
  }

  async #fetchSpec(): Promise<ConnectorSpecification> {
    for await (const msg of this.runMessages("spec")) {
      if (msg.type === "SPEC" && msg.spec) return msg.spec as ConnectorSpecification;
    }
    throw new ProtocolError(`Cannot read the spec of '${this.name}': it printed no SPEC message.`, {
      guidance: "Check that the executable is an Airbyte connector (it must answer `spec`).",
      context: { connector: this.name, logTail: this.lastLogLines() },
    });
  }

  /** The JSON Schema of this connector's config (from its spec). Await it. */
  get configSpec(): Promise<Record<string, unknown>> {
    return this.spec().then((s) => (s.connectionSpecification ?? {}) as Record<string, unknown>);
  }

  /**
   * Set the config. With `validate` (the default) it is checked against the connector's spec
   * first and nothing changes when it is invalid.
   */
  async setConfig(config: ConnectorConfig, options: { validate?: boolean } = {}): Promise<void> {
    assertJsonConfig(this.name, config);
    if (options.validate ?? true) await this.validateConfig(config);
    this.#config = structuredClone(config);
    await this.#registerSecrets(this.#config);
  }

  /** A copy of the current config. Throws when none was set. */
  getConfig(): ConnectorConfig {
    if (!this.#config) {
      throw new InvalidArgumentError(`Cannot use '${this.name}' without a config.`, {
        guidance: "Pass `config` to getSource()/getDestination() or call `setConfig(config)`.",
        context: { connector: this.name },
      });
    }
    return structuredClone(this.#config);
  }

  /** True when a config has been set. */
  get hasConfig(): boolean {
    return this.#config !== undefined;
  }

  /** Validate `config` (default: the current one) against the spec; throws `ConfigValidationError`. */
  async validateConfig(config?: ConnectorConfig): Promise<void> {
    const target = config ?? this.getConfig();
    assertJsonConfig(this.name, target);
    const schema = await this.configSpec;
    await this.#registerSecrets(target);
    assertValidConfig(this.name, target, schema);
  }

  async #registerSecrets(config: ConnectorConfig): Promise<void> {
    let schema: Record<string, unknown> | undefined;
    try {
      schema = await this.configSpec;
    } catch {
      schema = undefined; // no spec: fall back to name-based masking below
    }
    registerSecretsFromConfig(config, schema);
    registerSecretsByName(config);
  }

  /** Run `check`; throws `ConnectorCheckFailedError` with the connector's own message. */
  async check(options: { signal?: AbortSignal } = {}): Promise<void> {
    const files = await this.configFiles();
    for await (const msg of this.runMessages("check", { files, signal: options.signal })) {
      if (msg.type === "CONNECTION_STATUS") {
        const status = msg.connectionStatus as { status: string; message?: string };
        if (status.status === "SUCCEEDED") return;
        throw new ConnectorCheckFailedError(
          `Check failed for '${this.name}': ${status.message ?? "(no message)"}`,
          {
            guidance: "Fix the config (or the service it points at) and run check again.",
            context: { connector: this.name, logTail: this.lastLogLines() },
          },
        );
      }
    }
    throw new ProtocolError(`Cannot read the check result of '${this.name}': no CONNECTION_STATUS message.`, {
      context: { connector: this.name, logTail: this.lastLogLines() },
    });
  }

  /** The `--config` file content, after making sure secrets are registered for masking. */
  protected async configFiles(): Promise<Record<string, string>> {
    const config = this.getConfig();
    await this.#registerSecrets(config);
    return { "--config": JSON.stringify(config) };
  }

  /** The last connector log lines (LOG messages, skipped lines and stderr), masked. */
  lastLogLines(): string[] {
    return this.#loop.lastLogLines();
  }

  /** Run one connector verb and yield its messages (see {@linkcode MessageLoop.run}). */
  protected runMessages(verb: string, options: RunOptions = {}): AsyncGenerator<AirbyteMessage> {
    return this.#loop.run(verb, options);
  }

  /** {@linkcode ConnectorBase.runMessages} in batches (see {@linkcode MessageLoop.runBatches}). */
  protected runMessageBatches(verb: string, options: RunOptions = {}): AsyncGenerator<AirbyteMessage[]> {
    return this.#loop.runBatches(verb, options);
  }

  async #applyControl(msg: AirbyteMessage): Promise<void> {
    const control = msg.control as { type: string; connectorConfig?: { config?: ConnectorConfig } };
    if (control?.type !== "CONNECTOR_CONFIG" || !control.connectorConfig?.config) return;
    const next = control.connectorConfig.config;
    await this.#registerSecrets(next);
    try {
      assertValidConfig(this.name, next, await this.configSpec);
    } catch (error) {
      this.logger.warn(`Ignored a config update from '${this.name}' that fails its own spec: ${error}`);
      return;
    }
    this.#config = structuredClone(next);
    this.#loop.remember("CONTROL config updated");
    await this.#configChangeCallback?.(structuredClone(next));
  }
}
