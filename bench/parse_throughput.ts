/**
 * How fast do connector output bytes become Airbyte messages, and Arrow batches? Generates 1M
 * RECORD lines (12 fields, ~300-420 bytes each) in memory as 64 KiB chunks, then times
 * `splitLines` + `parseMessageLine`, the batched path `AirbyteMessageIterator.fromByteStream`,
 * and the two ways a read builds Arrow batches of 50,000 rows: parsed messages into
 * `ArrowBatchBuilder.add` (the general path), and byte spans into `RecordLineScanner` (the
 * cache's fast path).
 *
 * Run: `npx deno run -A bench/parse_throughput.ts [records]`
 *
 * @module
 */
import { splitLineBatches, splitLines } from "../src/protocol/line_splitter.ts";
import { parseMessageLine } from "../src/protocol/message_parser.ts";
import { AirbyteMessageIterator } from "../src/protocol/message_iterator.ts";
import { LineSpans, LineSplitter } from "../src/protocol/line_splitter.ts";
import { ArrowBatchBuilder } from "../src/arrow/arrow_batch_builder.ts";
import { RecordLineScanner } from "../src/arrow/record_line_scanner.ts";
import { toStreamColumns } from "../src/arrow/stream_columns.ts";

const RECORDS = Number(globalThis.Deno?.args?.[0] ?? 1_000_000);
const CHUNK_BYTES = 64 * 1024;

const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];

/** A deterministic pseudo-random source, so runs compare. */
function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function recordLine(i: number, random: () => number): string {
  const word = () => WORDS[Math.floor(random() * WORDS.length)];
  const data = {
    id: i,
    uuid: `${(i * 2654435761 >>> 0).toString(16).padStart(8, "0")}-4b1c-9d2e-${
      i.toString(16).padStart(12, "0")
    }`,
    name: word(),
    email: `${word()}.${i}@example.com`,
    age: Math.floor(random() * 90),
    score: Math.round(random() * 1e6) / 100,
    active: random() > 0.5,
    created_at: new Date(1_600_000_000_000 + i * 1000).toISOString(),
    city: word().toUpperCase(),
    tags: [word(), word()],
    address: { street: `${Math.floor(random() * 999)} ${word()} st`, zip: String(10000 + (i % 89999)) },
    notes: word().repeat(Math.floor(random() * 8)),
  };
  return JSON.stringify({
    type: "RECORD",
    record: { stream: "users", data, emitted_at: 1_700_000_000_000 + i },
  });
}

function generateChunks(): { chunks: Uint8Array[]; bytes: number; minLine: number; maxLine: number } {
  const random = makeRandom(42);
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let current = new Uint8Array(CHUNK_BYTES);
  let used = 0;
  let bytes = 0;
  let minLine = Infinity;
  let maxLine = 0;
  for (let i = 0; i < RECORDS; i++) {
    const line = encoder.encode(recordLine(i, random) + "\n");
    minLine = Math.min(minLine, line.length - 1);
    maxLine = Math.max(maxLine, line.length - 1);
    bytes += line.length;
    let offset = 0;
    // Fill fixed-size chunks, so lines straddle chunk boundaries as they do on a pipe.
    while (offset < line.length) {
      const n = Math.min(CHUNK_BYTES - used, line.length - offset);
      current.set(line.subarray(offset, offset + n), used);
      used += n;
      offset += n;
      if (used === CHUNK_BYTES) {
        chunks.push(current);
        current = new Uint8Array(CHUNK_BYTES);
        used = 0;
      }
    }
  }
  if (used > 0) chunks.push(current.subarray(0, used));
  return { chunks, bytes, minLine, maxLine };
}

async function* fromArray(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

function report(label: string, records: number, bytes: number, ms: number): void {
  const perSecond = Math.round(records / (ms / 1000));
  const mbPerSecond = (bytes / 1e6 / (ms / 1000)).toFixed(0);
  console.log(
    `${label.padEnd(50)} ${records} records in ${ms.toFixed(0)} ms: ${
      perSecond.toLocaleString("en-US")
    } records/s, ${mbPerSecond} MB/s`,
  );
}

/** The fastest time seen per label: the machine is shared, so the best round is the signal. */
const best = new Map<string, number>();

async function timeIt(label: string, bytes: number, run: () => Promise<number>): Promise<void> {
  const start = performance.now();
  const records = await run();
  const ms = performance.now() - start;
  if (records !== RECORDS) throw new Error(`${label}: expected ${RECORDS} records, got ${records}`);
  report(label, records, bytes, ms);
  best.set(label, Math.min(best.get(label) ?? Infinity, ms));
}

/** The JSON Schema of the generated records. */
const USERS_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "integer" },
    uuid: { type: "string" },
    name: { type: "string" },
    email: { type: "string" },
    age: { type: "integer" },
    score: { type: "number" },
    active: { type: "boolean" },
    created_at: { type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" },
    city: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    address: { type: "object", properties: { street: { type: "string" }, zip: { type: "string" } } },
    notes: { type: "string" },
  },
};
const BATCH_ROWS = 50_000;

const { chunks, bytes, minLine, maxLine } = generateChunks();
console.log(
  `${RECORDS} RECORD lines, ${(bytes / 1e6).toFixed(0)} MB, ${minLine}-${maxLine} bytes per line, ` +
    `${chunks.length} chunks of 64 KiB`,
);

const ROUNDS = 3;
for (let round = 1; round <= ROUNDS; round++) {
  console.log(`round ${round}`);
  await timeIt("splitLines only", bytes, async () => {
    let n = 0;
    for await (const _line of splitLines(fromArray(chunks))) n++;
    return n;
  });
  await timeIt("splitLines + parseMessageLine", bytes, async () => {
    let n = 0;
    for await (const line of splitLines(fromArray(chunks))) {
      const outcome = parseMessageLine(line);
      if (outcome.ok && outcome.message.type === "RECORD") n++;
    }
    return n;
  });
  await timeIt("splitLineBatches + parseMessageLine", bytes, async () => {
    let n = 0;
    for await (const lines of splitLineBatches(fromArray(chunks))) {
      for (const line of lines) {
        const outcome = parseMessageLine(line);
        if (outcome.ok && outcome.message.type === "RECORD") n++;
      }
    }
    return n;
  });
  await timeIt("AirbyteMessageIterator.fromByteStream().batches", bytes, async () => {
    let n = 0;
    for await (const batch of AirbyteMessageIterator.fromByteStream(fromArray(chunks)).batches()) {
      for (const message of batch) if (message.type === "RECORD") n++;
    }
    return n;
  });
  await timeIt("parse + ArrowBatchBuilder.add (general path)", bytes, async () => {
    const builder = new ArrowBatchBuilder(toStreamColumns(USERS_SCHEMA), { batchRows: BATCH_ROWS });
    let n = 0;
    for await (const lines of splitLineBatches(fromArray(chunks))) {
      for (const line of lines) {
        const outcome = parseMessageLine(line);
        if (!outcome.ok || outcome.message.type !== "RECORD") continue;
        builder.add(
          outcome.message.record.data as Record<string, unknown>,
          outcome.message.record.emitted_at,
        );
        if (builder.rowCount >= BATCH_ROWS) builder.finish();
        n++;
      }
    }
    builder.finish();
    return n;
  });
  await timeIt("byte spans + RecordLineScanner (cache fast path)", bytes, async () => {
    const builder = new ArrowBatchBuilder(toStreamColumns(USERS_SCHEMA), { batchRows: BATCH_ROWS });
    const scanner = new RecordLineScanner((stream) => stream === "users" ? builder : undefined);
    const splitter = new LineSplitter();
    const spans = new LineSpans();
    let n = 0;
    for await (const chunk of fromArray(chunks)) {
      splitter.pushSpans(chunk, spans);
      for (let k = 0; k < spans.count; k++) {
        if (scanner.addBytes(spans.buffers[k], spans.starts[k], spans.ends[k]) === undefined) {
          throw new Error("the scanner declined a plain record");
        }
        if (builder.rowCount >= BATCH_ROWS) builder.finish();
        n++;
      }
    }
    builder.finish();
    return n;
  });
  await timeIt("AirbyteMessageIterator.fromByteStream", bytes, async () => {
    let n = 0;
    for await (const message of AirbyteMessageIterator.fromByteStream(fromArray(chunks))) {
      if (message.type === "RECORD") n++;
    }
    return n;
  });
}

console.log(`best of ${ROUNDS} rounds`);
for (const [label, ms] of best) report(label, RECORDS, bytes, ms);
