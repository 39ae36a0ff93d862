// Integers past 2^53 through a real read into DuckDB: the record line scanner (fast path) and
// JSON.parse plus the batch builder (general path, taken here by lines with a property the schema
// lacks) both keep every digit, and a value past BIGINT is a noted misfit, never a rounded number.
import assert from "node:assert/strict";
import { DuckDBCache, getSource } from "../../mod.ts";
import { fixture, tempDir } from "../_support.ts";

const SCHEMA = {
  type: "object",
  properties: {
    id: { type: "integer" },
    payload: { type: "object" },
    label: { type: "string" },
    ratio: { type: "number" },
  },
};

function line(data: string): string {
  return `{"type":"RECORD","record":{"stream":"items","data":${data},"emitted_at":1700000000000}}\n`;
}

async function readLines(
  dir: string,
  lines: string[],
  options: { writeStrategy?: "merge" | "append" } = {},
): Promise<Record<string, unknown>[]> {
  const path = `${dir}/lines.jsonl`;
  await Deno.writeTextFile(path, lines.join(""));
  const source = await getSource("source-lines", {
    localExecutable: fixture("source_lines.py"),
    config: { path, schema: SCHEMA, primary_key: [["id"]] },
    streams: ["items"],
  });
  await using cache = new DuckDBCache({ path: ":memory:" });
  await source.read({ cache, progress: "none", writeStrategy: options.writeStrategy ?? "append" });
  const table = await cache.sql(
    "SELECT id, id::VARCHAR AS id_text, payload, label, ratio, _airbyte_meta AS meta FROM items ORDER BY _airbyte_raw_id",
  );
  return table.toArray().map((r) => r.toJSON());
}

for (const path of ["fast", "general"] as const) {
  // An extra property sends a line down the general path (the scanner leaves extras to it).
  const extra = path === "general" ? `,"not_in_schema":1` : "";

  Deno.test(`Source.read merges distinct Snowflake ids past 2^53 without collapsing them (${path} path)`, async () => {
    await using dir = await tempDir();
    const ids = ["1101234567890123456", "1101234567890123457", "1101234567890123458"];
    const rows = await readLines(dir.path, ids.map((id) => line(`{"id":${id}${extra}}`)), {
      writeStrategy: "merge",
    });
    assert.deepEqual(rows.map((r) => r.id_text).sort(), ids);
    for (const row of rows) assert.deepEqual(JSON.parse(row.meta as string).changes, []);
  });

  Deno.test(`Source.read stores the ends of BIGINT exactly and notes values past them (${path} path)`, async () => {
    await using dir = await tempDir();
    const rows = await readLines(dir.path, [
      line(`{"id":9223372036854775807${extra}}`),
      line(`{"id":-9223372036854775808${extra}}`),
      line(`{"id":9223372036854775808${extra}}`),
      line(`{"id":-123456789012345678901234567890${extra}}`),
    ]);
    assert.deepEqual(rows.map((r) => r.id_text), ["9223372036854775807", "-9223372036854775808", null, null]);
    assert.deepEqual(JSON.parse(rows[0].meta as string).changes, []);
    // The misfit's raw value is the digits as sent, a JSON number in the meta's text.
    assert.match(rows[2].meta as string, /"raw":9223372036854775808[,}]/);
    assert.match(rows[3].meta as string, /"raw":-123456789012345678901234567890[,}]/);
    assert.equal(JSON.parse(rows[2].meta as string).changes[0].change, "NULLED");
  });

  Deno.test(`Source.read keeps big integers' digits in JSON and text columns (${path} path)`, async () => {
    await using dir = await tempDir();
    const rows = await readLines(dir.path, [
      line(`{"id":1,"payload":{"big":12345678901234567890123,"list":[-9007199254740993]}${extra}}`),
      line(`{"id":2,"payload":[18446744073709551615]${extra}}`),
    ]);
    assert.equal(rows[0].payload, '{"big":12345678901234567890123,"list":[-9007199254740993]}');
    assert.equal(rows[1].payload, "[18446744073709551615]");
  });
}

Deno.test("Source.read writes a big integer in a text column with its digits, and a double column rounds it", async () => {
  await using dir = await tempDir();
  // Text columns and doubles given numbers always take the general path.
  const rows = await readLines(dir.path, [
    line(`{"id":1,"label":1101234567890123457,"ratio":1101234567890123457}`),
  ]);
  assert.equal(rows[0].label, "1101234567890123457");
  assert.equal(rows[0].ratio, 1101234567890123457);
  assert.deepEqual(JSON.parse(rows[0].meta as string).changes, []);
});

Deno.test("Source.read keeps big integers in properties the schema lacks (_airbyte_meta.extra)", async () => {
  await using dir = await tempDir();
  const rows = await readLines(dir.path, [line(`{"id":1,"twitter_id":1101234567890123457}`)]);
  assert.match(rows[0].meta as string, /"extra":\{"twitter_id":1101234567890123457\}/);
});
