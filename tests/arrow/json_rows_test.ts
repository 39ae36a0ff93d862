// toJsonRows on real DuckDB-WASM query results: every value JSON.stringify can write, and the
// numbers kept exact (text where a JS number would round).
import assert from "node:assert/strict";
import { DuckDBCache, toJsonRows } from "../../mod.ts";

// One in-memory cache for every step: each DuckDB-WASM start costs a second or more.
Deno.test("toJsonRows on cache.sql() results", async (t) => {
  await using cache = new DuckDBCache({ path: ":memory:" });
  const query = (sql: string) => cache.sql(sql);

  await t.step(
    "a count(*) row from cache.sql() throws in JSON.stringify, and toJsonRows makes it {n: 3}",
    async () => {
      const table = await query("SELECT count(*) AS n FROM range(3)");
      assert.equal(typeof table.get(0)?.n, "bigint");
      assert.throws(() => JSON.stringify(table.toArray()), TypeError);
      const rows = toJsonRows(table);
      assert.deepEqual(rows, [{ n: 3 }]);
      assert.equal(JSON.stringify(rows), '[{"n":3}]');
    },
  );

  await t.step(
    "toJsonRows keeps 64-bit and 128-bit integers exact: numbers up to 2^53 - 1, text beyond",
    async () => {
      const rows = toJsonRows(
        await query(`SELECT 9007199254740991::BIGINT AS safe, 9007199254740993::BIGINT AS big,
        -9007199254740993::BIGINT AS negative, 18446744073709551615::UBIGINT AS ubig,
        170141183460469231731687303715884105727::HUGEINT AS huge, 7::TINYINT AS tiny`),
      );
      assert.deepEqual(rows, [{
        safe: 9007199254740991,
        big: "9007199254740993",
        negative: "-9007199254740993",
        ubig: "18446744073709551615",
        huge: "170141183460469231731687303715884105727",
        tiny: 7,
      }]);
    },
  );

  await t.step(
    "toJsonRows applies a DECIMAL's scale: numbers when the digits survive, exact text otherwise",
    async () => {
      // apache-arrow's own get() gives the unscaled digits (1.23 reads as 123).
      const rows = toJsonRows(
        await query(
          `SELECT 1.23::DECIMAL(10,2) AS price, -0.05::DECIMAL(10,2) AS cents, 100.50::DECIMAL(10,2) AS half,
        0::DECIMAL(10,2) AS zero, 12345678901234567.891::DECIMAL(38,3) AS long, sum(x)::DECIMAL(18,1) AS total
        FROM (VALUES (1.5), (2.5)) t(x)`,
        ),
      );
      assert.deepEqual(rows, [{
        price: 1.23,
        cents: -0.05,
        half: 100.5,
        zero: 0,
        long: "12345678901234567.891",
        total: 4,
      }]);
    },
  );

  await t.step(
    "toJsonRows writes times as ISO 8601 text: TIMESTAMPTZ with Z, TIMESTAMP without, to the microsecond",
    async () => {
      const rows = toJsonRows(
        await query(
          `SELECT TIMESTAMP '2024-01-02 03:04:05.123456' AS naive, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS zoned,
        TIMESTAMP '1960-06-30 23:59:59.5' AS old, DATE '2024-01-02' AS day, TIME '01:02:03.25' AS clock,
        INTERVAL '1 month 2 days 3 seconds' AS span, NULL::TIMESTAMP AS missing`,
        ),
      );
      assert.deepEqual(rows, [{
        naive: "2024-01-02T03:04:05.123456",
        zoned: "2024-01-02T03:04:05.000Z",
        old: "1960-06-30T23:59:59.500",
        day: "2024-01-02",
        clock: "01:02:03.25",
        span: { months: 1, days: 2, nanoseconds: 3_000_000_000 },
        missing: null,
      }]);
    },
  );

  await t.step("toJsonRows converts inside lists, structs and maps, and writes BLOBs as base64", async () => {
    const rows = toJsonRows(
      await query(`SELECT [1, 9007199254740993]::BIGINT[] AS ids, {'n': 2::BIGINT, 'tags': ['a']} AS meta,
        MAP {'k': 3::BIGINT} AS counts, 'ab'::BLOB AS raw, 'x'::ENUM('x', 'y') AS choice, [NULL]::INT[] AS holes`),
    );
    assert.deepEqual(rows, [{
      ids: [1, "9007199254740993"],
      meta: { n: 2, tags: ["a"] },
      counts: { k: 3 },
      raw: "YWI=",
      choice: "x",
      holes: [null],
    }]);
    assert.doesNotThrow(() => JSON.stringify(rows));
  });

  await t.step(
    "toJsonRows writes NaN and infinities as null, and a column named __proto__ as data",
    async () => {
      const [row] = toJsonRows(
        await query(`SELECT 'nan'::DOUBLE AS a, 'inf'::DOUBLE AS b, 1.5::DOUBLE AS c, 1 AS "__proto__"`),
      );
      assert.deepEqual(Object.entries(row), [["a", null], ["b", null], ["c", 1.5], ["__proto__", 1]]);
      assert.equal(Object.getPrototypeOf(row), Object.prototype);
    },
  );

  await t.step("toJsonRows takes a record batch as well as a table, with many rows in order", async () => {
    const table = await query("SELECT range AS i, range * 2 AS j FROM range(5000)");
    const rows = toJsonRows(table);
    assert.equal(rows.length, 5000);
    assert.deepEqual(rows[4999], { i: 4999, j: 9998 });
    const fromBatches = table.batches.flatMap((batch) => toJsonRows(batch));
    assert.deepEqual(fromBatches, rows);
  });
});
