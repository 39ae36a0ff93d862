// The airbyte-ts command line with --docker-image / --docker-host, as a real process against the
// podman engine and the real faker image.
import assert from "node:assert/strict";
import { ROOT, tempDir } from "../../_support.ts";
import { dockerHost, IMAGES } from "../../_services/docker.ts";

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}/deno.json`, `${ROOT}/src/cli/main.ts`, ...args],
    env: { CI: "true" },
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("airbyte-ts spec and read run a connector image with --docker-image and --docker-host", async () => {
  const host = await dockerHost();
  const docker = ["--docker-image", IMAGES.faker, "--docker-host", host];
  const spec = await cli(["spec", "source-faker", ...docker]);
  assert.equal(spec.code, 0, spec.stderr);
  assert.ok(JSON.parse(spec.stdout).connectionSpecification.properties.count);

  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/faker.json`, JSON.stringify({ count: 50, seed: 1 }));
  const read = await cli([
    "read",
    "source-faker",
    ...docker,
    "--config",
    `${dir.path}/faker.json`,
    "--streams",
    "users",
    "--cache",
    `${dir.path}/cache.duckdb`,
  ]);
  assert.equal(read.code, 0, read.stderr);
  assert.match(read.stdout + read.stderr, /users/);
});

Deno.test("airbyte-ts names the engine address when --docker-host cannot be reached", async () => {
  await using dir = await tempDir();
  const address = `unix://${dir.path}/none.sock`;
  const r = await cli(["spec", "source-faker", "--docker-image", IMAGES.faker, "--docker-host", address]);
  assert.notEqual(r.code, 0);
  assert.ok(r.stderr.includes(address), r.stderr);
  assert.match(r.stderr, /DOCKER_HOST/);
});

Deno.test("airbyte-ts refuses --docker-image together with --pip-url", async () => {
  const r = await cli(["spec", "source-faker", "--docker-image", IMAGES.faker, "--pip-url", "x"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /docker-image/);
});
