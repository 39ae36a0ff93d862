// A RemoteExecutor client for Node (bundled by the tests): reads the counter fixture through the
// server at argv[2] and writes it straight through to the remote destination-jsonl (its input
// streamed in the request body, undici's duplex upload), then prints the write's counts as JSON.
import { getDestination, getRuntime, getSource } from "../../mod.ts";

const rt = await getRuntime();
const [url, out] = rt.args();
const remote = { url, token: rt.env("AIRBYTE_TS_SERVER_TOKEN")! };
const source = await getSource("source-counter", { remote, config: { count: 1500, second_stream: true } });
const destination = await getDestination("destination-jsonl", { remote, config: { path: out } });
const result = await destination.write(source, { cache: false, streams: "*", progress: "none" });
const records: number[] = [];
for await (const record of source.getRecords("numbers", { limit: 7 })) records.push(Number(record.id));
rt.writeStdout(
  JSON.stringify({
    runtime: rt.name,
    written: result.processedRecords,
    confirmed: result.confirmedRecords,
    records,
  }) + "\n",
);
rt.exit(0);
