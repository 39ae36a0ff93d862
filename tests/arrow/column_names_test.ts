import assert from "node:assert/strict";
import { assertNoCollisions, normalizeColumns, normalizeName } from "../../src/arrow/column_names.ts";
import { CacheError } from "../../src/errors.ts";

Deno.test("normalizeName lower-cases and turns every non-alphanumeric into '_' like PyAirbyte", () => {
  // Cases from PyAirbyte's LowerCaseNormalizer docstring (applying its regex as written).
  const cases: [string, string][] = [
    ["Hello World!", "hello_world_"],
    ["Hello, World!", "hello__world_"],
    ["Hello - World", "hello___world"],
    ["___Hello, World___", "___hello__world___"],
    ["Average Sales (%)", "average_sales____"],
    ["Average Sales (#)", "average_sales____"],
    ["userId", "userid"],
    ["already_normal_1", "already_normal_1"],
    ["a.b/c", "a_b_c"],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeName(input), expected, input);
});

Deno.test("normalizeName prefixes '_' when the result starts with a digit", () => {
  assert.equal(normalizeName("1"), "_1");
  assert.equal(normalizeName("123abc"), "_123abc");
  assert.equal(normalizeName("1b"), "_1b");
  assert.equal(normalizeName("+1"), "_1");
  assert.equal(normalizeName("-1"), "_1");
  assert.equal(normalizeName("a1"), "a1");
});

Deno.test("normalizeName maps the empty name to '_'", () => {
  assert.equal(normalizeName(""), "_");
});

Deno.test("normalizeName replaces each non-ASCII code point with one '_'", () => {
  assert.equal(normalizeName("Café"), "caf_");
  assert.equal(normalizeName("naïve size"), "na_ve_size");
  assert.equal(normalizeName("rocket🚀"), "rocket_"); // one code point, two UTF-16 units
  assert.equal(normalizeName("日本"), "__");
});

Deno.test("normalizeColumns maps each property to its column", () => {
  const { columns, collisions } = normalizeColumns(["Id", "First Name", "2fa"]);
  assert.deepEqual([...columns], [["Id", "id"], ["First Name", "first_name"], ["2fa", "_2fa"]]);
  assert.deepEqual(collisions, []);
});

Deno.test("normalizeColumns reports every group of properties sharing a column", () => {
  const { columns, collisions } = normalizeColumns([
    "userId",
    "UserID",
    "user id",
    "user-id",
    "USER_ID",
    "ok",
  ]);
  assert.deepEqual(collisions, [
    { column: "userid", sources: ["userId", "UserID"] },
    { column: "user_id", sources: ["user id", "user-id", "USER_ID"] },
  ]);
  // The first property keeps the column; the others are only reported.
  assert.equal(columns.get("userId"), "userid");
  assert.equal(columns.has("UserID"), false);
  assert.equal(columns.get("ok"), "ok");
});

Deno.test("assertNoCollisions throws a CacheError naming both properties and the column", () => {
  const result = normalizeColumns(["Email", "email", "name"]);
  assert.throws(() => assertNoCollisions("users", result), (e: unknown) => {
    assert.ok(e instanceof CacheError);
    assert.equal(e.code, "CACHE_ERROR");
    assert.match(e.message, /stream 'users'/);
    assert.match(e.message, /'Email' and 'email'/);
    assert.match(e.message, /column 'email'/);
    assert.ok(e.guidance);
    assert.deepEqual(e.context.collisions, [{ column: "email", sources: ["Email", "email"] }]);
    return true;
  });
});

Deno.test("assertNoCollisions accepts names that do not collide", () => {
  assertNoCollisions("users", normalizeColumns(["a", "b", "A_1"]));
});
