// The stdin of a destination fed from the cache: each stream's rows after its delivery mark, in
// `_airbyte_raw_id` order, page by page (memory stays bounded), each page followed by a marker
// STATE whose echo moves the mark; then the stream's real source state and a STREAM_STATUS
// COMPLETE trace; GLOBAL/LEGACY source states last.
import { recordSelectList, rowToRecord } from "../cache/_row_to_record.ts";
import { ident, literal, qualified } from "../cache/_sql.ts";
import { toPlainRows } from "../cache/cached_dataset.ts";
import type { DuckDBCache } from "../cache/duckdb_cache.ts";
import { toStreamColumns } from "../cache/stream_schema.ts";
import type { ResolvedWriteStrategy } from "../cache/write_strategy.ts";
import type { ProgressTracker } from "../progress/progress_tracker.ts";
import type { AirbyteStateMessage, AirbyteStream } from "../protocol/messages.ts";
import type { StateProvider } from "../state/state_provider.ts";
import type { CheckpointLedger } from "./checkpoint_ledger.ts";

export interface DeliveryStream {
  stream: AirbyteStream;
  table: string;
  strategy: ResolvedWriteStrategy;
  primaryKey: string[][];
  cursor: string[];
}

export interface CacheDeliveryInput {
  cache: DuckDBCache;
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
    const present = new Set(
      (await cache.sql(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = ${
          literal(cache.schemaName)
        } ` +
          `AND table_name = ${literal(s.table)}`,
      )).toArray().map((r) => String(r.column_name)),
    );
    const columns = toStreamColumns(s.stream.json_schema ?? {}, { stream: name }).filter((c) =>
      present.has(c.name)
    );
    const select = recordSelectList(columns);
    const table = qualified(cache.schemaName, s.table);
    // An overwrite replaces the destination's copy, so it must get every row.
    let last = s.strategy === "replace" ? undefined : input.marks.get(name);
    for (;;) {
      const where = last === undefined ? "" : `WHERE _airbyte_raw_id > ${literal(last)}`;
      const page = await cache.sql(
        `SELECT ${select}, epoch_ms(_airbyte_extracted_at) AS _ab_emitted_at FROM ${table} ${where} ` +
          `ORDER BY ${ident("_airbyte_raw_id")} LIMIT ${pageRows}`,
      );
      const rows = toPlainRows(page);
      if (rows.length === 0) break;
      let bytes = 0;
      for (const row of rows) {
        const line = JSON.stringify({
          type: "RECORD",
          record: { stream: name, data: rowToRecord(row, columns), emitted_at: Number(row._ab_emitted_at) },
        });
        bytes += line.length;
        yield line;
      }
      last = String(rows[rows.length - 1]._airbyte_raw_id);
      total += rows.length;
      perStream.set(name, perStream.get(name)! + rows.length);
      tracker.addRecords(name, rows.length, bytes);
      // A marker carries the last state this destination already confirmed (still true), so
      // whatever the destination keeps of it never claims more than was delivered.
      const marker = input.confirmedStates.getStreamState(name) ??
        { type: "STREAM", stream: { stream_descriptor: { name }, stream_state: {} } } as AirbyteStateMessage;
      yield checkpoint(marker, [], new Map([[name, last]]));
      if (rows.length < pageRows) break;
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
