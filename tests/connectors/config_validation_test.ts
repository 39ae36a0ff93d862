import assert from "node:assert/strict";
import { ConfigValidationError, getSource } from "../../mod.ts";
import {
  assertValidConfig,
  findConfigIssues,
  findNonJsonValues,
} from "../../src/connectors/config_validation.ts";
import { fixture } from "../_support.ts";

const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["count", "api_key"],
  properties: {
    count: { type: "integer", minimum: 1 },
    api_key: { type: "string", airbyte_secret: true },
    nested: { type: "object", properties: { "odd key": { type: "boolean" } } },
    list: { type: "array", items: { type: "string" } },
  },
};

Deno.test("findConfigIssues names each offending field by its JSON path", () => {
  const issues = findConfigIssues({ count: 0, nested: { "odd key": "yes" }, list: ["a", 2] }, schema);
  const paths = issues.map((i) => i.path).sort();
  assert.deepEqual(paths, ["$.api_key", "$.count", "$.list[1]", '$.nested["odd key"]'].sort());
});

Deno.test("assertValidConfig throws ConfigValidationError listing every issue", () => {
  const error = (() => {
    try {
      assertValidConfig("source-x", { count: "many" }, schema);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof ConfigValidationError);
  assert.equal(error.code, "CONFIG_INVALID");
  assert.match(error.message, /\$\.count/);
  assert.match(error.message, /\$\.api_key: is required/);
});

Deno.test("findConfigIssues accepts a valid config", () => {
  assert.deepEqual(findConfigIssues({ count: 3, api_key: "k" }, schema), []);
});

Deno.test("findNonJsonValues names what JSON cannot carry by path, and says what to pass instead", () => {
  const circular: Record<string, unknown> = { name: "x" };
  circular.self = { back: circular };
  const issues = findNonJsonValues({
    count: 10n,
    cb: () => 1,
    when: new Date(0),
    ratio: NaN,
    lookup: new Map(),
    nested: circular,
    list: [1, Symbol("s")],
    fine: { a: [1, "two", null, true, { b: undefined }] },
  });
  assert.deepEqual(issues.map((i) => i.path), [
    "$.count",
    "$.cb",
    "$.when",
    "$.ratio",
    "$.lookup",
    "$.nested.self.back",
    "$.list[1]",
  ]);
  assert.match(issues[0].message, /BigInt.*pass a number, or a string/);
  assert.match(issues[2].message, /toISOString/);
  assert.match(issues[5].message, /refers back to \$\.nested \(a circular structure\)/);
  // The same object twice, but not inside itself, is fine.
  const shared = { k: 1 };
  assert.deepEqual(findNonJsonValues({ a: shared, b: shared }), []);
});

Deno.test("getSource and setConfig reject a BigInt, a function or a circular config with ConfigValidationError naming the path", async () => {
  const circular: Record<string, unknown> = { count: 3 };
  circular.again = circular;
  const configs: [Record<string, unknown>, string][] = [
    [{ count: 3n }, "$.count"],
    [{ count: 3, onRecord: () => {} }, "$.onRecord"],
    [circular, "$.again"],
  ];
  for (const validate of [true, false]) {
    for (const [config, path] of configs) {
      const error = await getSource("source-counter", {
        localExecutable: fixture("source_counter.py"),
        config,
        validate,
      }).catch((e) => e);
      assert.ok(
        error instanceof ConfigValidationError,
        `${path} (validate: ${validate}): ${error?.stack ?? error}`,
      );
      assert.deepEqual(error.issues.map((i: { path: string }) => i.path), [path]);
    }
  }
  const source = await getSource("source-counter", { localExecutable: fixture("source_counter.py") });
  await assert.rejects(source.setConfig({ count: 1n }), ConfigValidationError);
  assert.equal(source.hasConfig, false, "nothing changed");
});
