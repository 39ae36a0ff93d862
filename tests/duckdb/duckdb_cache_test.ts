// DuckDBCache's own behaviour, apart from reads (see source_read_test.ts for those).
import assert from "node:assert/strict";
import { DuckDBCache } from "../../mod.ts";
import { tempDir } from "../_support.ts";

Deno.test("DuckDBCache.isNewDatabase is true only while a database it creates is still opening", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/new.duckdb`;
  const cache = new DuckDBCache({ path });
  assert.equal(await cache.isNewDatabase(), true, "a file that does not exist yet");
  await cache.sql("CREATE TABLE t AS SELECT 1 AS x");
  assert.equal(await cache.isNewDatabase(), false, "open now: anything may have been written");
  await cache.close();
  const again = new DuckDBCache({ path });
  assert.equal(await again.isNewDatabase(), false, "the file exists");
  await again.close();
  await using memory = new DuckDBCache({ path: ":memory:" });
  assert.equal(await memory.isNewDatabase(), true);
});
