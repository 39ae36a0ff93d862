/**
 * Read a connector from its Docker image, through the Docker Engine HTTP API (Docker, or podman's
 * compatible service), into a DuckDB-WASM file cache. No `docker` CLI is involved.
 *
 *   DOCKER_HOST=unix:///run/podman/podman.sock deno run -A examples/docker_faker.ts [image]
 *
 * The default image is the airbyte-source-faker 7.2.1 image that scripts/images/build.sh builds
 * (no registry needed); with a registry, pass e.g. `airbyte/source-faker:6.2.0` and it is pulled.
 * The config goes into the container as a private file, never into its environment or command.
 */
import { DuckDBCache, getSource } from "../mod.ts";

const image = Deno.args[0] ?? "localhost/airbyte-ts/source-faker:7.2.1";
const source = await getSource("source-faker", {
  dockerImage: image,
  docker: { pull: !image.startsWith("localhost/"), memory: "1g", cpus: 1 },
  config: { count: 5_000, seed: 1 },
  streams: ["users", "purchases"],
});
await using cache = new DuckDBCache({ path: "./.cache/examples/docker_faker.duckdb" });
const result = await source.read({ cache });
for (const [stream, dataset] of result) {
  console.log(`${stream}: ${result.recordsPerStream.get(stream)} read, ${await dataset.count()} cached`);
}
