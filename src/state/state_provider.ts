/**
 * State providers: read-only views of connector state, used to build a read's `--state` input.
 * `StaticInputState` wraps messages you already have; `JoinedStateProvider` layers two providers
 * (the primary wins per stream, the secondary fills gaps). The cache's provider lives with the
 * cache.
 *
 * @module
 */
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import { stateKey, streamsOfState, streamStateKey } from "./state_key.ts";

/**
 * A read-only source of state messages.
 *
 * @example An empty provider
 * ```ts
 * import { StaticInputState } from "./state_provider.ts";
 * const p = new StaticInputState([]);
 * if (p.stateMessages.length !== 0) throw new Error();
 * ```
 */
export interface StateProvider {
  /** Every stored state message, one per state key. */
  readonly stateMessages: AirbyteStateMessage[];
  /** Names of the streams that have state (STREAM states and the streams inside a GLOBAL state). */
  readonly knownStreams: Set<string>;
  /** The STREAM state message of one stream, if any. */
  getStreamState(stream: string, namespace?: string | null): AirbyteStateMessage | undefined;
  /**
   * The messages to pass as a read's `--state`, limited to the given streams: their STREAM states,
   * plus the GLOBAL and LEGACY states when present.
   */
  getStateInput(streams?: string[]): AirbyteStateMessage[];
}

/**
 * A provider over a fixed list of state messages (the last message per key wins).
 *
 * @example Start a read from known state
 * ```ts
 * import { StaticInputState } from "./state_provider.ts";
 * const p = new StaticInputState([
 *   { type: "STREAM", stream: { stream_descriptor: { name: "users" }, stream_state: { cursor: 5 } } },
 * ]);
 * if (!p.knownStreams.has("users")) throw new Error();
 * ```
 */
export class StaticInputState implements StateProvider {
  #byKey = new Map<string, AirbyteStateMessage>();

  /**
   * Wrap state messages; of several with the same key (stream, or GLOBAL, or LEGACY), the last wins.
   *
   * @param messages The state messages, e.g. from a previous read's state file.
   */
  constructor(messages: Iterable<AirbyteStateMessage>) {
    for (const m of messages) this.#byKey.set(stateKey(m), m);
  }

  /** Every state message, one per state key. */
  get stateMessages(): AirbyteStateMessage[] {
    return [...this.#byKey.values()];
  }

  /** Names of the streams that have state (STREAM states and the streams inside a GLOBAL state). */
  get knownStreams(): Set<string> {
    return new Set(this.stateMessages.flatMap(streamsOfState));
  }

  /** The STREAM state message of one stream, if any; a state stored without a namespace matches too. */
  getStreamState(stream: string, namespace?: string | null): AirbyteStateMessage | undefined {
    return this.#byKey.get(streamStateKey(stream, namespace)) ??
      // States stored without a namespace still match a namespaced stream.
      (namespace ? this.#byKey.get(streamStateKey(stream)) : undefined);
  }

  /** The messages to pass as a read's `--state` for `streams` (all when omitted). */
  getStateInput(streams?: string[]): AirbyteStateMessage[] {
    return selectStateInput(this.stateMessages, streams);
  }
}

/**
 * The state input for a read of `streams`: their STREAM states plus GLOBAL/LEGACY states.
 *
 * @example Keep the state of the stream being read
 * ```ts
 * import { selectStateInput } from "./state_provider.ts";
 * const input = selectStateInput([
 *   { type: "STREAM", stream: { stream_descriptor: { name: "a" }, stream_state: {} } },
 *   { type: "STREAM", stream: { stream_descriptor: { name: "b" }, stream_state: {} } },
 * ], ["a"]);
 * if (input.length !== 1) throw new Error();
 * ```
 */
export function selectStateInput(messages: AirbyteStateMessage[], streams?: string[]): AirbyteStateMessage[] {
  if (!streams) return messages;
  const wanted = new Set(streams);
  return messages.filter((m) => m.type !== "STREAM" || streamsOfState(m).some((s) => wanted.has(s)));
}

/**
 * Two providers layered per state key: `primary` wins, `secondary` fills the gaps. Used by
 * destinations: the cache's state first, the destination's confirmed state second.
 *
 * @example The primary's state wins, the secondary fills gaps
 * ```ts
 * import { JoinedStateProvider, StaticInputState } from "./state_provider.ts";
 * const s = (n: string, v: number) => ({ type: "STREAM" as const, stream: { stream_descriptor: { name: n }, stream_state: { v } } });
 * const joined = new JoinedStateProvider(new StaticInputState([s("a", 1)]), new StaticInputState([s("a", 0), s("b", 2)]));
 * if (joined.stateMessages.length !== 2) throw new Error();
 * if ((joined.getStreamState("a")!.stream as any).stream_state.v !== 1) throw new Error();
 * ```
 */
export class JoinedStateProvider implements StateProvider {
  #primary: StateProvider;
  #secondary: StateProvider;

  /**
   * Layer two providers.
   *
   * @param primary The provider whose state wins for a key both have.
   * @param secondary The provider that fills in keys the primary lacks.
   */
  constructor(primary: StateProvider, secondary: StateProvider) {
    this.#primary = primary;
    this.#secondary = secondary;
  }

  /** Every state message, one per state key, the primary's first choice. */
  get stateMessages(): AirbyteStateMessage[] {
    const byKey = new Map<string, AirbyteStateMessage>();
    for (const m of this.#secondary.stateMessages) byKey.set(stateKey(m), m);
    for (const m of this.#primary.stateMessages) byKey.set(stateKey(m), m);
    return [...byKey.values()];
  }

  /** Names of the streams either provider has state for. */
  get knownStreams(): Set<string> {
    return new Set([...this.#primary.knownStreams, ...this.#secondary.knownStreams]);
  }

  /** The primary's STREAM state of one stream, else the secondary's. */
  getStreamState(stream: string, namespace?: string | null): AirbyteStateMessage | undefined {
    return this.#primary.getStreamState(stream, namespace) ??
      this.#secondary.getStreamState(stream, namespace);
  }

  /** The messages to pass as a read's `--state` for `streams` (all when omitted). */
  getStateInput(streams?: string[]): AirbyteStateMessage[] {
    return selectStateInput(this.stateMessages, streams);
  }
}
