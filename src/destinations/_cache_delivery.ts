// The stdin of a destination fed from the cache: each stream's rows after its delivery mark, in
// `_airbyte_raw_id` order, page by page (memory stays bounded), each page followed by a marker
// STATE whose echo moves the mark; then the stream's real source state and a STREAM_STATUS
// COMPLETE trace; GLOBAL/LEGACY source states last.
import type { Cache, StreamPlan } from "../cache/cache.ts";
import type { ProgressTracker } from "../progress/progress_tracker.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import type { StateProvider } from "../state/state_provider.ts";
import type { CheckpointLedger } from "./checkpoint_ledger.ts";
import { stringifyExact } from "../protocol/exact_json.ts";

/** A planned stream and the cache table it is delivered from. */
export interface DeliveryStream extends StreamPlan {
  table: string;
}

export interface CacheDeliveryInput {
  cache: Cache;
  streams: DeliveryStream[];
  /** Stream → last `_airbyte_raw_id` the destination confirmed. */
  marks: Map<string, string>;
  sourceStates: StateProvider;
  confirmedStates: StateProvider;
  ledger: CheckpointLedger;
  tracker: ProgressTracker;
  pageRows?: number;
}

export function streamStatusLine(stream: string, status: "STARTED" | "COMPLETE"): string {
  return JSON.stringify({
    type: "TRACE",
    trace: {
      type: "STREAM_STATUS",
      emitted_at: Date.now(),
      stream_status: { stream_descriptor: { name: stream }, status },
    },
  });
}

export async function* cacheDeliveryLines(input: CacheDeliveryInput): AsyncGenerator<string> {
  const { cache, ledger, tracker } = input;
  const pageRows = input.pageRows ?? 10_000;
  let total = 0;
  const perStream = new Map<string, number>();
  const checkpoint = (
    state: AirbyteStateMessage,
    states: AirbyteStateMessage[],
    marks: Map<string, string>,
  ) =>
    JSON.stringify({
      type: "STATE",
      state: ledger.add(state, { states, marks, recordsBefore: total, recordsPerStream: perStream }),
    });

  for (const s of input.streams) {
    const name = s.stream.name;
    tracker.startStream(name);
    perStream.set(name, 0);
    yield streamStatusLine(name, "STARTED");
    // An overwrite replaces the destination's copy, so it must get every row.
    const after = s.strategy === "replace" ? undefined : input.marks.get(name);
    let last = after;
    const target = { stream: name, table: s.table, jsonSchema: s.stream.json_schema };
    for await (const page of cache.recordPages(target, { after, pageRows })) {
      let bytes = 0;
      for (const record of page.records) {
        // BIGINT values past 2^53 come back as bigints: written as their exact digits.
        const line = stringifyExact({ type: "RECORD", record })!;
        bytes += line.length;
        yield line;
      }
      last = page.lastRawId;
      total += page.records.length;
      perStream.set(name, perStream.get(name)! + page.records.length);
      tracker.addRecords(name, page.records.length, bytes);
      // A marker carries the last state this destination already confirmed (still true), so
      // whatever the destination keeps of it never claims more than was delivered.
      const marker = input.confirmedStates.getStreamState(name) ??
        { type: "STREAM", stream: { stream_descriptor: { name }, stream_state: {} } } as AirbyteStateMessage;
      yield checkpoint(marker, [], new Map([[name, last]]));
    }
    const sourceState = input.sourceStates.getStreamState(name);
    if (sourceState) yield checkpoint(sourceState, [sourceState], last ? new Map([[name, last]]) : new Map());
    yield streamStatusLine(name, "COMPLETE");
    tracker.finishStream(name);
  }
  for (const m of input.sourceStates.stateMessages) {
    if (m.type !== "STREAM") yield checkpoint(m, [m], new Map());
  }
}
