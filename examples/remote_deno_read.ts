/**
 * Read airbyte-source-faker in a Deno program that may not start processes or write files: an
 * `airbyte-ts serve` server runs the connector, and the records land in an in-memory DuckDB-WASM
 * cache here.
 *
 *   export AIRBYTE_SERVER_URL=http://127.0.0.1:8787 AIRBYTE_SERVER_TOKEN=…
 *   deno run --allow-net=127.0.0.1 --allow-read --allow-env --allow-sys=cpus examples/remote_deno_read.ts
 *
 * No `--allow-run`, no `--allow-write`: the connector runs on the server, and the cache lives in
 * memory. (DuckDB-WASM needs `--allow-read` for its `.wasm` file and `--allow-sys=cpus` at load.)
 */
import { DuckDBCache, getSource } from "../mod.ts";

const url = Deno.env.get("AIRBYTE_SERVER_URL") ?? "http://127.0.0.1:8787";
const token = Deno.env.get("AIRBYTE_SERVER_TOKEN");
if (!token) throw new Error("Set AIRBYTE_SERVER_TOKEN to the token the server was started with.");

const source = await getSource("source-faker", {
  remote: { url, token },
  config: { count: Number(Deno.env.get("FAKER_COUNT") ?? 1_000), seed: 1 },
  streams: ["users", "purchases"],
});
await using cache = new DuckDBCache({ path: ":memory:" });
const result = await source.read({ cache, progress: "plain" });
for (const [stream, dataset] of result) console.log(`${stream}: ${await dataset.count()} rows cached`);
const table = await cache.sql("SELECT count(DISTINCT user_id)::INTEGER AS buyers FROM purchases");
console.log(`buyers: ${table.get(0)!.buyers}`);
