/**
 * The state writer every cache hands out (`cache.getStateWriter()`): each state goes to the
 * cache's state tables through a function the cache supplies.
 *
 * @module
 */
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import { StateWriterBase } from "../state/state_writer.ts";

/**
 * A state writer backed by a cache's state tables; get one from `cache.getStateWriter()`.
 *
 * @example A writer that keeps states in an array, as a cache keeps them in a table
 * ```ts
 * import { CacheStateWriter } from "./cache_state_writer.ts";
 * const rows: unknown[] = [];
 * const writer = new CacheStateWriter(async (m) => void rows.push(m));
 * await writer.writeState({ type: "LEGACY", data: { cursor: 1 } });
 * if (rows.length !== 1 || writer.stateMessages.length !== 1) throw new Error();
 * ```
 */
export class CacheStateWriter extends StateWriterBase {
  readonly #store: (message: AirbyteStateMessage) => Promise<void>;

  /**
   * A writer that persists each state through `store`.
   *
   * @param store Persists one state message.
   */
  constructor(store: (message: AirbyteStateMessage) => Promise<void>) {
    super();
    this.#store = store;
  }

  /** Persist `message` through the cache's `store` function. */
  protected async _writeState(message: AirbyteStateMessage): Promise<void> {
    await this.#store(message);
  }
}
