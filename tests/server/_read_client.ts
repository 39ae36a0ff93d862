// A client in its own process, for tests that kill it: reads stream `<stream>` of `<connector>`
// through the server at `<url>` (config JSON in argv too) and prints one line per record.
import { getSource } from "../../mod.ts";

const [url, connector, stream, config] = Deno.args;
const source = await getSource(connector, {
  remote: { url, token: Deno.env.get("AIRBYTE_TS_SERVER_TOKEN")! },
  config: JSON.parse(config),
});
const encoder = new TextEncoder();
for await (const record of source.getRecords(stream)) {
  await Deno.stdout.write(encoder.encode(`RECORD ${JSON.stringify(record)}\n`));
}
