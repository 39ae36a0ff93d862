/**
 * The shared runtime cases against `nodeRuntime` in real Node: the probe is bundled with esbuild
 * (Node cannot run .ts) and its JSON lines are checked here, one step per case.
 */
import assert from "node:assert/strict";
import { runtimeCases } from "./_runtime_cases.ts";
import { bundleForNode } from "../_bundle.ts";

const fixtures = new URL("../fixtures/executors", import.meta.url).pathname;

Deno.test("nodeRuntime passes the shared runtime cases in Node", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const bundle = `${dir}/probe.mjs`;
    await bundleForNode(`${fixtures}/node_probe.ts`, bundle);
    const ran = await new Deno.Command("node", { args: [bundle, fixtures] }).output();
    const stderr = new TextDecoder().decode(ran.stderr);
    assert.equal(ran.code, 0, stderr);
    const results = new TextDecoder().decode(ran.stdout).trim().split("\n").map((l) =>
      JSON.parse(l) as { name: string; ok: boolean; error?: string }
    );
    assert.deepEqual(
      results.map((r) => r.name),
      [...runtimeCases.map((c) => c.name), "detect picks the node adapter"],
    );
    for (const result of results) {
      await t.step(result.name, () => assert.ok(result.ok, result.error));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
