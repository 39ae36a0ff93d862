/**
 * `ReadResult`: what `Source.read()` returns — the streams read, the records processed, and the
 * cached datasets.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import type { CachedDataset } from "../cache/cached_dataset.ts";
import { StreamNotFoundError } from "../errors.ts";
import type { AirbyteMessage } from "../protocol/messages.ts";

/**
 * The outcome of a read into a cache.
 *
 * @example Iterate the streams of a read
 * ```ts ignore
 * const result = await source.read({ cache });
 * for (const [name, dataset] of result) console.log(name, await dataset.count());
 * ```
 */
export class ReadResult implements Iterable<[string, CachedDataset]> {
  /** The cache the records landed in. */
  readonly cache: Cache;
  /** The source that was read. */
  readonly sourceName: string;
  /** Records received from the connector in this read, per stream. */
  readonly recordsPerStream: ReadonlyMap<string, number>;

  /**
   * The result of a read; `Source.read()` makes it.
   *
   * @param cache The cache the records landed in.
   * @param sourceName The source that was read.
   * @param recordsPerStream Records received per stream, in the order the streams were read.
   */
  constructor(cache: Cache, sourceName: string, recordsPerStream: Map<string, number>) {
    this.cache = cache;
    this.sourceName = sourceName;
    this.recordsPerStream = recordsPerStream;
  }

  /** Names of the streams read. */
  get streams(): string[] {
    return [...this.recordsPerStream.keys()];
  }

  /** Records received in this read, over all streams. */
  get processedRecords(): number {
    let n = 0;
    for (const v of this.recordsPerStream.values()) n += v;
    return n;
  }

  /** The cached records of one stream read here. */
  get(stream: string): CachedDataset {
    if (!this.recordsPerStream.has(stream)) throw new StreamNotFoundError(stream, this.streams);
    return this.cache.get(stream, { sourceName: this.sourceName });
  }

  /**
   * The cached records of this read's streams as Airbyte RECORD messages (original property
   * names, JSON documents parsed, misfits restored from `_airbyte_meta`), page by page, followed
   * by the source's stored STATE messages.
   */
  async *toMessages(): AsyncGenerator<AirbyteMessage> {
    const tables = (await this.cache.listStreamTables()).filter((t) => t.sourceName === this.sourceName);
    for (const name of this.streams) {
      const entry = tables.find((t) => t.stream === name);
      if (!entry) continue;
      for await (const page of this.cache.recordPages({ ...entry, stream: name })) {
        for (const record of page.records) yield { type: "RECORD", record };
      }
    }
    for (const state of (await this.cache.getStateProvider(this.sourceName)).stateMessages) {
      yield { type: "STATE", state };
    }
  }

  /** Each stream read, with its cached dataset. */
  *[Symbol.iterator](): Iterator<[string, CachedDataset]> {
    for (const name of this.streams) yield [name, this.get(name)];
  }
}
