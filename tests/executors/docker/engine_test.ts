// The Engine API client's version negotiation and error mapping, against the real engine.
import assert from "node:assert/strict";
import { ExecutorUnavailableError } from "../../../src/errors.ts";
import { compareApiVersions, DockerEngine } from "../../../src/executors/docker/_engine.ts";
import { parseDockerHost } from "../../../src/executors/docker/engine_address.ts";
import { denoRuntime } from "../../../src/runtime/deno.ts";
import { dockerHost, engineApi } from "../../_services/docker.ts";

Deno.test("compareApiVersions orders API versions numerically", () => {
  assert.ok(compareApiVersions("1.9", "1.41") < 0);
  assert.ok(compareApiVersions("1.45", "1.41") > 0);
  assert.equal(compareApiVersions("1.41", "1.41"), 0);
  assert.ok(compareApiVersions("2.0", "1.99") > 0);
});

Deno.test("DockerEngine negotiates the API version with GET /version and uses it in every path", async () => {
  const host = await dockerHost();
  const engine = new DockerEngine(denoRuntime, parseDockerHost(host));
  const info = await engine.info();
  const { body } = await engineApi(host, "GET", "/version");
  const engineApiVersion = body.ApiVersion as string;
  const expected = compareApiVersions(engineApiVersion, "1.45") > 0 ? "1.45" : engineApiVersion;
  assert.equal(info.apiVersion, expected);
  assert.match(info.product, /Engine/);
  const response = await engine.request("GET", "/_ping");
  assert.equal(response.status, 200);
  assert.equal(await new Response(response.body).text(), "OK");
});

Deno.test("DockerEngine reports a refused call with the engine's message and status", async () => {
  const engine = new DockerEngine(denoRuntime, parseDockerHost(await dockerHost()));
  const error = await engine.json("inspect a container", "GET", "/containers/no-such-container-zz/json")
    .catch((e) => e);
  assert.ok(error instanceof ExecutorUnavailableError, String(error));
  assert.equal(error.context.status, 404);
  assert.match(error.message, /could not inspect a container: .*no-such-container-zz.*\(HTTP 404\)/);
});
