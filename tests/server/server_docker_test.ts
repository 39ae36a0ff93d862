// `airbyte-ts serve` with an allowlisted Docker image: the server runs the connector through the
// DockerExecutor (real podman Engine API) and the client sees the same rows as a local venv read.
import assert from "node:assert/strict";
import { DuckDBCache, getSource } from "../../mod.ts";
import { FAKER_PIP } from "../_support.ts";
import { dockerHost, IMAGES } from "../_services/docker.ts";
import { startServer, TOKEN } from "./_harness.ts";

Deno.test("serve runs an allowlisted image through the Docker executor, with the venv connector's rows", async () => {
  const host = await dockerHost();
  await using server = await startServer({
    connectors: { "source-faker": { image: IMAGES.faker, docker: { host } } },
  });
  const config = { count: 150, seed: 3, parallelism: 1 };
  await using remote = new DuckDBCache({ path: ":memory:" });
  await using local = new DuckDBCache({ path: ":memory:" });
  const viaServer = await getSource("source-faker", {
    remote: { url: server.url, token: TOKEN },
    config,
    streams: ["users"],
  });
  const viaVenv = await getSource("source-faker", { pipUrl: FAKER_PIP, config, streams: ["users"] });
  const a = await viaServer.read({ cache: remote, progress: "none" });
  const b = await viaVenv.read({ cache: local, progress: "none" });
  assert.equal(a.processedRecords, 150);
  assert.equal(a.processedRecords, b.processedRecords);
  const ids = async (cache: DuckDBCache) =>
    (await cache.sql("SELECT list(id ORDER BY id)::VARCHAR AS ids FROM users")).get(0)?.ids;
  assert.equal(await ids(remote), await ids(local));
});
