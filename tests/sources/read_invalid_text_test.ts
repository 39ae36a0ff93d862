// Text a connector sends that UTF-8 cannot carry: bytes that are not UTF-8, and lone surrogate
// escapes. A real read stores each such value with U+FFFD and notes it in _airbyte_meta, on the
// record scanner's path and on the general path (an extra property sends a line there).
import assert from "node:assert/strict";
import { DuckDBCache, getSource } from "../../mod.ts";
import { fixture, tempDir } from "../_support.ts";

const SCHEMA = { type: "object", properties: { id: { type: "integer" }, name: { type: "string" }, doc: {} } };
const enc = new TextEncoder();

function line(data: Uint8Array): Uint8Array {
  const head = enc.encode('{"type":"RECORD","record":{"stream":"items","data":');
  const tail = enc.encode(',"emitted_at":1700000000000}}\n');
  return new Uint8Array([...head, ...data, ...tail]);
}

for (const path of ["fast", "general"] as const) {
  const extra = path === "general" ? ',"not_in_schema":1' : "";
  Deno.test(`Source.read notes text that was not UTF-8 or held lone surrogates, and keeps it with U+FFFD (${path} path)`, async () => {
    await using dir = await tempDir();
    const lines = [
      // "caf" + 0xE9 (Latin-1 é, not UTF-8) + "!"
      line(new Uint8Array([...enc.encode(`{"id":1${extra},"name":"caf`), 0xe9, ...enc.encode('!"}')])),
      line(enc.encode(`{"id":2${extra},"name":"a\\ud800b"}`)),
      line(
        new Uint8Array([...enc.encode(`{"id":3${extra},"doc":{"k":"x`), 0xff, 0xfe, ...enc.encode('"}}')]),
      ),
      line(enc.encode(`{"id":4${extra},"name":"plain é"}`)),
    ];
    const file = `${dir.path}/lines.jsonl`;
    await Deno.writeFile(file, new Uint8Array(lines.flatMap((l) => [...l])));
    const source = await getSource("source-lines", {
      localExecutable: fixture("source_lines.py"),
      config: { path: file, schema: SCHEMA },
      streams: ["items"],
    });
    await using cache = new DuckDBCache({ path: ":memory:" });
    await source.read({ cache, progress: "none" });
    const rows = (await cache.sql("SELECT id, name, doc, _airbyte_meta AS meta FROM items ORDER BY id"))
      .toArray()
      .map((r) => r.toJSON());
    const changes = rows.map((r) => JSON.parse(r.meta as string).changes);
    assert.equal(rows[0].name, "caf\uFFFD!");
    assert.deepEqual(changes[0], [{
      field: "name",
      change: "TRUNCATED",
      reason: "SOURCE_SERIALIZATION_ERROR",
      raw: "caf\uFFFD!",
    }]);
    assert.equal(rows[1].name, "a\uFFFDb");
    assert.deepEqual(changes[1], [{
      field: "name",
      change: "TRUNCATED",
      reason: "SOURCE_SERIALIZATION_ERROR",
      raw: "a\ud800b", // the meta's JSON keeps the lone surrogate, escaped
    }]);
    assert.equal(JSON.parse(rows[2].doc as string).k, "x\uFFFD\uFFFD");
    assert.deepEqual(changes[2].map((c: { field: string }) => c.field), ["doc"]);
    assert.equal(rows[3].name, "plain é");
    assert.deepEqual(changes[3], []);
  });
}
