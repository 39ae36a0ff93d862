/**
 * `Source`: a configured Airbyte source connector. It runs spec/check/discover, keeps the stream
 * selection and key overrides, streams records without a cache (`getRecords`) and reads into a
 * cache incrementally (`read`).
 *
 * @module
 */
import {
  InvalidArgumentError,
  NoStreamsSelectedError,
  ProtocolError,
  StreamNotFoundError,
} from "../errors.ts";
import type { Executor } from "../executors/executor.ts";
import { ConnectorBase, type ConnectorBaseOptions } from "../connectors/connector_base.ts";
import type { RecordLineSink } from "../connectors/message_loop.ts";
import type { AirbyteCatalog, AirbyteMessage, AirbyteStream } from "../protocol/messages.ts";
import type { ConfiguredAirbyteCatalog } from "../protocol/catalog.ts";
import { buildConfiguredCatalog, type CatalogChoices } from "./configured_catalog.ts";
import type { ReadOptions } from "./read_options.ts";
import type { ReadResult } from "../results/read_result.ts";
import type { StreamPlan } from "../cache/cache.ts";
import { readIntoCache } from "./read_into_cache.ts";
import { planRead } from "./read_plan.ts";

/**
 * Options for {@linkcode Source.getRecords}.
 *
 * @example The first ten records, within a minute
 * ```ts
 * import type { GetRecordsOptions } from "./source.ts";
 * const options: GetRecordsOptions = { limit: 10, signal: AbortSignal.timeout(60_000) };
 * if (options.limit !== 10) throw new Error();
 * ```
 */
export interface GetRecordsOptions {
  /** Stop after this many records (the connector is ended). */
  limit?: number;
  /** Aborting ends the connector and the iteration. */
  signal?: AbortSignal;
}

/**
 * A source connector with its config and stream selection. Create one with `getSource()`.
 *
 * @example Stream ten records without a cache
 * ```ts ignore
 * import { getSource } from "../../mod.ts";
 * const source = await getSource("source-faker", {
 *   pipUrl: "airbyte-source-faker==7.2.1",
 *   config: { count: 100, seed: 1 },
 * });
 * for await (const user of source.getRecords("users", { limit: 10 })) console.log(user.id);
 * ```
 */
export class Source extends ConnectorBase {
  #catalog?: AirbyteCatalog;
  #selected: string[] | "*" = [];
  #primaryKeys = new Map<string, string[][]>();
  #cursorKeys = new Map<string, string[]>();

  /**
   * A source around an executor; `getSource()` builds one for you.
   *
   * @param name The connector's name, e.g. `source-faker`.
   * @param executor How the connector runs.
   * @param options Config, config-change callback, logger, and the streams to select.
   */
  constructor(
    name: string,
    executor: Executor,
    options: ConnectorBaseOptions & { streams?: string | string[] } = {},
  ) {
    super(name, executor, options);
    if (options.streams !== undefined) this.#selected = streamChoice(options.streams);
  }

  /** Run `discover` (once; the catalog is kept) and return the connector's catalog. */
  async discover(options: { signal?: AbortSignal } = {}): Promise<AirbyteCatalog> {
    if (this.#catalog) return this.#catalog;
    const files = await this.configFiles();
    for await (const msg of this.runMessages("discover", { files, signal: options.signal })) {
      if (msg.type === "CATALOG") {
        this.#catalog = msg.catalog as AirbyteCatalog;
        this.#checkSelection();
        return this.#catalog;
      }
    }
    throw new ProtocolError(`Cannot discover streams of '${this.name}': it printed no CATALOG message.`, {
      context: { connector: this.name, logTail: this.lastLogLines() },
    });
  }

  /** The discovered catalog, if `discover()` has run. */
  get discoveredCatalog(): AirbyteCatalog | undefined {
    return this.#catalog;
  }

  /** Names of every stream the connector offers. */
  async getAvailableStreams(): Promise<string[]> {
    return (await this.discover()).streams.map((s) => s.name);
  }

  /**
   * Select streams to read: names, one name, or `"*"` for all. Unknown names raise
   * `StreamNotFoundError` (at once when the catalog is known, else at the next discover or read).
   */
  selectStreams(streams: string | string[]): void {
    this.#selected = streamChoice(streams);
    if (this.#catalog) this.#checkSelection();
  }

  /** Select every stream. */
  selectAllStreams(): void {
    this.#selected = "*";
  }

  /** Selected stream names (all of them when everything is selected and the catalog is known). */
  getSelectedStreams(): string[] {
    if (this.#selected === "*") return this.#catalog ? this.#catalog.streams.map((s) => s.name) : [];
    return [...this.#selected];
  }

  /** Override a stream's primary key; a composite key is an array of field names. */
  setPrimaryKey(stream: string, key: string | string[] | string[][]): void {
    this.#primaryKeys.set(stream, normalizeKey(key));
  }

  /** Override a stream's cursor field (a nested cursor is a path of field names). */
  setCursorKey(stream: string, key: string | string[]): void {
    this.#cursorKeys.set(stream, typeof key === "string" ? [key] : [...key]);
  }

  /** The primary key / cursor overrides, for the cache and destinations. */
  get keyOverrides(): Pick<CatalogChoices, "primaryKeys" | "cursorKeys"> {
    return { primaryKeys: new Map(this.#primaryKeys), cursorKeys: new Map(this.#cursorKeys) };
  }

  /**
   * The configured catalog for the selected (or given) streams. Needs the catalog: call
   * `await source.discover()` first (read and getRecords do that for you).
   */
  getConfiguredCatalog(
    options: { streams?: string | string[]; forceFullRefresh?: boolean } & Partial<CatalogChoices> = {},
  ): ConfiguredAirbyteCatalog {
    if (!this.#catalog) {
      throw new InvalidArgumentError(`Cannot configure a catalog for '${this.name}' before discovery.`, {
        guidance: "Call `await source.discover()` first.",
      });
    }
    const streams = this.resolveStreams(options.streams);
    return buildConfiguredCatalog(streams, {
      ...options,
      primaryKeys: this.#primaryKeys,
      cursorKeys: this.#cursorKeys,
      forceFullRefresh: options.forceFullRefresh,
    });
  }

  /** Resolve a stream choice (default: the selection) to catalog entries, checking every name. */
  resolveStreams(streams?: string | string[]): AirbyteStream[] {
    const catalog = this.#catalog!;
    const wanted = streams === undefined ? this.#selected : streamChoice(streams);
    if (wanted === "*") return catalog.streams;
    if (wanted.length === 0) throw new NoStreamsSelectedError(this.name);
    const byName = new Map(catalog.streams.map((s) => [s.name, s]));
    const missing = wanted.filter((n) => !byName.has(n));
    if (missing.length) {
      throw new StreamNotFoundError(missing, [...byName.keys()], { context: { connector: this.name } });
    }
    return wanted.map((n) => byName.get(n)!);
  }

  #checkSelection(): void {
    if (this.#selected !== "*" && this.#selected.length) this.resolveStreams(this.#selected);
  }

  /**
   * Stream one stream's records with no cache. Stopping early (break, `limit`, abort) ends the
   * connector process and everything it started.
   */
  async *getRecords(
    stream: string,
    options: GetRecordsOptions = {},
  ): AsyncGenerator<Record<string, unknown>> {
    if (options.limit !== undefined && options.limit <= 0) return;
    await this.discover({ signal: options.signal });
    const catalog = this.getConfiguredCatalog({ streams: [stream], forceFullRefresh: true });
    const files = { ...(await this.configFiles()), "--catalog": JSON.stringify(catalog) };
    let n = 0;
    for await (const msg of this.runMessages("read", { files, signal: options.signal })) {
      if (msg.type !== "RECORD") continue;
      const record = msg.record as { stream: string; data: Record<string, unknown> };
      if (record.stream !== stream) continue;
      yield record.data;
      if (options.limit !== undefined && ++n >= options.limit) return;
    }
  }

  /**
   * Run `read` with the given catalog and state, yielding every non-LOG message. The building
   * block for caches and destinations.
   */
  readMessages(
    catalog: ConfiguredAirbyteCatalog,
    state: unknown[] | undefined,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<AirbyteMessage> {
    return (async function* (self: Source) {
      for await (const batch of self.readMessageBatches(catalog, state, options)) yield* batch;
    })(this);
  }

  /**
   * {@linkcode Source.readMessages} in batches (one array per chunk of connector output): the
   * cache's hot path. With `recordLine`, lines are offered to it as bytes first, and only the
   * ones it declines are parsed and yielded (one message per batch, in order).
   */
  readMessageBatches(
    catalog: ConfiguredAirbyteCatalog,
    state: unknown[] | undefined,
    options: { signal?: AbortSignal; recordLine?: RecordLineSink } = {},
  ): AsyncGenerator<AirbyteMessage[]> {
    return (async function* (self: Source) {
      const files: Record<string, string> = {
        ...(await self.configFiles()),
        "--catalog": JSON.stringify(catalog),
      };
      if (state && state.length) files["--state"] = JSON.stringify(state);
      yield* self.runMessageBatches("read", {
        files,
        signal: options.signal,
        recordLine: options.recordLine,
      });
    })(this);
  }

  /**
   * What a read with these options will do per stream (strategy, keys) and the configured
   * catalog to run it with. Needs the catalog (`await source.discover()` first).
   *
   * @param options Streams (default: the selection), write strategy, full refresh.
   * @returns Per-stream plans and the configured catalog.
   */
  planRead(
    options: Pick<ReadOptions, "streams" | "writeStrategy" | "forceFullRefresh"> = {},
  ): { plans: StreamPlan[]; catalog: ConfiguredAirbyteCatalog } {
    if (!this.#catalog) {
      throw new InvalidArgumentError(`Cannot plan a read of '${this.name}' before discovery.`, {
        guidance: "Call `await source.discover()` first.",
      });
    }
    return planRead(this.resolveStreams(options.streams), {
      primaryKeys: this.#primaryKeys,
      cursorKeys: this.#cursorKeys,
      writeStrategy: options.writeStrategy,
      forceFullRefresh: options.forceFullRefresh,
    });
  }

  /** Read the selected streams into a cache (default: `getDefaultCache()`), incrementally by state. */
  read(options: ReadOptions = {}): Promise<ReadResult> {
    return readIntoCache(this, options);
  }
}

/**
 * A stream choice as given (`"*"`, one name, or names) as the selection keeps it. A single name
 * is one stream, as in PyAirbyte (`streams="users"`); never a list of its letters.
 */
function streamChoice(streams: unknown): string[] | "*" {
  if (streams === "*") return "*";
  const names = typeof streams === "string" ? [streams] : streams;
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string" || n === "")) {
    throw new InvalidArgumentError(`Cannot select streams ${JSON.stringify(streams) ?? String(streams)}.`, {
      guidance:
        'Pass stream names as an array of strings (["users", "purchases"]), one name, or "*" for all.',
    });
  }
  return [...names];
}

function normalizeKey(key: string | string[] | string[][]): string[][] {
  if (typeof key === "string") return [[key]];
  if (key.length && Array.isArray(key[0])) return (key as string[][]).map((k) => [...k]);
  // An array of strings is a composite key of top-level fields.
  return (key as string[]).map((k) => [k]);
}
