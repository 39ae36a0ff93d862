// PostgresCache in a Deno project that takes the package from JSR: the project has no name of its
// own for the driver (no node_modules, no import map), so the cache loads `npm:pg` at the version
// package.json pins. JSR is out of reach here; the project links this checkout in its place, as
// tests/package/jsr_test.ts does. Real server, real connector.
import assert from "node:assert/strict";
import { DENO, projectDir, ROOT, runOk } from "../package/_consumer.ts";
import { fixture } from "../_support.ts";
import { testDatabase } from "../_services/postgres.ts";

Deno.test("a Deno project that imports the JSR package reads into a PostgresCache", async () => {
  const { name } = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  await using db = await testDatabase("jsr");
  await using project = await projectDir("jsr-pg");
  const dir = project.path;
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ links: [ROOT] }, null, 2));
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    `import { getSource, PostgresCache } from "jsr:${name}";
await using cache = new PostgresCache({ url: Deno.args[0], schemaName: "jsr" });
const source = await getSource("source-counter", { localExecutable: Deno.args[1], config: { count: 77 } });
const result = await source.read({ cache, streams: ["numbers"], progress: "none" });
console.log(JSON.stringify({ read: result.processedRecords, rows: await result.get("numbers").count() }));
`,
  );
  await runOk(DENO, ["check", "main.ts"], { cwd: dir });
  const ran = await runOk(DENO, ["run", "-A", "main.ts", db.url, fixture("source_counter.py")], { cwd: dir });
  assert.deepEqual(JSON.parse(ran.stdout.trim().split("\n").pop()!), { read: 77, rows: 77 });
});
