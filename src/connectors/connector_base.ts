/**
 * What sources and destinations share: a name, an executor, a spec fetched once, a config
 * validated against that spec, `check`, and the loop that turns a connector's stdout into
 * Airbyte messages (skipping malformed lines, keeping a log tail, turning TRACE errors into
 * typed errors and applying CONTROL config updates).
 *
 * @module
 */
import {
  AirbyteError,
  ConnectorCheckFailedError,
  ConnectorFailedError,
  InvalidArgumentError,
  ProtocolError,
} from "../errors.ts";
import type { Executor } from "../executors/executor.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import type { AirbyteMessage, ConnectorSpecification } from "../protocol/messages.ts";
import { parseMessageLine } from "../protocol/message_parser.ts";
import { LineSpans, LineSplitter } from "../protocol/line_splitter.ts";
import { maskSecrets, registerSecretsFromConfig } from "../secrets.ts";
import { assertValidConfig } from "./config_validation.ts";

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

/** Options shared by `Source` and `Destination` constructors. */
export interface ConnectorBaseOptions {
  config?: ConnectorConfig;
  /** Called when the connector emits a CONTROL message with an updated (migrated) config. */
  configChangeCallback?: (newConfig: ConnectorConfig) => void | Promise<void>;
  /** Where connector LOG lines and skipped malformed lines go. @default consoleLogger() */
  logger?: Logger;
}

/** Options for one connector run. */
export interface RunOptions {
  files?: Record<string, string>;
  stdin?: AsyncIterable<string>;
  signal?: AbortSignal;
  /**
   * Offered every stdout line as UTF-8 bytes before it is decoded (when the executor can give
   * bytes). It returns true when it took the line, false to let it be parsed as usual, or a
   * promise to wait for before the next line, which settles to false when the line is to be
   * parsed after all. The cache's record scanner.
   */
  recordLine?: RecordLineSink;
}

/**
 * Takes a line `bytes[start, end)` (true), declines it (false), or asks the reader to wait (a
 * promise; `false` from it declines). See {@linkcode RunOptions.recordLine}.
 */
export type RecordLineSink = (
  bytes: Uint8Array,
  start: number,
  end: number,
) => boolean | Promise<boolean | void>;

const LOG_TAIL = 50;
// Field names that are secret by convention, even when a spec forgets `airbyte_secret`.
const SECRET_NAME = /(^|_)(password|secret|token|api_?key|private_key|credentials?)($|_)/i;

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
  #logTail: string[] = [];
  #traceError?: TraceError;

  constructor(name: string, executor: Executor, options: ConnectorBaseOptions = {}) {
    this.name = name;
    this.executor = executor;
    this.logger = options.logger ?? consoleLogger();
    this.#configChangeCallback = options.configChangeCallback;
    if (options.config) this.#config = structuredClone(options.config);
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
    registerByName(config);
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
    const stderr = this.executor.lastLogLines?.() ?? [];
    return [...this.#logTail, ...stderr].slice(-LOG_TAIL).map(maskSecrets);
  }

  #remember(line: string): void {
    this.#logTail.push(maskSecrets(line));
    if (this.#logTail.length > LOG_TAIL) this.#logTail.shift();
  }

  /**
   * Run one connector verb and yield its messages. LOG messages feed the logger and the log tail;
   * malformed lines are logged and skipped; a TRACE error becomes `ConnectorFailedError` (thrown
   * once the connector has ended, so its exit code is known); CONTROL config updates are applied.
   */
  protected async *runMessages(verb: string, options: RunOptions = {}): AsyncGenerator<AirbyteMessage> {
    for await (const batch of this.runMessageBatches(verb, options)) yield* batch;
  }

  /**
   * {@linkcode ConnectorBase.runMessages} in batches: one array per chunk of connector output, so
   * the hot loop of a read takes one async step per chunk rather than per record.
   */
  protected async *runMessageBatches(
    verb: string,
    options: RunOptions = {},
  ): AsyncGenerator<AirbyteMessage[]> {
    this.#logTail = [];
    this.#traceError = undefined;
    const execOptions = { files: options.files, stdin: options.stdin, signal: options.signal };
    const byteMode = options.recordLine !== undefined && this.executor.executeChunks !== undefined;
    const run = byteMode
      ? this.#runBytes(verb, execOptions, options.recordLine!)
      : this.#runLines(verb, execOptions);
    try {
      yield* run;
    } catch (error) {
      if (this.#traceError) throw this.#traceFailure(this.#traceError, error);
      throw error;
    }
    if (this.#traceError) throw this.#traceFailure(this.#traceError, undefined);
  }

  async *#runLines(verb: string, execOptions: RunOptions): AsyncGenerator<AirbyteMessage[]> {
    const batches = this.executor.executeBatches?.([verb], execOptions) ??
      singleLineBatches(this.executor.execute([verb], execOptions));
    for await (const lines of batches) {
      const out: AirbyteMessage[] = [];
      for (const line of lines) {
        const msg = this.#take(line);
        if (msg === undefined) continue;
        // `spec` takes no config, and applying one would wait on the spec being read now.
        if (msg.type === "CONTROL") {
          if (verb !== "spec") await this.#applyControl(msg);
        } else out.push(msg);
      }
      if (out.length) yield out;
    }
  }

  /**
   * Byte mode: each line goes to `recordLine` first; only the lines it declines are decoded and
   * parsed. Those messages are yielded one at a time, at once, so that a STATE is handled after
   * exactly the records before it.
   */
  async *#runBytes(
    verb: string,
    execOptions: RunOptions,
    recordLine: RecordLineSink,
  ): AsyncGenerator<AirbyteMessage[]> {
    const splitter = new LineSplitter();
    const spans = new LineSpans();
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    let ended = false;
    try {
      for await (const chunk of this.executor.executeChunks!([verb], execOptions)) {
        yield* this.#handleSpans(splitter.pushSpans(chunk, spans), decoder, verb, recordLine);
      }
      ended = true;
      yield* this.#handleSpans(splitter.flushSpans(spans), decoder, verb, recordLine);
    } finally {
      // A failing connector's last line (often its TRACE error) may lack a newline: read it too.
      if (!ended) {
        splitter.flushSpans(spans);
        for (let k = 0; k < spans.count; k++) {
          const line = spans.text(k, decoder);
          if (line.includes('"TRACE"')) this.#take(line);
        }
      }
    }
  }

  async *#handleSpans(
    spans: LineSpans,
    decoder: TextDecoder,
    verb: string,
    recordLine: RecordLineSink,
  ): AsyncGenerator<AirbyteMessage[]> {
    for (let k = 0; k < spans.count; k++) {
      const buffer = spans.buffers[k], start = spans.starts[k], end = spans.ends[k];
      if (end === start) continue;
      const taken = recordLine(buffer, start, end);
      if (taken === true) continue;
      if (taken !== false && await taken !== false) continue;
      const msg = this.#take(decoder.decode(buffer.subarray(start, end)));
      if (msg === undefined) continue;
      if (msg.type === "CONTROL") {
        if (verb !== "spec") await this.#applyControl(msg);
      } else yield [msg];
    }
  }

  /**
   * One line of output: a message to pass on (CONTROL included, for the caller to apply), or
   * undefined when it was consumed here: LOG messages feed the logger and the log tail, a TRACE
   * error is remembered, malformed lines are logged and skipped.
   */
  #take(line: string): AirbyteMessage | undefined {
    if (line.length === 0) return undefined;
    const outcome = parseMessageLine(line);
    if (!outcome.ok) {
      const note = `Skipped a line from '${this.name}' that is not a valid Airbyte message ` +
        `(${outcome.reason}): ${outcome.excerpt}`;
      this.#remember(note);
      this.logger.warn(note);
      return undefined;
    }
    const msg = outcome.message;
    switch (msg.type) {
      case "LOG": {
        const log = msg.log as { level: string; message: string };
        this.#remember(`${log.level} ${log.message}`);
        if (log.level === "ERROR" || log.level === "FATAL") {
          this.logger.warn(`[${this.name}] ${log.message}`);
        } else this.logger.debug(`[${this.name}] ${log.message}`);
        return undefined;
      }
      case "TRACE": {
        const trace = msg.trace as { type: string; error?: TraceError };
        if (trace.type === "ERROR") {
          this.#traceError ??= trace.error ?? {};
          this.#remember(`TRACE ERROR ${trace.error?.message ?? ""}`);
          return undefined;
        }
        return msg;
      }
      default:
        return msg;
    }
  }

  #traceFailure(
    trace: TraceError,
    cause: unknown,
  ): ConnectorFailedError {
    const exitCode = cause instanceof AirbyteError ? cause.context.exitCode : undefined;
    return new ConnectorFailedError(
      `Connector '${this.name}' failed: ${trace.message ?? "(no message)"}`,
      {
        failureType: trace.failure_type,
        internalMessage: trace.internal_message,
        guidance: trace.failure_type === "config_error"
          ? "The connector rejected its config; fix it and run again."
          : trace.failure_type === "transient_error"
          ? "The connector reported a transient failure; running again may succeed."
          : undefined,
        context: { connector: this.name, exitCode, logTail: this.lastLogLines() },
        cause,
      },
    );
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
    this.#remember("CONTROL config updated");
    await this.#configChangeCallback?.(structuredClone(next));
  }
}

/** The `error` of a TRACE message of type ERROR. */
interface TraceError {
  message?: string;
  internal_message?: string;
  failure_type?: string;
}

function registerByName(value: unknown): void {
  if (!value || typeof value !== "object") return;
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_NAME.test(k) && (typeof v === "string" || typeof v === "number")) {
      registerSecretsFromConfig({ [k]: v }, { properties: { [k]: { airbyte_secret: true } } });
    } else if (v && typeof v === "object") registerByName(v);
  }
}

async function* singleLineBatches(lines: AsyncIterable<string>): AsyncGenerator<string[]> {
  for await (const line of lines) yield [line];
}
