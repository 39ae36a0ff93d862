import assert from "node:assert/strict";
import { ConfigValidationError } from "../../mod.ts";
import { assertValidConfig, findConfigIssues } from "../../src/connectors/config_validation.ts";

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
