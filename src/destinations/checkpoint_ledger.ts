/**
 * The ledger of STATE messages sent to a destination and not yet confirmed. Each state sent gets
 * an `id` (the Airbyte platform's own convention for matching echoes); when the destination echoes
 * a state, it and every earlier one are confirmed: all records sent before them are durable.
 *
 * @module
 */
import type { AirbyteStateMessage } from "../protocol/messages.ts";

/** What one checkpoint stands for. */
export interface Checkpoint {
  id: number;
  /** The state as sent (with `id`). */
  sent: AirbyteStateMessage;
  /** Real source states to record as destination state once confirmed (markers have none). */
  states: AirbyteStateMessage[];
  /** Delivery marks (stream → last `_airbyte_raw_id` sent) this checkpoint covers. */
  marks: Map<string, string>;
  /** Records sent before this checkpoint, in total and per stream. */
  recordsBefore: number;
  recordsPerStream: Map<string, number>;
}

/** What a confirmation settled. */
export interface Confirmation {
  states: AirbyteStateMessage[];
  marks: Map<string, string>;
  recordsConfirmed: number;
  recordsPerStream: Map<string, number>;
}

// Keys destinations add to echoed states; ignored when matching echoes by content.
const ADDED_KEYS = new Set(["id", "destinationStats", "sourceStats"]);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).filter((k) => !ADDED_KEYS.has(k)).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as any)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Tracks sent checkpoints and settles echoes.
 *
 * @example
 * ```ts
 * import { CheckpointLedger } from "./checkpoint_ledger.ts";
 * const ledger = new CheckpointLedger();
 * const sent = ledger.add({ type: "LEGACY", data: { n: 1 } }, { states: [], marks: new Map(), recordsBefore: 5, recordsPerStream: new Map() });
 * const done = ledger.confirm(sent);
 * if (done?.recordsConfirmed !== 5) throw new Error();
 * ```
 */
export class CheckpointLedger {
  #nextId = 1;
  #pending: Checkpoint[] = [];
  #confirmedRecords = 0;
  #confirmations = 0;

  /** Register a state about to be sent; returns the message to send (with its `id`). */
  add(
    state: AirbyteStateMessage,
    info: Omit<Checkpoint, "id" | "sent">,
  ): AirbyteStateMessage {
    const id = this.#nextId++;
    const sent = { ...state, id } as AirbyteStateMessage;
    this.#pending.push({
      id,
      sent,
      ...info,
      marks: new Map(info.marks),
      recordsPerStream: new Map(info.recordsPerStream),
    });
    return sent;
  }

  /**
   * Settle an echoed state: find it by `id` (or, when a destination dropped the id, by content),
   * and confirm it together with every earlier pending checkpoint. Unknown echoes return undefined.
   */
  confirm(echo: AirbyteStateMessage): Confirmation | undefined {
    const id = (echo as { id?: unknown }).id;
    let index = typeof id === "number" ? this.#pending.findIndex((c) => c.id === id) : -1;
    if (index < 0) {
      const key = canonical(echo);
      index = this.#pending.findIndex((c) => canonical(c.sent) === key);
    }
    if (index < 0) return undefined;
    const settled = this.#pending.splice(0, index + 1);
    const last = settled[settled.length - 1];
    const marks = new Map<string, string>();
    const states: AirbyteStateMessage[] = [];
    for (const c of settled) {
      for (const [k, v] of c.marks) marks.set(k, v);
      states.push(...c.states);
    }
    this.#confirmedRecords = last.recordsBefore;
    this.#confirmations++;
    return { states, marks, recordsConfirmed: last.recordsBefore, recordsPerStream: last.recordsPerStream };
  }

  /** Records confirmed so far. */
  get confirmedRecords(): number {
    return this.#confirmedRecords;
  }

  /** How many echoes were settled. */
  get confirmations(): number {
    return this.#confirmations;
  }

  /** Checkpoints sent and never confirmed. */
  get unconfirmed(): number {
    return this.#pending.length;
  }
}
