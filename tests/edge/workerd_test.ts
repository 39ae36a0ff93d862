// The remote executor at the real edge: examples/remote_worker.ts, bundled with esbuild, runs in
// workerd (Cloudflare's Workers runtime, from npm) and drives `airbyte-ts serve` on loopback:
// check, discover and getRecords with a limit for airbyte-source-faker, and Destination.write
// straight through (cache: false) to the CDK destination fixture. The Worker answers with counts.
import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import { npmSpecifiers } from "../../src/preview/_npm_specifiers.ts";
import { DESTINATION_JSONL_PIP, FAKER_PIP, jsonlLines, ROOT, tempDir } from "../_support.ts";
import { eventually, startServer, TOKEN } from "../server/_harness.ts";

/** The workerd binary that the npm package brought for this platform. */
async function workerdBinary(): Promise<string> {
  const out = await new Deno.Command("node", {
    args: ["-p", 'require("workerd").default'],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert.equal(out.code, 0, "the workerd npm package is installed");
  return new TextDecoder().decode(out.stdout).trim();
}

/** Bundle the Worker; returns its size. */
export async function bundleWorker(entry: string, outfile: string): Promise<number> {
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      conditions: ["workerd", "worker", "browser"],
      // Node-only pieces sit behind runtime checks and never load in a Worker.
      external: ["node:*", "@duckdb/duckdb-wasm/dist/duckdb-node*"],
      plugins: [npmSpecifiers],
      logLevel: "error",
    });
  } finally {
    await esbuild.stop();
  }
  return (await Deno.stat(outfile)).size;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("a Worker in workerd checks, discovers and reads faker, and writes to a destination, through airbyte-ts serve", async () => {
  await using dir = await tempDir();
  await using server = await startServer({
    connectors: {
      "source-faker": { pipUrl: FAKER_PIP },
      "destination-jsonl": { pipUrl: DESTINATION_JSONL_PIP },
    },
  });
  const size = await bundleWorker(`${ROOT}/examples/remote_worker.ts`, `${dir.path}/worker.js`);
  const out = `${dir.path}/out`;
  const port = freePort();
  await Deno.writeTextFile(
    `${dir.path}/config.capnp`,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # Outbound fetches may reach loopback (the airbyte-ts server), nothing is proxied.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "internet",
  bindings = [
    (name = "AIRBYTE_SERVER_URL", text = ${JSON.stringify(server.url)}),
    (name = "AIRBYTE_SERVER_TOKEN", text = ${JSON.stringify(TOKEN)}),
    (name = "DESTINATION_PATH", text = ${JSON.stringify(out)}),
    (name = "FAKER_COUNT", text = "200"),
  ],
);
`,
  );
  const workerd = new Deno.Command(await workerdBinary(), {
    args: ["serve", `${dir.path}/config.capnp`],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const collect = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) log.push(text);
  };
  const drained = Promise.all([collect(workerd.stdout), collect(workerd.stderr)]);
  try {
    let response: Response | undefined;
    for (let attempt = 0; attempt < 200 && !response; attempt++) {
      response = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
      if (!response) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(response, `workerd did not listen:\n${log.join("")}`);
    const result = await response.json();
    assert.equal(
      response.status,
      200,
      `${JSON.stringify(result)}\n${log.join("")}\n${server.logs.join("\n")}`,
    );
    console.log(`worker bundle ${(size / 1024).toFixed(0)} KiB; result ${JSON.stringify(result)}`);
    assert.deepEqual(result.streams.toSorted(), ["products", "purchases", "users"]);
    assert.equal(result.firstUsers, 10);
    assert.equal(result.written, 200);
    assert.equal(result.confirmed, 200);
    assert.equal((await jsonlLines(`${out}/users.jsonl`)).length, 200);
    // Every run the Worker asked for reached the server, and each ended there (the one that
    // getRecords' limit stopped ends once its connector is gone, maybe after the Worker answered).
    assert.ok(await eventually(() => server.app.activeRuns === 0), "every run ended");
    assert.ok(server.logs.some((l) => /source-faker read client gone/.test(l)), server.logs.join("\n"));
    assert.ok(server.logs.some((l) => /destination-jsonl write ok/.test(l)), server.logs.join("\n"));
  } finally {
    workerd.kill("SIGTERM");
    await workerd.status;
    await drained;
  }
});
