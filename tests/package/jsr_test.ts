// mod.ts as a Deno project gets it from JSR: the package's own deno.json (its `imports` map) resolves
// the dependencies, and the importing project copies no import map and sets no `lib`. JSR itself is
// out of reach here, so the project links this checkout in its place (deno.json `links`), which
// resolves `jsr:@airbyte-ts/airbyte-ts` to these files with this deno.json, as JSR would.
import assert from "node:assert/strict";
import { DENO, FAKER_OUTPUT, fakerProgram, lastJsonLine, projectDir, ROOT, runOk } from "./_consumer.ts";

Deno.test("another Deno project imports mod.ts as the JSR package with no settings copied, type-checks it with the default lib and reads faker", async () => {
  const { name } = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  await using project = await projectDir("jsr");
  const dir = project.path;
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ links: [ROOT] }, null, 2));
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    fakerProgram(`import { DuckDBCache, getSource, toJsonRows } from "jsr:${name}";`, { validate: false }),
  );
  await runOk(DENO, ["check", "main.ts"], { cwd: dir });
  const ran = await runOk(DENO, ["run", "-A", "main.ts"], { cwd: dir });
  assert.deepEqual(lastJsonLine(ran.stdout), FAKER_OUTPUT);
});
