/**
 * Benchmark: the Arrow build step of the cache (`ArrowBatchBuilder.add` + `finish`) on 1M records
 * of ~300 bytes and 12 fields (integers, floats, strings, timestamps, a date, a boolean, a nested
 * object, nullable fields), already parsed as objects, in 50k-row batches.
 *
 * Run: `npx deno run -A bench/arrow_build.ts [records] [batchRows]`
 *
 * Two figures:
 * - **pre-parsed**: all records are made with `JSON.parse` before the clock starts, then built
 *   (the brief's setup; records are cold in the CPU caches by the time they are added);
 * - **streaming**: records are parsed 1,000 at a time just before they are added, as in a real
 *   read; only `add` and `finish` are timed.
 *
 * Wall-clock time is reported, and for the first figure the process's CPU time too (steadier on a
 * shared machine; it includes V8's GC threads).
 *
 * @module
 */
import process from "node:process";
import { ArrowBatchBuilder } from "../src/arrow/arrow_batch_builder.ts";
import { toStreamColumns } from "../src/arrow/stream_columns.ts";

const TOTAL = Number(Deno.args[0] ?? 1_000_000);
const BATCH = Number(Deno.args[1] ?? 50_000);

const schema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    user_id: { type: ["null", "integer"] },
    amount: { type: "number" },
    score: { type: ["null", "number"] },
    name: { type: "string" },
    email: { type: "string" },
    status: { type: "string" },
    created_at: { type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" },
    updated_at: { type: ["null", "string"], format: "date-time" },
    birth_date: { type: ["null", "string"], format: "date" },
    is_active: { type: "boolean" },
    address: { type: "object", properties: { city: { type: "string" }, zip: { type: "string" } } },
  },
};
const STATUSES = ["active", "pending", "closed", "suspended"];
const CITIES = ["Lisbon", "Berlin", "Montréal", "Osaka", "Nairobi", "Lima"];

function line(i: number): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const created = `2024-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}T${pad(i % 24)}:${pad(i % 60)}:${
    pad((i * 7) % 60)
  }.${pad(i % 1_000_000, 6)}Z`;
  return JSON.stringify({
    id: i,
    user_id: i % 10 === 0 ? null : 1_000_000 + (i % 50_000),
    amount: Math.round(i * 137.31) / 100,
    score: i % 7 === 0 ? null : (i % 1000) / 7,
    name: `Customer ${i}`,
    email: `customer.${i}@example-${i % 97}.com`,
    status: STATUSES[i % 4],
    created_at: created,
    updated_at: i % 3 === 0 ? null : `2024-06-${pad(1 + (i % 28))}T12:00:00+02:00`,
    birth_date: i % 5 === 0 ? null : `19${pad(50 + (i % 50))}-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}`,
    is_active: i % 2 === 0,
    address: { city: CITIES[i % CITIES.length], zip: pad(i % 100_000, 5) },
  });
}

// Parse everything first (as a reader would have), so the clock sees only the build.
let jsonBytes = 0;
const records: Record<string, unknown>[] = new Array(TOTAL);
for (let i = 0; i < TOTAL; i++) {
  const text = line(i);
  jsonBytes += text.length;
  records[i] = JSON.parse(text);
}

const builder = new ArrowBatchBuilder(toStreamColumns(schema), { batchRows: BATCH, syncId: 1 });
let addMs = 0;
let finishMs = 0;
let ipcBytes = 0;
const emittedAt = Date.now();
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const cpuStart = cpuMs();
for (let start = 0; start < TOTAL; start += BATCH) {
  const end = Math.min(start + BATCH, TOTAL);
  const t0 = performance.now();
  for (let i = start; i < end; i++) builder.add(records[i], emittedAt);
  const t1 = performance.now();
  ipcBytes += builder.finish().byteLength;
  finishMs += performance.now() - t1;
  addMs += t1 - t0;
}
const cpuTotal = cpuMs() - cpuStart;
const totalMs = addMs + finishMs;
records.length = 0;

// Streaming: parse a small chunk, add it while it is still in cache.
const CHUNK = 1_000;
let streamMs = 0;
for (let start = 0; start < TOTAL; start += CHUNK) {
  const chunk: Record<string, unknown>[] = [];
  for (let i = start; i < Math.min(start + CHUNK, TOTAL); i++) chunk.push(JSON.parse(line(i)));
  const t0 = performance.now();
  for (const record of chunk) builder.add(record, emittedAt);
  if (builder.rowCount >= BATCH || start + CHUNK >= TOTAL) builder.finish();
  streamMs += performance.now() - t0;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`runtime: ${navigator.userAgent}`);
console.log(
  `records: ${fmt(TOTAL)} in ${BATCH}-row batches, ${(jsonBytes / TOTAL).toFixed(0)} JSON bytes each`,
);
console.log(`add:     ${addMs.toFixed(0)} ms`);
console.log(`finish:  ${finishMs.toFixed(0)} ms (Arrow IPC: ${(ipcBytes / 1e6).toFixed(1)} MB)`);
console.log(
  `build:   ${fmt(TOTAL / (totalMs / 1000))} records/s wall, ${
    fmt(TOTAL / (cpuTotal / 1000))
  } records/s CPU ` +
    `(${(jsonBytes / 1e6 / (totalMs / 1000)).toFixed(0)} MB/s of JSON, wall)  [pre-parsed]`,
);
console.log(`build:   ${fmt(TOTAL / (streamMs / 1000))} records/s wall  [streaming, 1,000-record chunks]`);
