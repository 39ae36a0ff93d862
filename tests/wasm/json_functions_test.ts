// The JSON functions at the engine level: every way an engine opens has them, they live with the
// engine (nothing is written into the database file), and engines of one thread do not mix them up.
// Their answers are checked against native DuckDB in tests/duckdb/json_functions_test.ts.
import assert from "node:assert/strict";
import { openNodeEngine } from "../../wasm/load_node.ts";
import { openWorkerEngine } from "../../wasm/load_worker.ts";
import {
  createJsonFunctions,
  explainJsonError,
  installJsonFunctionsInWorker,
} from "../../wasm/json_functions.ts";
import { readNative } from "./_child_processes.ts";

const CITY = `SELECT '{"address":{"city":"Zürich","tags":[1,2]}}'->'address'->>'city' AS city`;

Deno.test("openNodeEngine and openWorkerEngine both answer json_extract_string and ->> (json extension absent)", async () => {
  for (const open of [openNodeEngine, openWorkerEngine]) {
    const engine = await open(":memory:");
    try {
      assert.equal((await engine.query(CITY)).get(0)!.city, "Zürich");
      const loaded = await engine.query(
        "SELECT count(*)::INTEGER AS n FROM duckdb_extensions() WHERE extension_name = 'json' AND loaded",
      );
      assert.equal(loaded.get(0)!.n, 0, "the answers come from our functions, not the extension");
    } finally {
      await engine.close();
    }
  }
});

Deno.test("Every connection of an engine has the JSON functions and the json_keys macro", async () => {
  for (const open of [openNodeEngine, openWorkerEngine]) {
    const engine = await open(":memory:");
    try {
      const other = await engine.connect();
      const t = await other.query(`SELECT json_keys('{"x":1,"y":2}') AS k, ${CITY.slice("SELECT ".length)}`);
      assert.deepEqual([...t.get(0)!.k], ["x", "y"]);
      assert.equal(t.get(0)!.city, "Zürich");
      await other.close();
    } finally {
      await engine.close();
    }
  }
});

Deno.test("A file database keeps no trace of the JSON functions: native DuckDB reads it, a reopen has them again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = `${dir}/json.duckdb`;
    const engine = await openNodeEngine(db);
    await engine.exec(`CREATE TABLE t AS SELECT '{"a":{"b":[10,20]}}' AS j`);
    await engine.exec("CREATE VIEW v AS SELECT j->'a'->>'b' AS b FROM t");
    assert.equal((await engine.query("SELECT json_keys(j) AS k FROM t")).get(0)!.k.toArray().join(), "a");
    await engine.close();

    const native = await readNative(
      db,
      "SELECT (SELECT count(*) FROM duckdb_functions() WHERE function_name IN ('_airbyte_json_keys', 'json_keys') " +
        "AND database_name <> 'system') AS ours, (SELECT b FROM v) AS b",
    );
    assert.deepEqual(native.rows, [{ ours: "0", b: "[10,20]" }]);

    const again = await openNodeEngine(db);
    try {
      assert.equal(
        (await again.query("SELECT b FROM v")).get(0)!.b,
        "[10,20]",
        "the view works after a reopen",
      );
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Two engines in one thread each answer with their own JSON functions, also after one closes", async () => {
  const first = await openNodeEngine(":memory:");
  const second = await openNodeEngine(":memory:");
  try {
    const sql = (n: number) =>
      `SELECT sum((('{"n":' || i || '}')->>'n')::INTEGER)::BIGINT AS s FROM range(${n}) t(i)`;
    assert.equal((await first.query(sql(5000))).get(0)!.s, 12497500n);
    assert.equal((await second.query(sql(3000))).get(0)!.s, 4498500n);
    await first.close();
    assert.equal((await second.query(sql(10))).get(0)!.s, 45n);
  } finally {
    await first.close();
    await second.close();
  }
});

Deno.test("createJsonFunctions and installJsonFunctionsInWorker are self-contained (the browser ships their source)", () => {
  // The browser loader evaluates their source text in DuckDB-WASM's Worker, where nothing of this
  // module exists: any outer name they used would fail there.
  const factory = new Function(`return (${createJsonFunctions});`)() as typeof createJsonFunctions;
  const json = factory();
  assert.ok(json.names.includes("json_extract") && json.names.includes("->>"));
  const install = new Function(`return (${installJsonFunctionsInWorker});`)();
  assert.equal(typeof install, "function");
});

Deno.test("explainJsonError leaves other errors alone", () => {
  const message = "Catalog Error: Table with name nope does not exist!";
  assert.equal(explainJsonError(message), message);
  assert.equal(
    explainJsonError(
      "Invalid Error: Invalid Input Error: Malformed JSON at byte 1 of input: unexpected character.",
    ),
    "Invalid Input Error: Malformed JSON at byte 1 of input: unexpected character.",
  );
});
