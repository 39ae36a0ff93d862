import assert from "node:assert/strict";
import { columnKindOf, toStreamColumns } from "../../src/arrow/stream_columns.ts";
import { TYPE_TABLE } from "./_schemas.ts";
import { CacheError } from "../../src/errors.ts";

Deno.test("columnKindOf maps every Airbyte type to its column kind", () => {
  for (const [schema, kind] of TYPE_TABLE) assert.equal(columnKindOf(schema), kind, JSON.stringify(schema));
});

Deno.test("toStreamColumns gives each kind its DuckDB and Arrow type", () => {
  const properties = Object.fromEntries(TYPE_TABLE.map(([schema], i) => [`p${i}`, schema]));
  const columns = toStreamColumns({ type: "object", properties });
  TYPE_TABLE.forEach(([schema, kind, sqlType, arrowType], i) => {
    const column = columns[i];
    assert.deepEqual(
      { property: column.property, name: column.name, kind: column.kind, sqlType: column.sqlType },
      { property: `p${i}`, name: `p${i}`, kind, sqlType },
      JSON.stringify(schema),
    );
    assert.equal(String(column.arrowType), arrowType, JSON.stringify(schema));
  });
});

Deno.test("toStreamColumns keeps schema order, normalizes names and appends the Airbyte columns", () => {
  const columns = toStreamColumns({
    type: "object",
    properties: {
      "Order ID": { type: "integer" },
      "1st-choice": { type: "string" },
      Total: { type: "number" },
    },
  });
  assert.deepEqual(
    columns.map((c) => [c.property, c.name, c.sqlType]),
    [
      ["Order ID", "order_id", "BIGINT"],
      ["1st-choice", "_1st_choice", "VARCHAR"],
      ["Total", "total", "DOUBLE"],
      ["_airbyte_raw_id", "_airbyte_raw_id", "UUID"],
      ["_airbyte_extracted_at", "_airbyte_extracted_at", "TIMESTAMPTZ"],
      ["_airbyte_meta", "_airbyte_meta", "VARCHAR"],
    ],
  );
});

Deno.test("toStreamColumns gives a schema without properties only the Airbyte columns", () => {
  for (const schema of [{}, { type: "object" }, { type: "object", properties: {} }, undefined]) {
    assert.deepEqual(toStreamColumns(schema).map((c) => c.name), [
      "_airbyte_raw_id",
      "_airbyte_extracted_at",
      "_airbyte_meta",
    ]);
  }
});

Deno.test("toStreamColumns throws a CacheError when two properties share a column", () => {
  assert.throws(
    () => toStreamColumns({ properties: { "user id": {}, "User-ID": {} } }, { stream: "users" }),
    (e: unknown) =>
      e instanceof CacheError && /stream 'users'/.test(e.message) &&
      /'user id' and 'User-ID'/.test(e.message) &&
      /'user_id'/.test(e.message),
  );
});

Deno.test("toStreamColumns throws a CacheError when a property takes an Airbyte column's name", () => {
  assert.throws(
    () => toStreamColumns({ properties: { _AIRBYTE_META: { type: "string" } } }, { stream: "s" }),
    (e: unknown) => e instanceof CacheError && /'_AIRBYTE_META' and '_airbyte_meta'/.test(e.message),
  );
});

Deno.test("toStreamColumns rejects a schema whose properties is not an object", () => {
  assert.throws(() => toStreamColumns({ properties: [] }, { stream: "s" }), CacheError);
});
