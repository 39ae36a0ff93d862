// mod.ts imported by file URL from a Deno project with no configuration at all (no deno.json, no
// package.json). Deno applies this repository's deno.json `imports` to no module imported from
// outside it, so the library names each npm package in full (`npm:<name>@<version>`); Deno fetches
// them into its global cache (DENO_DIR), as for any script of its own. jsr_test.ts is the JSR twin.
import assert from "node:assert/strict";
import { DENO, FAKER_OUTPUT, fakerProgram, lastJsonLine, projectDir, ROOT, runOk } from "./_consumer.ts";

Deno.test("a Deno project with no deno.json imports mod.ts by file URL, type-checks it with the default lib and reads faker", async () => {
  await using project = await projectDir("file-import");
  const dir = project.path;
  const modUrl = new URL("mod.ts", `file://${ROOT}/`).href;
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    fakerProgram(`import { DuckDBCache, getSource, toJsonRows } from "${modUrl}";`, { validate: false }),
  );
  await runOk(DENO, ["check", "main.ts"], { cwd: dir });
  const ran = await runOk(DENO, ["run", "-A", "main.ts"], { cwd: dir });
  assert.deepEqual(lastJsonLine(ran.stdout), FAKER_OUTPUT);
});
