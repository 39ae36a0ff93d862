// A read into a PostgresCache in a process of its own, for the concurrency and crash tests:
//   deno run -A --config deno.json tests/postgres/_read_child.ts '<json options>'
// Options: url, schema, source (name), count, stateEvery, checkpointRows, strategy, barrier.
// With `barrier`, the process opens the cache, prints "ready" and waits for a line on stdin before
// reading, so several processes start their reads at the same moment. It prints "done <records>"
// at the end; the default lock-wait message goes to stderr.
import { getSource, PostgresCache, type WriteStrategy } from "../../mod.ts";

const options = JSON.parse(Deno.args[0]) as {
  url: string;
  schema: string;
  source: string;
  count: number;
  stateEvery?: number;
  checkpointRows?: number;
  strategy?: WriteStrategy;
  barrier?: boolean;
};
const counter = new URL("../fixtures/connectors/source_counter.py", import.meta.url).pathname;
const source = await getSource(options.source, {
  localExecutable: counter,
  config: { count: options.count, state_every: options.stateEvery ?? 500 },
});
const cache = new PostgresCache({
  url: options.url,
  schemaName: options.schema,
  applicationName: options.source,
});
if (options.barrier) {
  await cache.open();
  console.log("ready");
  const reader = Deno.stdin.readable.getReader();
  await reader.read();
  reader.releaseLock();
}
const result = await source.read({
  cache,
  streams: ["numbers"],
  progress: "none",
  checkpointRows: options.checkpointRows,
  writeStrategy: options.strategy,
});
await cache.close();
console.log(`done ${result.processedRecords}`);
