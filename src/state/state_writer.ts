/**
 * State writers: where a read or write records the states it saw. `writeState` is final: it
 * remembers the latest state per key (so every writer is also a provider), then calls the
 * subclass's `_writeState`.
 *
 * @module
 */
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import { stateKey } from "./state_key.ts";
import { type StateProvider, StaticInputState } from "./state_provider.ts";

/**
 * Base class of every state writer.
 *
 * @example A writer that collects states in an array
 * ```ts
 * import { StateWriterBase } from "./state_writer.ts";
 * class ArrayWriter extends StateWriterBase {
 *   seen: unknown[] = [];
 *   protected _writeState(m: unknown) { this.seen.push(m); }
 * }
 * const w = new ArrayWriter();
 * await w.writeState({ type: "LEGACY", data: { x: 1 } });
 * if (w.seen.length !== 1 || w.stateMessages.length !== 1) throw new Error();
 * ```
 */
export abstract class StateWriterBase implements StateProvider {
  #latest = new Map<string, AirbyteStateMessage>();

  /** Record `message` as the latest state for its key, then persist it. */
  async writeState(message: AirbyteStateMessage): Promise<void> {
    this.#latest.set(stateKey(message), message);
    await this._writeState(message);
  }

  /** Persist one state message. */
  protected abstract _writeState(message: AirbyteStateMessage): void | Promise<void>;

  /** The latest state written per state key. */
  get stateMessages(): AirbyteStateMessage[] {
    return [...this.#latest.values()];
  }

  /** Names of the streams that have a state written. */
  get knownStreams(): Set<string> {
    return new StaticInputState(this.#latest.values()).knownStreams;
  }

  /** The latest STREAM state written for one stream, if any. */
  getStreamState(stream: string, namespace?: string | null): AirbyteStateMessage | undefined {
    return new StaticInputState(this.#latest.values()).getStreamState(stream, namespace);
  }

  /** The messages to pass as a read's `--state` for `streams` (all when omitted). */
  getStateInput(streams?: string[]): AirbyteStateMessage[] {
    return new StaticInputState(this.#latest.values()).getStateInput(streams);
  }
}

/**
 * Any state writer (every writer is also a provider of the states it wrote).
 *
 * @example Write a state and read it back
 * ```ts
 * import { NoOpStateWriter, type StateWriter } from "./state_writer.ts";
 * const writer: StateWriter = new NoOpStateWriter();
 * await writer.writeState({ type: "LEGACY", data: { cursor: 1 } });
 * if (writer.stateMessages.length !== 1) throw new Error();
 * ```
 */
export type StateWriter = StateWriterBase;

/**
 * A writer that keeps states in memory only (nothing persisted).
 *
 * @example Remember states without storing them
 * ```ts
 * import { NoOpStateWriter } from "./state_writer.ts";
 * const w = new NoOpStateWriter();
 * await w.writeState({ type: "LEGACY", data: {} });
 * ```
 */
export class NoOpStateWriter extends StateWriterBase {
  /** Persist nothing: the base class already remembers the state. */
  protected _writeState(): void {}
}

/**
 * A writer that prints each state as an Airbyte STATE message line, for piping into other tools.
 *
 * @example Print states as STATE lines
 * ```ts
 * import { StdOutStateWriter } from "./state_writer.ts";
 * const lines: string[] = [];
 * const w = new StdOutStateWriter((line) => lines.push(line));
 * await w.writeState({ type: "LEGACY", data: { a: 1 } });
 * if (!lines[0].includes('"STATE"')) throw new Error();
 * ```
 */
export class StdOutStateWriter extends StateWriterBase {
  #print: (line: string) => void;
  /**
   * Print states as lines.
   *
   * @param print Where lines go. @default console.log
   */
  constructor(print: (line: string) => void = (line) => console.log(line)) {
    super();
    this.#print = print;
  }

  /** Print `message` as one `{"type":"STATE","state":...}` line. */
  protected _writeState(message: AirbyteStateMessage): void {
    this.#print(JSON.stringify({ type: "STATE", state: message }));
  }
}
