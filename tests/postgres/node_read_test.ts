// PostgresCache under plain Node (the driver, pg, is a Node library that Deno runs through its Node
// compatibility): the library bundled as the npm build bundles it, a real read into a real server.
import assert from "node:assert/strict";
import { fixture, ROOT } from "../_support.ts";
import { bundleForNode } from "../_bundle.ts";
import { testDatabase } from "../_services/postgres.ts";

const decoder = new TextDecoder();

Deno.test("PostgresCache works under Node: a read into a real server, counted and its state stored", async () => {
  await using db = await testDatabase("node");
  // Inside node_modules so that Node resolves the external dependencies (pg, apache-arrow, …).
  await Deno.mkdir(`${ROOT}/node_modules/.cache`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${ROOT}/node_modules/.cache`, prefix: "airbyte-ts-pg-" });
  try {
    const bundle = `${dir}/read.mjs`;
    await bundleForNode(`${ROOT}/tests/postgres/_node_read.ts`, bundle, {
      target: "node20",
      packages: "external",
    });
    const out = await new Deno.Command("node", { args: [bundle, db.url, fixture("source_counter.py")] })
      .output();
    assert.equal(out.code, 0, decoder.decode(out.stderr));
    const seen = JSON.parse(decoder.decode(out.stdout).trim().split("\n").pop()!);
    assert.deepEqual(seen.cursor, { updated_at: 1234 });
    assert.equal(seen.read, 1234);
    assert.equal(seen.rows, 1234);
    assert.match(seen.location, /^postgres:\/\/airbyte:\*\*\*\*@127\.0\.0\.1:\d+\/node_\w+\?schema=node$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
