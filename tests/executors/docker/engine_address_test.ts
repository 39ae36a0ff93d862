// DOCKER_HOST parsing: the forms engines are addressed by, and clear errors for the others.
import assert from "node:assert/strict";
import { ExecutorUnavailableError } from "../../../src/errors.ts";
import { DEFAULT_DOCKER_HOST, parseDockerHost } from "../../../src/executors/docker/engine_address.ts";

Deno.test("parseDockerHost reads unix sockets, bare paths, tcp and http addresses", () => {
  assert.deepEqual(parseDockerHost("unix:///var/run/docker.sock"), {
    socket: { transport: "unix", path: "/var/run/docker.sock" },
    display: "unix:///var/run/docker.sock",
  });
  assert.equal(
    parseDockerHost("/run/user/1000/podman/podman.sock").display,
    "unix:///run/user/1000/podman/podman.sock",
  );
  assert.deepEqual(parseDockerHost("tcp://10.1.2.3:2376").socket, {
    transport: "tcp",
    hostname: "10.1.2.3",
    port: 2376,
  });
  assert.deepEqual(parseDockerHost("http://engine.local").socket, {
    transport: "tcp",
    hostname: "engine.local",
    port: 2375,
  });
  assert.deepEqual(parseDockerHost("tcp://[::1]:2375").socket, {
    transport: "tcp",
    hostname: "::1",
    port: 2375,
  });
});

Deno.test("parseDockerHost falls back to the default socket when nothing is set", () => {
  assert.equal(parseDockerHost(undefined).display, DEFAULT_DOCKER_HOST);
  assert.equal(parseDockerHost("  ").display, DEFAULT_DOCKER_HOST);
});

Deno.test("parseDockerHost rejects TLS, ssh and malformed addresses with ExecutorUnavailableError", () => {
  for (
    const host of [
      "https://engine:2376",
      "ssh://me@host",
      "npipe:////./pipe/docker_engine",
      "unix://relative",
      "nonsense",
    ]
  ) {
    assert.throws(() => parseDockerHost(host), (e: unknown) => {
      assert.ok(e instanceof ExecutorUnavailableError, String(e));
      assert.ok(e.message.includes(host), e.message);
      return true;
    });
  }
});
