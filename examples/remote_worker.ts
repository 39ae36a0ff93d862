/**
 * A Cloudflare Worker that runs Python connectors it could never start itself: `airbyte-ts serve`
 * runs them, the Worker talks to it over HTTP with `fetch` and web streams (RemoteExecutor).
 *
 * It checks airbyte-source-faker, discovers its streams, takes the first users (`getRecords` with a
 * limit; the connector is ended on the server), and writes faker's users straight through to a
 * destination (`cache: false`: no DuckDB in the Worker). The answer is JSON with the counts.
 *
 * Bindings: `AIRBYTE_SERVER_URL`, `AIRBYTE_SERVER_TOKEN` (a secret), `DESTINATION_PATH` (where the
 * server's destination writes). Bundle with esbuild's API (`bundle`, `format: "esm"`,
 * `conditions: ["workerd", "worker", "browser"]`, `external: ["node:*"]`) and the plugin of
 * src/preview/_npm_specifiers.ts for the library's `npm:` imports; tests/edge/workerd_test.ts
 * runs it in workerd against a real server on loopback.
 */
import { getDestination, getSource } from "../mod.ts";

/** The Worker's bindings. */
export interface Env {
  AIRBYTE_SERVER_URL: string;
  AIRBYTE_SERVER_TOKEN: string;
  DESTINATION_PATH: string;
  /** How many users faker makes. */
  FAKER_COUNT?: string;
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    try {
      const remote = { url: env.AIRBYTE_SERVER_URL, token: env.AIRBYTE_SERVER_TOKEN };
      const count = Number(env.FAKER_COUNT ?? 200);
      const source = await getSource("source-faker", { remote, config: { count, seed: 1 } });
      await source.check();
      const streams = await source.getAvailableStreams();

      const firstUsers: string[] = [];
      for await (const user of source.getRecords("users", { limit: 10 })) firstUsers.push(String(user.email));

      const destination = await getDestination("destination-jsonl", {
        remote,
        config: { path: env.DESTINATION_PATH },
      });
      const written = await destination.write(source, { cache: false, streams: ["users"], progress: "none" });

      return Response.json({
        streams,
        firstUsers: firstUsers.length,
        written: written.processedRecords,
        confirmed: written.confirmedRecords,
      });
    } catch (error) {
      const e = error as Error & { code?: string };
      return Response.json({ error: { name: e.name, code: e.code, message: e.message } }, { status: 500 });
    }
  },
};
