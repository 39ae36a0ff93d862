// A read's plan is checked before the connector reads anything: keys the schema lacks fail at once.
import assert from "node:assert/strict";
import { DuckDBCache, InvalidArgumentError } from "../../mod.ts";
import { counter } from "../_support.ts";

Deno.test("Source.read fails before reading when the primary key or cursor is not a field of the stream", async () => {
  const source = await counter({ count: 50, state_every: 10 });
  source.selectStreams(["numbers"]);
  source.setPrimaryKey("numbers", "uuid");
  await using cache = new DuckDBCache({ path: ":memory:" });
  const error = await source.read({ cache, progress: "none", writeStrategy: "merge" }).catch((e) => e);
  assert.ok(error instanceof InvalidArgumentError, String(error?.stack ?? error));
  assert.match(error.message, /primary key 'uuid' is not a field of the stream's schema/);
  assert.match(error.guidance!, /'id'/, "the guidance lists the stream's fields");
  // Nothing was read: no table, no state.
  assert.deepEqual(await cache.streams, []);
  assert.equal((await cache.getStateProvider("source-counter")).getStreamState("numbers"), undefined);

  source.setPrimaryKey("numbers", "ID"); // names match as columns do
  source.setCursorKey("numbers", "changed_at");
  await assert.rejects(
    source.read({ cache, progress: "none", writeStrategy: "merge" }),
    /cursor field 'changed_at' is not a field/,
  );
});
