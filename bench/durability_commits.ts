/**
 * Measures DuckDB-WASM instantiate time and the per-commit cost of each durability mode of
 * `openNodeEngine`. Run: `npx deno run -A bench/durability_commits.ts [rounds]`.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { type Durability, lastInstantiateMs, openNodeEngine } from "../wasm/load_node.ts";

function batch(rows: number, offset: number): Uint8Array {
  const ids = new BigInt64Array(rows);
  const values = new Float64Array(rows);
  const names: string[] = new Array(rows);
  const flags: boolean[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    ids[i] = BigInt(offset + i);
    values[i] = (offset + i) * 0.5;
    names[i] = `name-${offset + i}-${"x".repeat(i % 40)}`;
    flags[i] = i % 3 === 0;
  }
  return arrow.tableToIPC(
    arrow.tableFromArrays({ id: ids, value: values, name: names, flag: flags }),
    "stream",
  );
}

const rounds = Number(Deno.args[0] ?? 10);
const dir = Deno.makeTempDirSync({ prefix: "duckdb-bench-" });
const ipc = batch(50_000, 0);
for (const durability of ["wal", "checkpoint"] as Durability[]) {
  const path = `${dir}/${durability}.duckdb`;
  const engine = await openNodeEngine(path, { durability });
  const instantiate = lastInstantiateMs;
  await engine.exec("CREATE TABLE state(n BIGINT); INSERT INTO state VALUES (0)");
  await engine.insertArrowIPC(ipc, { table: "rows", create: true });
  const commitMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await engine.exec("BEGIN");
    await engine.insertArrowIPC(ipc, { table: "rows", create: false });
    await engine.exec("UPDATE state SET n = n + 1; COMMIT");
    commitMs.push(performance.now() - t0);
  }
  const bigMs = commitMs.reduce((a, b) => a + b, 0) / rounds;
  const tenth = Math.max(1, Math.floor(rounds / 10));
  const firstMs = commitMs.slice(0, tenth).reduce((a, b) => a + b, 0) / tenth;
  const lastMs = commitMs.slice(-tenth).reduce((a, b) => a + b, 0) / tenth;
  let started = performance.now();
  const tiny = rounds * 20;
  started = performance.now();
  for (let i = 0; i < tiny; i++) await engine.exec("UPDATE state SET n = n + 1");
  const tinyMs = (performance.now() - started) / tiny;
  started = performance.now();
  await engine.close();
  const closeMs = performance.now() - started;
  console.log(
    `${durability.padEnd(10)} instantiate ${instantiate.toFixed(0)} ms | 50k-row commit ${
      bigMs.toFixed(1)
    } ms ` +
      `(${(1000 / bigMs).toFixed(1)} commits/s, ${(50_000_000 / bigMs / 1000).toFixed(0)}k rows/s; ` +
      `first/last tenth ${firstMs.toFixed(0)}/${lastMs.toFixed(0)} ms) | ` +
      `tiny commit ${tinyMs.toFixed(2)} ms (${(1000 / tinyMs).toFixed(0)} commits/s) | close ${
        closeMs.toFixed(0)
      } ms | ` +
      `file ${(Deno.statSync(path).size / 1e6).toFixed(1)} MB`,
  );
}
Deno.removeSync(dir, { recursive: true });
