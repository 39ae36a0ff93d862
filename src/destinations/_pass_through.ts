// The stdin of a destination fed straight from a source (no cache): records pass through, each
// source state gets a ledger id, and every stream ends with a STREAM_STATUS COMPLETE trace.
import type { ProgressTracker } from "../progress/progress_tracker.ts";
import type { AirbyteMessage, AirbyteStateMessage } from "../protocol/messages.ts";
import type { CheckpointLedger } from "./checkpoint_ledger.ts";
import { stringifyExact } from "../protocol/exact_json.ts";
import { notesOf } from "../protocol/record_notes.ts";
import { streamStatusLine } from "./_cache_delivery.ts";

const COUNT_EVERY = 1_000;

export async function* passThroughLines(
  messages: AsyncIterable<AirbyteMessage>,
  streams: string[],
  ledger: CheckpointLedger,
  tracker: ProgressTracker,
): AsyncGenerator<string> {
  let total = 0;
  const perStream = new Map<string, number>(streams.map((s) => [s, 0]));
  const pending = new Map<string, number>(); // per stream, not yet reported to the tracker
  const completed = new Set<string>();
  const report = () => {
    for (const [s, n] of pending) if (n) tracker.addRecords(s, n, 0);
    pending.clear();
  };
  for (const s of streams) tracker.startStream(s);
  for await (const msg of messages) {
    if (msg.type === "RECORD") {
      const stream = msg.record.stream;
      if (!perStream.has(stream)) continue;
      total++;
      perStream.set(stream, perStream.get(stream)! + 1);
      pending.set(stream, (pending.get(stream) ?? 0) + 1);
      if (total % COUNT_EVERY === 0) report();
      yield recordLine(msg);
    } else if (msg.type === "STATE") {
      report();
      const state = msg.state as AirbyteStateMessage;
      const sent = ledger.add(state, {
        states: [state],
        marks: new Map(),
        recordsBefore: total,
        recordsPerStream: perStream,
      });
      yield JSON.stringify({ type: "STATE", state: sent });
    } else if (msg.type === "TRACE" && msg.trace.type === "STREAM_STATUS") {
      const name = (msg.trace as any).stream_status?.stream_descriptor?.name;
      if ((msg.trace as any).stream_status?.status === "COMPLETE") completed.add(name);
      yield JSON.stringify(msg);
    }
  }
  report();
  for (const s of streams) {
    if (!completed.has(s)) yield streamStatusLine(s, "COMPLETE");
    tracker.finishStream(s);
  }
}

/** A RECORD as a line, with the exact digits of integers past 2^53 that JSON.parse rounded. */
function recordLine(msg: AirbyteMessage & { type: "RECORD" }): string {
  const exact = notesOf(msg.record.data as object)?.exact;
  if (!exact) return JSON.stringify(msg);
  return stringifyExact({ ...msg, record: { ...msg.record, data: exact } })!;
}
