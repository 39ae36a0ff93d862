// DockerExecutor under Node: the probe is bundled with esbuild and run by real Node against the
// same podman engine; its JSON lines are checked here, one step per case.
import assert from "node:assert/strict";
import { dockerHost, IMAGES } from "../../_services/docker.ts";
import { bundleForNode } from "../../_bundle.ts";

const root = new URL("../../../", import.meta.url).pathname;

Deno.test("DockerExecutor works in Node through the Node runtime adapter", async (t) => {
  const host = await dockerHost();
  const dir = await Deno.makeTempDir();
  try {
    const bundle = `${dir}/probe.mjs`;
    await bundleForNode(`${root}tests/fixtures/executors/docker_node_probe.ts`, bundle);
    const ran = await new Deno.Command("node", { args: [bundle, host, IMAGES.fixtures] }).output();
    assert.equal(ran.code, 0, new TextDecoder().decode(ran.stderr));
    const results = new TextDecoder().decode(ran.stdout).trim().split("\n").map((l) =>
      JSON.parse(l) as { name: string; ok: boolean; error?: string }
    );
    assert.equal(results.length, 4);
    for (const result of results) await t.step(result.name, () => assert.ok(result.ok, result.error));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
