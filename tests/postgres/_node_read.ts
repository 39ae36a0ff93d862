// Bundled for Node by node_read_test.ts: read the counter fixture into a PostgresCache, then print
// what is there as one JSON line. Node resolves the driver (pg) from node_modules at run time.
import { getSource, PostgresCache } from "../../mod.ts";

const [url, counter] = process.argv.slice(2);
const cache = new PostgresCache({ url, schemaName: "node" });
const source = await getSource("source-counter", { localExecutable: counter, config: { count: 1234 } });
const result = await source.read({ cache, streams: ["numbers"], progress: "none" });
const state = (await cache.getStateProvider("source-counter")).getStreamState("numbers");
console.log(JSON.stringify({
  read: result.processedRecords,
  rows: await result.get("numbers").count(),
  cursor: (state?.stream as { stream_state: unknown }).stream_state,
  location: cache.location,
}));
await cache.close();
