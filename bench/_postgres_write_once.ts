// One run in a fresh process: the replay connector's output into PostgreSQL the way PostgresCache
// writes it, printing a JSON line with the figures (peak RSS is this process's VmHWM).
//
// Until PostgresCache is wired to `Source.read` (it waits for the shared Cache interface), this
// runs the write path itself: the connector process is spawned as a read spawns it, its stdout
// goes through the LineSplitter and the RecordLineScanner into the ArrowBatchBuilder (the same
// code a read uses), each 50k-row batch is sent with binary COPY into an UNLOGGED stage on one
// connection inside one transaction, and at the STATE the stage is merged into the typed table
// (the stream has a primary key and a cursor: `auto` means merge) together with the state upsert,
// then committed. Discovery is not run (the schema is known), which a real read adds (~0.3 s).
import { LineSpans, LineSplitter } from "../src/protocol/line_splitter.ts";
import { RecordLineScanner } from "../src/arrow/record_line_scanner.ts";
import { ArrowBatchBuilder } from "../src/arrow/arrow_batch_builder.ts";
import { toStreamColumns } from "../src/arrow/stream_columns.ts";
import { pgTypeOf } from "../src/postgres/pg_types.ts";
import { checkout, connectPostgres, resolveConnection } from "../src/postgres/connection.ts";
import { copyArrowBatch } from "../src/postgres/copy_batch.ts";
import { createTableSql, mergeStage, stageTableName } from "../src/postgres/apply_stage.ts";
import { ensureInternalTables, internalTable, STATE_TABLE } from "../src/postgres/internal_tables.ts";
import { lockStreamTable } from "../src/postgres/stream_lock.ts";
import { ident } from "../src/cache/sql_quote.ts";
import { BENCH_SCHEMA } from "./_postgres_bench.ts";

const [dataPath, url, schema] = Deno.args;
const started = performance.now();
const pool = await connectPostgres(resolveConnection({ url }), { max: 2 });
await ensureInternalTables(pool);
const client = await checkout(pool);
await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
const table = "bench_records";
await lockStreamTable(client, schema, table);
const stage = await stageTableName(schema, table);
const columns = toStreamColumns(BENCH_SCHEMA);
const copyColumns = columns.map((c) => ({ name: c.name, property: c.property, pgType: pgTypeOf(c) }));
await client.query(`DROP TABLE IF EXISTS ${ident(schema)}.${ident(stage)}`);
await client.query(createTableSql(schema, stage, copyColumns, { unlogged: true }));
const builder = new ArrowBatchBuilder(columns, { batchRows: 50_000, syncId: Date.now(), idTime: Date.now() });
const scanner = new RecordLineScanner((stream) => stream === table ? builder : undefined);
const qualifiedStage = `${ident(schema)}.${ident(stage)}`;

const dir = await Deno.makeTempDir();
await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ path: dataPath }));
await Deno.writeTextFile(
  `${dir}/catalog.json`,
  JSON.stringify({
    streams: [{
      stream: { name: table, json_schema: BENCH_SCHEMA, supported_sync_modes: ["full_refresh"] },
      sync_mode: "full_refresh",
      destination_sync_mode: "append",
    }],
  }),
);
const child = new Deno.Command("python3", {
  args: [
    new URL("./replay_source.py", import.meta.url).pathname,
    "read",
    "--config",
    `${dir}/config.json`,
    "--catalog",
    `${dir}/catalog.json`,
  ],
  stdout: "piped",
}).spawn();

await client.query("BEGIN");
let records = 0;
let copying: Promise<number> = Promise.resolve(0);
const states: string[] = [];
const splitter = new LineSplitter();
const spans = new LineSpans();
const decoder = new TextDecoder();
const flush = async () => {
  if (builder.rowCount === 0) return;
  const ipc = builder.finish();
  await copying; // one COPY at a time on the connection; the next batch is built meanwhile
  copying = copyArrowBatch(client, qualifiedStage, copyColumns, ipc);
};
for await (const chunk of child.stdout) {
  spans.count = 0;
  splitter.pushSpans(chunk, spans);
  for (let k = 0; k < spans.count; k++) {
    if (scanner.addBytes(spans.buffers[k], spans.starts[k], spans.ends[k]) !== undefined) {
      records++;
      if (builder.rowCount >= 50_000) await flush();
    } else {
      const line = spans.text(k, decoder);
      const message = JSON.parse(line);
      if (message.type === "STATE") states.push(JSON.stringify(message.state));
      else if (message.type === "RECORD") {
        builder.add(message.record.data, message.record.emitted_at);
        records++;
      }
    }
  }
}
await child.status;
await flush();
await copying;
await client.query(createTableSql(schema, table, copyColumns, { ifNotExists: true }));
await mergeStage(client, schema, stage, table, {
  columns: copyColumns.map((c) => c.name),
  keys: ["id"],
  cursor: "updated_at",
});
for (const state of states) {
  await client.query(
    `INSERT INTO ${
      internalTable(STATE_TABLE)
    } (schema_name, source_name, state_key, state_type, state_json) ` +
      `VALUES ($1, 'source-replay', 'stream:bench_records', 'STREAM', $2) ` +
      `ON CONFLICT (schema_name, source_name, state_key) DO UPDATE SET state_json = excluded.state_json, updated_at = now()`,
    [schema, state],
  );
}
await client.query(`DROP TABLE ${qualifiedStage}`);
await client.query("COMMIT");
const seconds = (performance.now() - started) / 1000;
const rows = Number(
  (await client.query(`SELECT count(*) AS n FROM ${ident(schema)}.${ident(table)}`)).rows[0].n,
);
client.release();
await pool.end();
await Deno.remove(dir, { recursive: true });
const status = await Deno.readTextFile("/proc/self/status");
const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
console.log(JSON.stringify({ records, rows, readSeconds: seconds, peakRssMb }));
