/**
 * `WriteResult`: what `Destination.write()` returns.
 *
 * @module
 */
import type { StateProvider } from "../state/state_provider.ts";

/**
 * The outcome of a write to a destination.
 *
 * @example Read a write's counts and confirmed state
 * ```ts ignore
 * const result = await destination.write(source);
 * console.log(result.processedRecords, result.confirmedRecords);
 * const state = result.getStateProvider();
 * ```
 */
export class WriteResult {
  /** Records sent to the destination. */
  readonly processedRecords: number;
  /** Records the destination confirmed durable (by echoing a later state). */
  readonly confirmedRecords: number;
  /** Records sent per stream. */
  readonly recordsPerStream: ReadonlyMap<string, number>;
  /** The destination's name. */
  readonly destination: string;
  readonly #state: StateProvider;

  /**
   * The result of a write; `Destination.write()` makes it.
   *
   * @param init The destination's name, the counts, and the state it confirmed.
   */
  constructor(init: {
    destination: string;
    processedRecords: number;
    confirmedRecords: number;
    recordsPerStream: Map<string, number>;
    state: StateProvider;
  }) {
    this.destination = init.destination;
    this.processedRecords = init.processedRecords;
    this.confirmedRecords = init.confirmedRecords;
    this.recordsPerStream = init.recordsPerStream;
    this.#state = init.state;
  }

  /** The destination's confirmed state (source states it echoed). */
  getStateProvider(): StateProvider {
    return this.#state;
  }
}
