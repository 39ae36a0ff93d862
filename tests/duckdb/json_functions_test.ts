/**
 * DuckDB's JSON functions in a DuckDBCache (DuckDB-WASM, whose json extension cannot load
 * offline), checked answer by answer against native DuckDB with its json extension
 * (@duckdb/node-api in a Node child, tests/duckdb/_child_native_json.mjs): same documents, same
 * queries, same results or the same kind of error.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DuckDBCache } from "../../mod.ts";
import { faker, tempDir } from "../_support.ts";

const NATIVE_CHILD = new URL("./_child_native_json.mjs", import.meta.url).pathname;

type Rows = [id: number, text: string | null][];
type Outcome = { rows: Record<string, unknown>[] } | { error: string };

/** Native DuckDB's answers: `d(id, j)` holds `rows`; each query runs on its own. */
async function native(rows: Rows, queries: string[]): Promise<Outcome[]> {
  await using dir = await tempDir();
  const input = `${dir.path}/input.json`;
  await Deno.writeTextFile(input, JSON.stringify({ rows, queries }));
  const { code, stdout, stderr } = await new Deno.Command("node", {
    args: [NATIVE_CHILD, input],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout)).results;
}

/** A result value as @duckdb/node-api's getRowObjectsJson writes it (big integers as text). */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return String(value);
  if (value !== null && typeof value === "object" && Symbol.iterator in value) {
    return [...value as Iterable<unknown>].map(plain);
  }
  return value;
}

function sqlText(text: string | null): string {
  return text === null ? "NULL" : `'${text.replaceAll("'", "''")}'`;
}

/** The cache's answers to the same queries, on the same `d(id, j)`. */
async function ours(cache: DuckDBCache, rows: Rows, queries: string[]): Promise<Outcome[]> {
  await cache.sql("CREATE OR REPLACE TABLE d (id INTEGER, j VARCHAR)");
  await cache.sql(`INSERT INTO d VALUES ${rows.map(([id, text]) => `(${id}, ${sqlText(text)})`).join(", ")}`);
  const outcomes: Outcome[] = [];
  for (const query of queries) {
    try {
      const table = await cache.sql(query);
      outcomes.push({
        rows: table.toArray().map((row) =>
          Object.fromEntries(Object.entries(row.toJSON()).map(([k, v]) => [k, plain(v)]))
        ),
      });
    } catch (error) {
      // cache.sql wraps DuckDB's error in a CacheError; compare DuckDB's own message.
      const cause = (error as Error).cause;
      const message = cause instanceof Error ? cause.message : (error as Error).message;
      outcomes.push({ error: message.split("\n")[0] });
    }
  }
  return outcomes;
}

/** "Binder Error", "Invalid Input Error", ...: the kind of a DuckDB error. */
function errorKind(message: string): string {
  return message.slice(0, message.indexOf(":"));
}

/** Every query whose answer differs between the cache and native DuckDB, explained. */
async function differences(rows: Rows, queries: string[], exactErrors = false): Promise<string[]> {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const [mine, theirs] = await Promise.all([ours(cache, rows, queries), native(rows, queries)]);
  const found: string[] = [];
  queries.forEach((query, k) => {
    const a = mine[k], b = theirs[k];
    if ("error" in a || "error" in b) {
      const same = "error" in a && "error" in b &&
        (exactErrors ? a.error === b.error : errorKind(a.error) === errorKind(b.error));
      if (!same) found.push(`${query}\n  cache:  ${JSON.stringify(a)}\n  native: ${JSON.stringify(b)}`);
      return;
    }
    b.rows.forEach((row, r) => {
      try {
        assert.deepStrictEqual(a.rows[r], row);
      } catch {
        found.push(
          `${query} (row ${r})\n  cache:  ${JSON.stringify(a.rows[r])}\n  native: ${JSON.stringify(row)}`,
        );
      }
    });
    if (a.rows.length !== b.rows.length) {
      found.push(`${query}: ${a.rows.length} rows, native ${b.rows.length}`);
    }
  });
  return found;
}

// Documents DuckDB reads: nesting, escapes, odd keys, every number spelling, its lenient corners.
const DOCUMENTS: string[] = [
  `{"name":"Ada","address":{"city":"Paris","zip":"75001","geo":{"lat":48.85,"lng":2.35}},"tags":["a","b"]}`,
  `{"a":{"b":[1,2,{"c":"x"}]},"s":"t\\u00e9\\/\\n\\u0001\\u001f\\t\\"q\\\\","n":null,"f":1.0,"k.y":5,"a b":6,"e":[],"o":{}}`,
  `{"a/b":1,"m~n":2,"":3,"q\\"k":4,"x.y":{"z":6},"01":7,"é":"ü","\\u0061\\u0062":8,"digits":{"0":"zero"}}`,
  `{"nums":[1.0,2.50,1e5,1E+2,-0,-0.0,0.1,1e20,1e21,1.5e21,1e-5,1e-6,1e-7,1.5e-7,5e-324,1.7976931348623157e308,` +
  `3.14159265358979323846,9007199254740993,-9223372036854775808,-9223372036854775809,18446744073709551615,` +
  `18446744073709551616,123456789012345678901234567890,1e400,12345678.9,0.30000000000000004,0.000001,0.0000001,` +
  `0.00,100.250,-0.5,-12.75,0.5,1.25e2,123456789012345.6,1234567890123456.7,999999999999999.9,0.1000000000000001]}`,
  `{"special":[NaN,-Infinity,Infinity,nan,inf,-INF],"trailing":[1,2,],"obj":{"a":1,},"deep":[[[[[{"x":[[]]}]]]]]}`,
  `  {  "a" : [ 1 , { "b" : "c" } , [ ] ] ,  "d" :  { } , "t" : true , "f" : false , "n" : null  }  `,
  `{"dup":1,"dup":2,"arr":[{"k":1},{"k":2},{"k":3}],"mixed":[1,"two",[3],{"four":4},null,true]}`,
  `{"text":"😀 \\ud83d\\ude00 中文 \\u2028 \\u0000 end","ctrl":"\\b\\f\\r","slash":"a\\/b","del":"\\u007f"}`,
  `[1,[2,3],{"a":[4,{"b":5}]},"s",null,true,-1.5]`,
  `"just a string"`,
  `42`,
  `-0`,
  `null`,
  `true`,
  `[]`,
  `{}`,
  `"\\u00e9\\\\"`,
  `{"a":{"a":{"a":{"a":"deep"}}},"b":[[0,1],[2,3]]}`,
  `{"it's":1,"a,b":2,"[x]":3,"{y}":4," sp ":5,"NULL":6,"n\\nl":7,"back\\\\slash":8,"tab\\t":9,"'q'":10}`,
];

// Paths of every grammar DuckDB knows (JSONPath, JSON Pointer, bare keys), hits and misses.
const PATHS: string[] = [
  "$",
  "$.a",
  "$.a.b",
  "$.a.b[0]",
  "$.a.b[2].c",
  "$.a.b[-1]",
  "$.a.b[#-1]",
  "$.a.b[#-3]",
  "$.a.b[#-0]",
  "$.a.b[-0]",
  "$.a.b[#]",
  "$.a.b[9]",
  "$.a.b[01]",
  "$.address.city",
  "$.address.geo.lat",
  '$."k.y"',
  "$.k.y",
  "$.a b",
  '$."q\\"k"',
  '$.q"k',
  '$.""',
  "$.é",
  "$.ab",
  "$.dup",
  "$.arr[1].k",
  "$.mixed[3].four",
  "$.nums",
  "$.nums[3]",
  "$.special",
  "$.trailing",
  "$.obj",
  "$.text",
  "$.ctrl",
  "$.s",
  "$.n",
  "$.f",
  "$.o",
  "$.e",
  "$[0]",
  "$[1][1]",
  "$[2].a[1].b",
  "$[#-1]",
  "$.digits.0",
  "$.a.a.a.a",
  "$.b[1][0]",
  "/",
  "",
  "/a/b/0",
  "/a/b/01",
  "/a/b/-1",
  "/a~1b",
  "/m~0n",
  "/digits/0",
  "/2/a/1/b",
  "a",
  "a/b",
  "k.y",
  "m~n",
  "nope",
  // Malformed paths: DuckDB refuses them (a Binder Error).
  "$a",
  "$.",
  "$..",
  "$.a[",
  "$.a.b[]",
  "$.a.b[x]",
  "$.a.b[#+1]",
  "$.a.b[ 1 ]",
  "$.a.b[1]x",
  '$.a."b',
  "$ ",
];

const FUNCTIONS_WITH_PATH = [
  "json_extract(j, P)",
  "json_extract_string(j, P)",
  "json_exists(j, P)",
  "json_value(j, P)",
  "json_type(j, P)",
  "json_array_length(j, P)",
  "json_keys(j, P)",
  "j->P",
  "j->>P",
];

const rows = (documents: (string | null)[]): Rows => documents.map((text, k) => [k + 1, text]);
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

Deno.test("json_extract, ->, ->> and the other JSON functions answer every path as native DuckDB does", async () => {
  const queries = PATHS.flatMap((path) =>
    FUNCTIONS_WITH_PATH.map((f) => `SELECT id, ${f.replaceAll("P", literal(path))} AS v FROM d ORDER BY id`)
  );
  assert.deepEqual(await differences(rows([...DOCUMENTS, null]), queries), []);
});

Deno.test("json, json_valid, json_type, json_array_length, json_keys and integer paths answer as native DuckDB does", async () => {
  const expressions = [
    "json(j)",
    "json_valid(j)",
    "json_type(j)",
    "json_array_length(j)",
    "json_keys(j)",
    "j->0",
    "j->>0",
    "j->>-1",
    "j->1->>0",
    "json_extract(j, 2)",
    "json_extract(j, -2)",
    "json_extract(j, 99)",
    "json_extract_string(j, 0)",
    "json_value(j, 1)",
    "j->'a'->'b'->>2",
    "j->'$.a'->>'$.b'",
    "(j->'arr')->>1",
    "(j->'nums')->3",
    "json_extract(j, '$.a') IS NULL",
    "length(json_extract_string(j, '$.text'))",
    "json_extract(j, '$.nums[1]')::DOUBLE",
    "json_extract(j, '$.address.geo.lat')::DOUBLE * 2",
    "json_extract_string(j, '$.a.b[0]')::INTEGER + 1",
  ];
  const queries = expressions.map((e) => `SELECT id, ${e} AS v FROM d ORDER BY id`);
  assert.deepEqual(await differences(rows([...DOCUMENTS, null]), queries), []);
});

Deno.test("json_valid and the JSON functions judge malformed documents as native DuckDB does", async () => {
  const malformed = [
    "",
    "  ",
    "{bad",
    "[1",
    '"ab',
    '"a\\qb"',
    '"a\tb"',
    '"\\udc00"',
    '"\\ud800"',
    '"\\ud800\\u0041"',
    '["\\u12"]',
    "[1]x",
    "[1 2]",
    '{"a" 1}',
    "{1:2}",
    "tru",
    "nul",
    "-",
    "01",
    "1.",
    ".5",
    "+1",
    "1e",
    "[,]",
    "[1,,2]",
    "{,}",
    '{"a":1,,}',
    '{"a":1,"b"}',
    "{'a':1}",
    "{a:1}",
    "// c\n[1]",
    "[1] // c",
    "infinix",
    "Infinityx",
    "[inf",
    "nan1",
    "[nani]",
    "nax",
    "na",
    "-x",
    "[- 1]",
    "tx",
    "[tx]",
    "truex",
    "nulx",
    "[nULL]",
    "[True]",
    "[NULL]",
    '"\\',
    '"\\u',
    '"\\u12',
    '"\\ud800\\',
    '"\\ud800\\u',
    '"\\ud800x',
    '"é\\x"',
    "1.e5",
    "1e+",
    "1ex",
    "[1,",
    '{"a"',
    '{"a":',
    "{",
    "[",
    '{"a":1 "b":2}',
    "[1}",
    '{"a":1]',
    "[1.2.3]",
    "[00]",
    "[-01]",
    "[1e5e5]",
    "+Infinity",
    '{"a":1}}',
    "[" + "1,".repeat(40) + "x]",
  ];
  const documents = rows(malformed);
  const queries = [
    "SELECT id, json_valid(j) AS v FROM d ORDER BY id",
    ...documents.flatMap(([id]) => [
      `SELECT json_extract(j, '$.a') AS v FROM d WHERE id = ${id}`,
      `SELECT json(j) AS v FROM d WHERE id = ${id}`,
    ]),
  ];
  assert.deepEqual(await differences(documents, queries, true), []);
});

Deno.test("DuckDBCache reads faker's nested address with json_extract_string and ->> as native DuckDB does", async () => {
  // The failing query of the defect: PyAirbyte's cache answers it, DuckDB-WASM had no json functions.
  await using cache = new DuckDBCache({ path: ":memory:" });
  const source = await faker({ count: 200, seed: 7 });
  await source.read({ cache, streams: ["users"], progress: "none" });
  const query = (from: string, doc: string) =>
    `SELECT id, json_extract_string(${doc}, '$.city') AS city, ${doc}->>'$.city' AS city2, ` +
    `${doc}->>'state' AS state, json_extract(${doc}, '$.postal_code') AS zip, ${doc}->'$.city' AS quoted, ` +
    `json_keys(${doc}) AS keys, json_type(${doc}) AS type FROM ${from} ORDER BY id`;
  const mine = (await cache.sql(query("users", "address"))).toArray().map((r) =>
    Object.fromEntries(Object.entries(r.toJSON()).map(([k, v]) => [k, plain(v)]))
  );
  assert.equal(mine.length, 200);
  assert.ok(
    mine.every((r) =>
      typeof r.city === "string" && r.city === r.city2 && r.quoted === JSON.stringify(r.city)
    ),
  );
  const addresses = (await cache.sql("SELECT id::INTEGER AS id, address FROM users ORDER BY id")).toArray()
    .map((r): [number, string] => [r.id, r.address]);
  const [theirs] = await native(addresses, [
    query("d", "j").replace("SELECT id,", "SELECT id::BIGINT AS id,"),
  ]);
  assert.ok("rows" in theirs, JSON.stringify(theirs));
  assert.deepEqual(mine, theirs.rows);
  const found = await cache.sql(
    `SELECT count(*)::INTEGER AS n FROM users WHERE address->>'$.city' = ${literal(String(mine[0].city))}`,
  );
  assert.ok(found.get(0)!.n >= 1);
});

/** mulberry32: seeded, so a failing run replays with the seed it prints. */
function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random JSON document as text, in a random spelling (spaces, escapes, number forms). */
function randomDocument(random: () => number, depth = 0): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const space = () => pick(["", "", "", " ", "\n  ", "\t"]);
  const key = () =>
    pick(["a", "b", "id", "city", "k.y", "a b", "é", "", "0", 'q\\"k', "\\u0061", "x/y", "m~n"]);
  const roll = random();
  if (depth < 4 && roll < 0.3) {
    const n = Math.floor(random() * 5);
    const members = Array.from(
      { length: n },
      () => `${space()}"${key()}"${space()}:${space()}${randomDocument(random, depth + 1)}`,
    );
    return `{${members.join(",")}${n > 0 && random() < 0.1 ? "," : ""}${space()}}`;
  }
  if (depth < 4 && roll < 0.5) {
    const n = Math.floor(random() * 5);
    const items = Array.from({ length: n }, () => `${space()}${randomDocument(random, depth + 1)}`);
    return `[${items.join(",")}${n > 0 && random() < 0.1 ? "," : ""}${space()}]`;
  }
  return pick([
    () => String(Math.floor(random() * 2000) - 1000),
    () => (random() * 1e6 - 5e5).toFixed(Math.floor(random() * 8)),
    () => `${(random() * 10).toFixed(3)}e${Math.floor(random() * 60) - 30}`,
    () =>
      pick(["0", "-0", "1.0", "-0.0", "1E+2", "9007199254740993", "18446744073709551616", "1e400", "NaN"]),
    () => pick(["true", "false", "null"]),
    () =>
      `"${
        pick([
          "Oslo",
          "Zürich",
          "a\\nb",
          "\\u00e9\\ud83d\\ude00",
          'q\\"t',
          "\\\\",
          "\\/",
          "tab\\t",
          "\\u0001",
        ])
      }"`,
  ])();
}

Deno.test("the JSON functions answer random documents and paths as native DuckDB does (seeded fuzz)", async () => {
  const seed = Number(Deno.env.get("JSON_FUZZ_SEED") ?? 20261129);
  const random = seededRandom(seed);
  const documents = Array.from({ length: 300 }, () => randomDocument(random));
  const paths = [
    "$",
    "$.a",
    "$.b[0]",
    "$.a.b",
    "$[0]",
    "$[1].a",
    "$.a[#-1]",
    "$.city",
    '$."k.y"',
    "$.é",
    "$.a[0].b[1]",
    "/a/0",
    "a",
  ];
  const queries = paths.flatMap((path) =>
    ["json_extract(j, P)", "j->>P", "json_type(j, P)", "json_keys(j, P)", "json_array_length(j, P)"].map((
      f,
    ) => `SELECT id, ${f.replaceAll("P", literal(path))} AS v FROM d ORDER BY id`)
  ).concat(
    ["json(j)", "json_valid(j)", "j->0", "j->>-1"].map((e) => `SELECT id, ${e} AS v FROM d ORDER BY id`),
  );
  assert.deepEqual(await differences(rows(documents), queries), [], `seed ${seed}`);
});

Deno.test("What cannot work without the json extension fails with a message naming the alternative", async () => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  await cache.sql(`CREATE TABLE t AS SELECT '{"a":[1,2],"s":{"x":1}}' AS j`);
  const failure = async (sql: string) => {
    try {
      await cache.sql(sql);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${sql} did not fail`);
  };
  const cases: [sql: string, mentions: string[]][] = [
    ['SELECT json_transform(j, \'{"a":"INTEGER[]"}\') FROM t', [
      "json_transform",
      "json_extract_string(j, '$.field')::TYPE",
    ]],
    ["SELECT json_group_array(j) FROM t", ["json_group_array", "list(x)"]],
    ["SELECT to_json(42)", ["to_json", "select the columns themselves"]],
    ["SELECT * FROM read_json('x.json')", ["read_json", "source-file"]],
    ["SELECT j::JSON FROM t", ["Type JSON", "drop the ::JSON cast"]],
    ["SELECT json_extract(j, '$.a[*]') FROM t", ["wildcard", "$.a[0]"]],
    ["SELECT json_extract(j, ['$.a', '$.s']) FROM t", ["VARCHAR[]", "once per path"]],
    ["SELECT json_extract({'x': 1}, '$.x')", ["reads JSON text", "s.field"]],
    ["SELECT json_extract(NULL, '$.a')", ["NULL::VARCHAR"]],
    ["SELECT json_extract(j) FROM t", ["json_extract(json, path)"]],
    ["SELECT json_extract(j, 1::BIGINT) FROM t", ["BIGINT", "i::INTEGER"]],
  ];
  for (const [sql, mentions] of cases) {
    const message = await failure(sql);
    for (const text of mentions) assert.ok(message.includes(text), `${sql}: ${message}`);
    assert.ok(!message.includes("INSTALL json"), `${sql} still says INSTALL json: ${message}`);
  }
});
