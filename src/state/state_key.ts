/**
 * One key per independently replaceable piece of state: a stream's STREAM state, the GLOBAL state,
 * or the LEGACY blob. Stores and providers index by it.
 *
 * @module
 */
import type { AirbyteStateMessage } from "../protocol/messages.ts";

/**
 * The key of a state message: `stream:<namespace>:<name>`, `global` or `legacy`.
 *
 * @example
 * ```ts
 * import { stateKey } from "./state_key.ts";
 * const key = stateKey({ type: "STREAM", stream: { stream_descriptor: { name: "users" }, stream_state: {} } });
 * if (key !== "stream::users") throw new Error(key);
 * ```
 */
export function stateKey(message: AirbyteStateMessage): string {
  const type = message.type ?? "LEGACY";
  if (type === "STREAM") {
    const d =
      (message.stream as { stream_descriptor?: { name: string; namespace?: string | null } } | undefined)
        ?.stream_descriptor;
    return streamStateKey(d?.name ?? "", d?.namespace ?? undefined);
  }
  return type === "GLOBAL" ? "global" : "legacy";
}

/**
 * The key of a stream's STREAM state.
 *
 * @example
 * ```ts
 * import { streamStateKey } from "./state_key.ts";
 * if (streamStateKey("users", "public") !== "stream:public:users") throw new Error();
 * ```
 */
export function streamStateKey(name: string, namespace?: string | null): string {
  return `stream:${namespace ?? ""}:${name}`;
}

/**
 * The stream names a state message covers (all streams of a GLOBAL state; none for LEGACY).
 *
 * @example
 * ```ts
 * import { streamsOfState } from "./state_key.ts";
 * const names = streamsOfState({ type: "GLOBAL", global: { shared_state: {}, stream_states: [
 *   { stream_descriptor: { name: "a" }, stream_state: {} },
 * ] } });
 * if (names[0] !== "a") throw new Error();
 * ```
 */
export function streamsOfState(message: AirbyteStateMessage): string[] {
  if (message.type === "STREAM") {
    const name = (message.stream as { stream_descriptor?: { name: string } } | undefined)?.stream_descriptor
      ?.name;
    return name ? [name] : [];
  }
  if (message.type === "GLOBAL") {
    const states =
      (message.global as { stream_states?: { stream_descriptor: { name: string } }[] } | undefined)
        ?.stream_states ?? [];
    return states.map((s) => s.stream_descriptor.name);
  }
  return [];
}
