/**
 * Binary vs text `COPY … FROM STDIN` for the Arrow batches a read builds: why PostgresCache sends
 * binary. The same batches (the read benchmark's 12-field records, built by the real
 * ArrowBatchBuilder) are encoded by `BinaryCopyEncoder`, and by a text encoder written here for
 * the comparison (tab-separated, escaped, `\N` for NULL, working on the same Arrow buffers), then
 * copied into the same table of a real server. Prints encode-only and encode+COPY records/s.
 *
 *   deno run -A bench/postgres_copy_formats.ts [--records 500000] [--url postgres://…]
 *
 * Without --url (or AIRBYTE_TS_TEST_PG_URL) it starts a private, durable cluster with
 * scripts/services/postgres.sh and stops it at the end.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { ArrowBatchBuilder } from "../src/arrow/arrow_batch_builder.ts";
import { toStreamColumns } from "../src/arrow/stream_columns.ts";
import { pgTypeOf } from "../src/postgres/pg_types.ts";
import { BinaryCopyEncoder } from "../src/postgres/copy_encoder.ts";
import { BENCH_SCHEMA, benchRecord, startBenchPostgres } from "./_postgres_bench.ts";

const args = Deno.args;
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const records = Number(flag("records") ?? 500_000);
const server = await startBenchPostgres(flag("url"));

const columns = toStreamColumns(BENCH_SCHEMA);
const copyColumns = columns.map((c) => ({ name: c.name, property: c.property, pgType: pgTypeOf(c) }));
const builder = new ArrowBatchBuilder(columns, { syncId: 1 });
const batches: arrow.Table[] = [];
for (let i = 1; i <= records; i++) {
  builder.add(benchRecord(i), 1_700_000_000_000);
  if (builder.rowCount === 50_000) batches.push(arrow.tableFromIPC(builder.finish()));
}
if (builder.rowCount) batches.push(arrow.tableFromIPC(builder.finish()));

const pool = new pg.Pool({ connectionString: server.url, max: 1 });
const client = await pool.connect();
const ddl = copyColumns.map((c) => `"${c.name}" ${c.pgType}`).join(", ");
const list = copyColumns.map((c) => `"${c.name}"`).join(", ");

async function copy(sqlText: string, chunks: Iterable<Uint8Array>): Promise<void> {
  const stream = client.query(copyFrom(sqlText));
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await new Promise((r) => stream.once("drain", r));
  }
  stream.end();
  await done;
}

function* binaryChunks(): Generator<Uint8Array> {
  const encoder = new BinaryCopyEncoder(copyColumns);
  yield encoder.header();
  for (const batch of batches) yield* encoder.encode(batch);
  yield encoder.trailer();
}

function* textChunks(): Generator<Uint8Array> {
  for (const batch of batches) yield* encodeText(batch);
}

async function measure(name: string, format: string, chunks: () => Iterable<Uint8Array>) {
  let started = performance.now();
  let bytes = 0;
  for (const chunk of chunks()) bytes += chunk.length;
  const encodeSeconds = (performance.now() - started) / 1000;
  await client.query(`DROP TABLE IF EXISTS copy_bench; CREATE TABLE copy_bench (${ddl})`);
  started = performance.now();
  await copy(`COPY copy_bench (${list}) FROM STDIN WITH (FORMAT ${format})`, chunks());
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await client.query("SELECT count(*)::int AS n FROM copy_bench");
  if (rows[0].n !== records) throw new Error(`${name}: ${rows[0].n} rows instead of ${records}`);
  console.log(
    `${name} records=${records} bytes=${bytes} encode_records_per_s=${Math.round(records / encodeSeconds)} ` +
      `copy_seconds=${seconds.toFixed(2)} copy_records_per_s=${Math.round(records / seconds)}`,
  );
  return seconds;
}

// --- the text encoder, for the comparison only ---------------------------------------------

const encoder = new TextEncoder();
const TAB = 9, NEWLINE = 10, BACKSLASH = 92;
const NULL_FIELD = encoder.encode("\\N");
const EPOCH_MS = Date.UTC(1970, 0, 1);

function* encodeText(batch: arrow.Table): Generator<Uint8Array> {
  const rows = batch.numRows;
  const fields = copyColumns.map((c) => batch.getChild(c.name)!.data[0] as arrow.Data);
  let out = new Uint8Array(1 << 20);
  let at = 0;
  const ensure = (n: number) => {
    if (at + n <= out.length) return;
    const next = new Uint8Array(Math.max(out.length * 2, at + n));
    next.set(out.subarray(0, at));
    out = next;
  };
  const ascii = (s: string) => {
    ensure(s.length);
    for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
  };
  for (let row = 0; row < rows; row++) {
    if (at > (1 << 20) - 4096) {
      yield out.slice(0, at);
      at = 0;
    }
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) out[at++] = TAB;
      const data = fields[i];
      const bit = data.offset + row;
      if (data.nullCount > 0 && (data.nullBitmap![bit >> 3] & (1 << (bit & 7))) === 0) {
        ensure(2);
        out.set(NULL_FIELD, at);
        at += 2;
        continue;
      }
      const values = data.values;
      switch (data.type.typeId) {
        case arrow.Type.Utf8: {
          const o = data.valueOffsets as Int32Array;
          const bytes = values as Uint8Array;
          ensure((o[row + 1] - o[row]) * 2);
          for (let k = o[row]; k < o[row + 1]; k++) {
            const b = bytes[k];
            if (b === BACKSLASH || b === TAB || b === NEWLINE || b === 13) {
              out[at++] = BACKSLASH;
              out[at++] = b === TAB ? 116 : b === NEWLINE ? 110 : b === 13 ? 114 : BACKSLASH;
            } else out[at++] = b;
          }
          break;
        }
        case arrow.Type.Int:
          ascii(String((values as BigInt64Array)[row]));
          break;
        case arrow.Type.Float:
          ascii(String((values as Float64Array)[row]));
          break;
        case arrow.Type.Bool:
          ascii((values as Uint8Array)[bit >> 3] & (1 << (bit & 7)) ? "t" : "f");
          break;
        case arrow.Type.Timestamp: {
          const micros = Number((values as BigInt64Array)[row]);
          const ms = Math.floor(micros / 1000);
          const iso = new Date(EPOCH_MS + ms).toISOString();
          ascii(`${iso.slice(0, 23)}${String(micros - ms * 1000).padStart(3, "0")}Z`);
          break;
        }
        case arrow.Type.FixedSizeBinary: {
          const b = (values as Uint8Array).subarray(row * 16, row * 16 + 16);
          let hex = "";
          for (let k = 0; k < 16; k++) hex += (b[k] < 16 ? "0" : "") + b[k].toString(16);
          ascii(hex);
          break;
        }
        default:
          throw new Error(`no text encoding for ${data.type}`);
      }
    }
    ensure(1);
    out[at++] = NEWLINE;
  }
  if (at > 0) yield out.slice(0, at);
}

try {
  const text = await measure("text", "text", textChunks);
  const binary = await measure("binary", "binary", binaryChunks);
  console.log(`binary_vs_text_speedup=${(text / binary).toFixed(2)}`);
} finally {
  client.release();
  await pool.end();
  await server.stop();
}
