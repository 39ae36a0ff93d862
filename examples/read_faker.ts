/**
 * Read airbyte-source-faker into a DuckDB-WASM file cache, then query it with SQL.
 *
 *   deno run -A examples/read_faker.ts
 *
 * A second run is incremental: faker's state is stored in the cache with the data.
 */
import { DuckDBCache, getSource } from "../mod.ts";

const source = await getSource("source-faker", {
  pipUrl: "airbyte-source-faker==7.2.1",
  config: { count: 5_000, seed: 1 },
  streams: ["users", "purchases"],
});
await using cache = new DuckDBCache({ path: "./.cache/examples/faker.duckdb" });
const result = await source.read({ cache });
for (const [stream, dataset] of result) {
  console.log(`${stream}: ${result.recordsPerStream.get(stream)} read, ${await dataset.count()} cached`);
}
const top = await cache.sql(
  "SELECT u.name, count(*)::INTEGER AS purchases FROM purchases p JOIN users u ON u.id = p.user_id " +
    "GROUP BY u.name ORDER BY purchases DESC LIMIT 5",
);
console.table(top.toArray().map((r) => r.toJSON()));
