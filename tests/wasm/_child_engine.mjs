// Child process for tests/wasm/load_node_test.ts, runnable by Deno and by Node alike: the first
// argument is the engine module to import (wasm/load_node.ts for Deno, its esbuild output for
// Node, which cannot run TypeScript).
//
//   <engine module> read <db> [--no-close]   print tables, row counts and the state row as JSON
//   <engine module> append <db> <batchSize> [durability] [checkpointThreshold]
//                                            append batches forever, printing "committed N" after
//                                            each COMMIT returns (the parent kills it)
//   <engine module> fill <db>                write the fixture tables of the reopen test, then close
import process from "node:process";
import * as arrow from "apache-arrow";

const [modulePath, command, dbPath, ...rest] = process.argv.slice(2);
const { openNodeEngine } = await import(modulePath);

const rows = (table) => table.toArray().map((row) => row.toJSON());
const json = (value) => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? Number(v) : v));

if (command === "read") {
  const engine = await openNodeEngine(dbPath);
  const tables = rows(
    await engine.query(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1",
    ),
  ).map((r) => r.name);
  const counts = {};
  for (const name of tables) {
    counts[name] = Number(rows(await engine.query(`SELECT count(*) AS n FROM "${name}"`))[0].n);
  }
  const out = { tables, counts };
  if (tables.includes("state")) {
    out.state = Number(rows(await engine.query("SELECT batches FROM state"))[0].batches);
  }
  if (tables.includes("batches")) {
    out.batchCheck = rows(
      await engine.query(
        "SELECT count(DISTINCT batch) AS distinct_batches, coalesce(min(batch), 0) AS lo, " +
          "coalesce(max(batch), 0) AS hi FROM batches",
      ),
    ).map((r) => ({ distinct: Number(r.distinct_batches), lo: Number(r.lo), hi: Number(r.hi) }))[0];
  }
  if (tables.includes("fixture")) out.fixture = rows(await engine.query("SELECT * FROM fixture ORDER BY id"));
  process.stdout.write(json(out) + "\n");
  if (!rest.includes("--no-close")) await engine.close();
  process.exit(0);
}

if (command === "append") {
  const [size, durability = "wal", threshold] = rest;
  const batchSize = Number(size);
  const engine = await openNodeEngine(dbPath, { durability });
  // A small threshold makes DuckDB checkpoint (and the WAL restart) every few commits.
  if (threshold) await engine.exec(`SET checkpoint_threshold='${threshold}'`);
  await engine.exec("CREATE TABLE IF NOT EXISTS state(batches INTEGER); ");
  if (rows(await engine.query("SELECT count(*) AS n FROM state"))[0].n == 0) {
    await engine.exec("INSERT INTO state VALUES (0)");
  }
  const exists = rows(
    await engine.query(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'batches'",
    ),
  )[0].n > 0;
  let next = Number(rows(await engine.query("SELECT batches FROM state"))[0].batches) + 1;
  let create = !exists;
  process.stdout.write("ready\n");
  for (;;) {
    const i = new Int32Array(batchSize).map((_, k) => k);
    const table = arrow.tableFromArrays({
      batch: new Int32Array(batchSize).fill(next),
      i,
      payload: Array.from(i, (k) => `row ${k} of batch ${next}`),
    });
    await engine.exec("BEGIN");
    await engine.insertArrowIPC(arrow.tableToIPC(table, "stream"), { table: "batches", create });
    await engine.exec(`UPDATE state SET batches = ${next}; COMMIT`);
    process.stdout.write(`committed ${next}\n`);
    create = false;
    next++;
  }
}

if (command === "fill") {
  const engine = await openNodeEngine(dbPath);
  await engine.exec(
    "CREATE TABLE fixture(id INTEGER, name VARCHAR, seen_at TIMESTAMPTZ, tags VARCHAR[], " +
      "meta STRUCT(ok BOOLEAN, score DOUBLE));" +
      "INSERT INTO fixture VALUES " +
      "(1, 'one', TIMESTAMPTZ '2024-01-02 03:04:05+00', ['a', 'b'], {'ok': true, 'score': 1.5})," +
      "(2, NULL, NULL, [], {'ok': false, 'score': NULL});" +
      "CREATE TABLE big AS SELECT range AS i, 'text ' || range AS s FROM range(300000);",
  );
  await engine.close();
  process.stdout.write(json({ filled: true }) + "\n");
  process.exit(0);
}

process.stderr.write(`unknown command ${command}\n`);
process.exit(2);
