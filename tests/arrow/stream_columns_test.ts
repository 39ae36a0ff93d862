import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { ArrowBatchBuilder } from "../../src/arrow/arrow_batch_builder.ts";
import {
  addMissingColumnsSql,
  alignColumnsToTable,
  canonicalSqlType,
  type ColumnKind,
  columnKindOf,
  createTableSql,
  quoteIdentifier,
  toStreamColumns,
} from "../../src/arrow/stream_columns.ts";
import { CacheError } from "../../src/errors.ts";
import { openMemoryDuckDB } from "./_wasm_duckdb.ts";

const db = await openMemoryDuckDB();
globalThis.addEventListener("unload", () => db.close());

const describe = (table: string) =>
  Object.fromEntries(db.rows(`DESCRIBE ${table}`).map((r) => [r.column_name, r.column_type]));

// Every Airbyte type, in its current, legacy and well-known-$ref spellings.
const TYPE_TABLE: [schema: unknown, kind: ColumnKind, sqlType: string, arrowType: string][] = [
  [{ type: "string" }, "string", "VARCHAR", "Utf8"],
  [{ type: ["null", "string"] }, "string", "VARCHAR", "Utf8"],
  [{ type: "string", contentEncoding: "base64" }, "string", "VARCHAR", "Utf8"],
  [{ type: "boolean" }, "boolean", "BOOLEAN", "Bool"],
  [{ type: "integer" }, "integer", "BIGINT", "Int64"],
  [{ type: ["integer", "null"] }, "integer", "BIGINT", "Int64"],
  [{ type: "number", airbyte_type: "integer" }, "integer", "BIGINT", "Int64"],
  [{ type: "string", airbyte_type: "big_integer" }, "big_integer", "DECIMAL(38,0)", "Decimal[38e0]"],
  [{ type: "number" }, "number", "DOUBLE", "Float64"],
  [{ type: ["null", "integer", "number"] }, "number", "DOUBLE", "Float64"],
  [{ type: "string", airbyte_type: "big_number" }, "decimal", "DECIMAL(38,9)", "Decimal[38e+9]"],
  [{ type: "number", multipleOf: 0.01 }, "decimal", "DECIMAL(38,9)", "Decimal[38e+9]"],
  [{ type: "number", multipleOf: 1e-9 }, "decimal", "DECIMAL(38,9)", "Decimal[38e+9]"],
  [{ type: "number", multipleOf: 5 }, "number", "DOUBLE", "Float64"],
  [{ type: "number", multipleOf: 1e-12 }, "number", "DOUBLE", "Float64"],
  [{ type: "string", format: "date" }, "date", "DATE", "Date32<DAY>"],
  [{ type: ["null", "string"], format: "date" }, "date", "DATE", "Date32<DAY>"],
  [
    { type: "string", format: "date-time" },
    "timestamp_with_timezone",
    "TIMESTAMPTZ",
    "Timestamp<MICROSECOND, UTC>",
  ],
  [
    { type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" },
    "timestamp_with_timezone",
    "TIMESTAMPTZ",
    "Timestamp<MICROSECOND, UTC>",
  ],
  [
    { type: "string", format: "date-time", airbyte_type: "timestamp_without_timezone" },
    "timestamp_without_timezone",
    "TIMESTAMP",
    "Timestamp<MICROSECOND>",
  ],
  [{ type: "string", format: "time" }, "time_without_timezone", "TIME", "Time64<MICROSECOND>"],
  [
    { type: "string", format: "time", airbyte_type: "time_without_timezone" },
    "time_without_timezone",
    "TIME",
    "Time64<MICROSECOND>",
  ],
  [
    { type: "string", format: "time", airbyte_type: "time_with_timezone" },
    "time_with_timezone",
    "VARCHAR",
    "Utf8",
  ],
  [{ type: "object", properties: { a: { type: "integer" } } }, "json", "VARCHAR", "Utf8"],
  [{ type: ["null", "object"] }, "json", "VARCHAR", "Utf8"],
  [{ type: "array", items: { type: "string" } }, "json", "VARCHAR", "Utf8"],
  [{ type: ["string", "integer"] }, "json", "VARCHAR", "Utf8"],
  [{ oneOf: [{ type: "string" }, { type: "integer" }] }, "json", "VARCHAR", "Utf8"],
  [{ anyOf: [{ type: "null" }, { type: "string", format: "date" }] }, "date", "DATE", "Date32<DAY>"],
  [{ oneOf: [{ type: "integer" }, { type: "null" }] }, "integer", "BIGINT", "Int64"],
  [{ type: "null" }, "json", "VARCHAR", "Utf8"],
  [{}, "json", "VARCHAR", "Utf8"],
  [{ description: "no type at all" }, "json", "VARCHAR", "Utf8"],
  [{ type: "string", format: "email" }, "string", "VARCHAR", "Utf8"],
  [{ $ref: "#/definitions/Address" }, "json", "VARCHAR", "Utf8"],
  [{ $ref: "WellKnownTypes.json#/definitions/Integer" }, "integer", "BIGINT", "Int64"],
  [{ $ref: "WellKnownTypes.json#definitions/Number" }, "number", "DOUBLE", "Float64"],
  [{ $ref: "WellKnownTypes.json#/definitions/String" }, "string", "VARCHAR", "Utf8"],
  [{ $ref: "WellKnownTypes.json#/definitions/BinaryData" }, "string", "VARCHAR", "Utf8"],
  [{ $ref: "WellKnownTypes.json#/definitions/Boolean" }, "boolean", "BOOLEAN", "Bool"],
  [{ $ref: "WellKnownTypes.json#/definitions/Date" }, "date", "DATE", "Date32<DAY>"],
  [
    { $ref: "WellKnownTypes.json#/definitions/TimestampWithTimezone" },
    "timestamp_with_timezone",
    "TIMESTAMPTZ",
    "Timestamp<MICROSECOND, UTC>",
  ],
  [
    { $ref: "WellKnownTypes.json#/definitions/TimestampWithoutTimezone" },
    "timestamp_without_timezone",
    "TIMESTAMP",
    "Timestamp<MICROSECOND>",
  ],
  [
    { $ref: "WellKnownTypes.json#/definitions/TimeWithoutTimezone" },
    "time_without_timezone",
    "TIME",
    "Time64<MICROSECOND>",
  ],
  [{ $ref: "WellKnownTypes.json#/definitions/TimeWithTimezone" }, "time_with_timezone", "VARCHAR", "Utf8"],
  [{ $ref: "WellKnownTypes.json#/definitions/Unknown" }, "json", "VARCHAR", "Utf8"],
  ["not a schema", "json", "VARCHAR", "Utf8"],
  [null, "json", "VARCHAR", "Utf8"],
];

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

Deno.test("createTableSql creates the table DuckDB describes with the mapped types", () => {
  const columns = toStreamColumns({
    properties: Object.fromEntries(TYPE_TABLE.map(([schema], i) => [`P ${i}`, schema])),
  });
  db.conn.query('CREATE SCHEMA IF NOT EXISTS "my schema"');
  db.conn.query(createTableSql("my schema", "all types", columns));
  db.conn.query(createTableSql("my schema", "all types", columns)); // IF NOT EXISTS: a second run is fine
  const described = describe('"my schema"."all types"');
  for (const column of columns) {
    assert.equal(
      canonicalSqlType(String(described[column.name])),
      canonicalSqlType(column.sqlType),
      column.name,
    );
  }
  assert.equal(Object.keys(described).length, columns.length);
});

Deno.test("quoteIdentifier doubles embedded quotes so any name is one identifier", () => {
  const name = 'we"ird; DROP TABLE x; --';
  db.conn.query(`CREATE TABLE ${quoteIdentifier(name)} (${quoteIdentifier('a"b')} INTEGER)`);
  assert.deepEqual(Object.keys(describe(quoteIdentifier(name))), ['a"b']);
});

Deno.test("canonicalSqlType spells equivalent DuckDB types the same way", () => {
  const pairs: [string, string][] = [
    ["TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"],
    ["timestamptz", "TIMESTAMPTZ"],
    ["INT8", "BIGINT"],
    ["double precision", "DOUBLE"],
    ["TEXT", "VARCHAR"],
    ["VARCHAR(255)", "VARCHAR"],
    ["decimal(38, 9)", "DECIMAL(38,9)"],
    ["NUMERIC(10,2)", "DECIMAL(10,2)"],
    ["bool", "BOOLEAN"],
  ];
  for (const [input, expected] of pairs) assert.equal(canonicalSqlType(input), expected, input);
});

Deno.test("addMissingColumnsSql adds new columns, drops none and leaves a changed type alone", () => {
  const before = toStreamColumns({
    properties: { id: { type: "integer" }, amount: { type: "string" }, old: {} },
  });
  db.conn.query(createTableSql("main", "evolving", before));
  const after = toStreamColumns({
    properties: { id: { type: "integer" }, amount: { type: "number" }, email: { type: "string" } },
  });
  const existing = db.rows("DESCRIBE evolving").map((r) => ({
    name: String(r.column_name),
    sqlType: String(r.column_type),
  }));
  const statements = addMissingColumnsSql("main", "evolving", existing, after);
  assert.deepEqual(statements, ['ALTER TABLE "main"."evolving" ADD COLUMN "email" VARCHAR']);
  for (const sql of statements) db.conn.query(sql);
  const described = describe("evolving");
  assert.equal(described.amount, "VARCHAR"); // the old type stays
  assert.equal(described.old, "VARCHAR"); // nothing is dropped
  assert.equal(described.email, "VARCHAR");
  // Names match case-insensitively, as DuckDB identifiers do.
  assert.deepEqual(
    addMissingColumnsSql(
      "main",
      "evolving",
      existing.map((e) => ({ ...e, name: e.name.toUpperCase() })),
      before,
    ),
    [],
  );
});

Deno.test("alignColumnsToTable converts values to an existing column's type and keeps misfits", () => {
  // The table was created when "amount" was a string and "score" an integer.
  const old = toStreamColumns({ properties: { amount: { type: "string" }, score: { type: "integer" } } });
  db.conn.query(createTableSql("main", "aligned", old));
  const existing = db.rows("DESCRIBE aligned").map((r) => ({
    name: String(r.column_name),
    sqlType: String(r.column_type),
  }));
  const wanted = toStreamColumns({
    properties: { amount: { type: "number" }, score: { type: "string", format: "date" } },
  });
  const columns = alignColumnsToTable(existing, wanted);
  assert.deepEqual(columns.map((c) => [c.name, c.kind, c.sqlType]).slice(0, 2), [
    ["amount", "string", "VARCHAR"],
    ["score", "integer", "BIGINT"],
  ]);
  const builder = new ArrowBatchBuilder(columns);
  builder.add({ amount: 12.5, score: "2021-01-01" }, 0);
  db.conn.insertArrowFromIPCStream(builder.finish(), { name: "aligned_stage", create: true });
  db.conn.query("INSERT INTO aligned BY NAME SELECT * FROM aligned_stage");
  const [row] = db.rows("SELECT amount, score, _airbyte_meta FROM aligned");
  assert.equal(row.amount, "12.5");
  assert.equal(row.score, null);
  assert.deepEqual(JSON.parse(String(row._airbyte_meta)).changes, [
    { field: "score", change: "NULLED", reason: "DESTINATION_TYPECAST_ERROR", raw: "2021-01-01" },
  ]);
});

Deno.test("alignColumnsToTable keeps decimal scales and refuses types the cache never writes", () => {
  const wanted = toStreamColumns({ properties: { price: { type: "number" }, tags: { type: "array" } } });
  const [price] = alignColumnsToTable([{ name: "price", sqlType: "DECIMAL(18,2)" }], wanted);
  assert.equal(price.kind, "decimal");
  assert.equal(price.sqlType, "DECIMAL(18,2)");
  assert.ok(
    price.arrowType instanceof arrow.Decimal && price.arrowType.scale === 2 &&
      price.arrowType.precision === 18,
  );
  assert.throws(
    () => alignColumnsToTable([{ name: "tags", sqlType: "VARCHAR[]" }], wanted),
    (e: unknown) => e instanceof CacheError && /'tags'/.test(e.message) && /VARCHAR\[\]/.test(e.message),
  );
});
