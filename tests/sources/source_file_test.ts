// Source against the real airbyte-source-file 0.6.0 from PyPI, reading a CSV file the test writes.
import assert from "node:assert/strict";
import { DuckDBCache, getSource, VenvExecutor } from "../../mod.ts";
import { SOURCE_FILE_STEPS, tempDir } from "../_support.ts";

function sourceFile(url: string, format = "csv", datasetName = "people") {
  return getSource("source-file", {
    executor: new VenvExecutor({
      name: "source-file",
      pipUrl: "airbyte-source-file==0.6.0",
      installSteps: SOURCE_FILE_STEPS,
    }),
    config: { dataset_name: datasetName, format, url, provider: { storage: "local" } },
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

Deno.test("Source.read stores the strings of a mixed-type JSON column as plain text, so WHERE title = '...' finds them", async () => {
  // source-file infers {"type": ["integer", "null", "string"]} for a column holding both strings
  // and numbers (a film called "1917"). PyAirbyte stores such a column as VARCHAR with its strings
  // as they are; so must we.
  await using dir = await tempDir();
  const file = `${dir.path}/movies.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify([
      { title: "The Land Girls", year: 1998 },
      { title: 1917, year: 2019 },
      { title: null, year: 2000 },
      { title: "Up", year: 2009 },
    ]),
  );
  const source = await sourceFile(file, "json", "movies");
  const schema = (await source.discover()).streams[0].json_schema as { properties: Record<string, unknown> };
  assert.deepEqual(schema.properties.title, { type: ["integer", "null", "string"] });

  await using cache = new DuckDBCache({ path: ":memory:" });
  await source.read({ cache, streams: ["movies"], progress: "none" });
  const found = await cache.sql("SELECT year FROM movies WHERE title = 'The Land Girls'");
  assert.deepEqual(found.toArray().map((r) => r.year), [1998n]);
  const all = await cache.sql("SELECT title FROM movies ORDER BY year");
  assert.deepEqual(all.toArray().map((r) => r.title), ["The Land Girls", null, "Up", "1917"]);
});
