// Source against the real airbyte-source-file 0.6.0 from PyPI, reading a CSV file the test writes.
import assert from "node:assert/strict";
import { DuckDBCache, getSource, VenvExecutor } from "../../mod.ts";
import { SOURCE_FILE_STEPS, tempDir } from "../_support.ts";

function sourceFile(csv: string) {
  return getSource("source-file", {
    executor: new VenvExecutor({
      name: "source-file",
      pipUrl: "airbyte-source-file==0.6.0",
      installSteps: SOURCE_FILE_STEPS,
    }),
    config: { dataset_name: "people", format: "csv", url: csv, provider: { storage: "local" } },
  });
}

Deno.test("Source runs airbyte-source-file: check, discover and getRecords over a local CSV", async () => {
  await using dir = await tempDir();
  const csv = `${dir.path}/people.csv`;
  await Deno.writeTextFile(csv, "id,name,score\n1,Ada,9.5\n2,Grace,8.25\n3,Linus,7\n");
  const source = await sourceFile(csv);
  await source.check();
  assert.deepEqual(await source.getAvailableStreams(), ["people"]);
  const rows = [];
  for await (const r of source.getRecords("people")) rows.push(r);
  assert.deepEqual(rows.map((r) => r.name), ["Ada", "Grace", "Linus"]);
  assert.equal(rows[1].score, 8.25);
});

Deno.test("Source.read caches a CSV read by airbyte-source-file with typed columns", async () => {
  await using dir = await tempDir();
  const csv = `${dir.path}/people.csv`;
  await Deno.writeTextFile(csv, "id,name,score\n1,Ada,9.5\n2,Grace,8.25\n");
  await using cache = new DuckDBCache({ path: ":memory:" });
  const result = await (await sourceFile(csv)).read({ cache, streams: ["people"], progress: "none" });
  assert.equal(await result.get("people").count(), 2);
  const t = await cache.sql("SELECT name, score FROM people ORDER BY id");
  assert.deepEqual(t.toArray().map((r) => [r.name, r.score]), [["Ada", 9.5], ["Grace", 8.25]]);
});
