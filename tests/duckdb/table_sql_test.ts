import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { ArrowBatchBuilder } from "../../src/arrow/arrow_batch_builder.ts";
import { toStreamColumns } from "../../src/arrow/stream_columns.ts";
import { ident as quoteIdentifier } from "../../src/cache/sql_quote.ts";
import { alignColumnsToTable, canonicalSqlType } from "../../src/cache/table_columns.ts";
import { addMissingColumnsSql, createTableSql } from "../../src/duckdb/table_sql.ts";
import { CacheError } from "../../src/errors.ts";
import { openMemoryDuckDB } from "../arrow/_wasm_duckdb.ts";
import { TYPE_TABLE } from "../arrow/_schemas.ts";

const db = await openMemoryDuckDB();
globalThis.addEventListener("unload", () => db.close());

const describe = (table: string) =>
  Object.fromEntries(db.rows(`DESCRIBE ${table}`).map((r) => [r.column_name, r.column_type]));

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
