/**
 * A connector written in TypeScript, run in-process (works in Deno, Node and browsers), read into
 * an in-memory cache and replayed as Airbyte messages.
 *
 *   deno run -A examples/in_process_connector.ts
 */
import { AirbyteMessageIterator, DuckDBCache, getSource, type InProcessConnector } from "../mod.ts";

const squares: InProcessConnector = {
  name: "source-squares",
  spec: () =>
    Promise.resolve({ connectionSpecification: { type: "object", properties: { n: { type: "integer" } } } }),
  check: () => Promise.resolve({ status: "SUCCEEDED" }),
  discover: () =>
    Promise.resolve({
      streams: [{
        name: "squares",
        json_schema: { type: "object", properties: { i: { type: "integer" }, square: { type: "integer" } } },
        supported_sync_modes: ["full_refresh"],
      }],
    }),
  async *read(config) {
    for (let i = 0; i < Number(config.n ?? 10); i++) {
      yield {
        type: "RECORD",
        record: { stream: "squares", data: { i, square: i * i }, emitted_at: Date.now() },
      };
    }
  },
};

const source = await getSource("source-squares", { connector: squares, config: { n: 100 }, streams: "*" });
await using cache = new DuckDBCache({ path: ":memory:" });
const result = await source.read({ cache, progress: "none" });
console.log((await cache.sql("SELECT sum(square)::BIGINT AS total FROM squares")).toArray()[0].toJSON());
let records = 0;
for await (const m of AirbyteMessageIterator.fromReadResult(result)) if (m.type === "RECORD") records++;
console.log(`replayed ${records} records`);
