// Destination.write() from a PostgresCache: a real airbyte-cdk destination (tests/fixtures/
// destination_jsonl) fed from Postgres-cached reads, delivery marks and confirmed states kept in
// the same database, and only unconfirmed records sent again.
import assert from "node:assert/strict";
import { ConnectorFailedError, getDestination, memoryLogger, PostgresCache } from "../../mod.ts";
import { counter, DESTINATION_JSONL_PIP, jsonlLines, tempDir } from "../_support.ts";
import { testDatabase } from "../_services/postgres.ts";

function jsonl(config: Record<string, unknown>) {
  return getDestination("destination-jsonl", {
    pipUrl: DESTINATION_JSONL_PIP,
    config,
    logger: memoryLogger(),
  });
}

Deno.test("Destination.write from a Postgres-cached ReadResult sends only unconfirmed records on a second write", async () => {
  await using dir = await tempDir();
  await using db = await testDatabase("delivery");
  await using cache = new PostgresCache({ url: db.url });
  const destination = await jsonl({ path: `${dir.path}/out` });

  const firstRead = await (await counter({ count: 40 })).read({
    cache,
    streams: ["numbers"],
    progress: "none",
  });
  const first = await destination.write(firstRead, { progress: "none" });
  assert.equal(first.processedRecords, 40);
  assert.equal(first.confirmedRecords, 40);
  const marks = await cache.getDeliveryMarks("source-counter", "destination-jsonl");
  const { rows } = await db.sql.query(
    "SELECT _airbyte_raw_id::text AS last FROM airbyte_raw.numbers ORDER BY _airbyte_raw_id DESC LIMIT 1",
  );
  assert.deepEqual([...marks], [["numbers", rows[0].last]], "the mark is the last row delivered");

  // The second read brings ids 41-55; the write sends those and nothing it sent before.
  const secondRead = await (await counter({ count: 55 })).read({
    cache,
    streams: ["numbers"],
    progress: "none",
  });
  const second = await destination.write(secondRead, { progress: "none" });
  assert.equal(second.processedRecords, 15, "only ids 41-55 are sent");
  const ids = (await jsonlLines(`${dir.path}/out/numbers.jsonl`)).map((r) => r.id);
  assert.equal(ids.length, 55);
  assert.equal(new Set(ids).size, 55, "no record delivered twice");
  const confirmed = await cache.getDestinationStateProvider("source-counter", "destination-jsonl");
  assert.deepEqual((confirmed.getStreamState("numbers")!.stream as any).stream_state, { updated_at: 55 });

  const third = await destination.write(secondRead, { progress: "none" });
  assert.equal(third.processedRecords, 0, "everything was confirmed");
});

Deno.test("a destination that crashes mid-write from a PostgresCache keeps only what it confirmed, and a rerun sends the rest", async () => {
  await using dir = await tempDir();
  await using db = await testDatabase("crashdest");
  await using cache = new PostgresCache({ url: db.url });
  const readResult = await (await counter({ count: 30, state_every: 5 })).read({
    cache,
    streams: "*",
    progress: "none",
  });
  // A checkpoint every 5 rows: the crash after 12 records leaves 10 confirmed.
  const crashing = await jsonl({ path: `${dir.path}/out`, fail_after_records: 12 });
  const error = await crashing.write(readResult, { progress: "none", checkpointRows: 5 }).catch((e) => e);
  assert.ok(error instanceof ConnectorFailedError, String(error));
  assert.equal((await cache.getDeliveryMarks("source-counter", "destination-jsonl")).size, 1);

  const rerun = await (await jsonl({ path: `${dir.path}/out` })).write(readResult, {
    progress: "none",
    checkpointRows: 5,
  });
  assert.equal(rerun.processedRecords, 20, "the rerun sends only the 20 unconfirmed records");
  const ids = (await jsonlLines(`${dir.path}/out/numbers.jsonl`)).map((r) => r.id);
  assert.equal(new Set(ids).size, 30, "every record arrived");
});

Deno.test("a PostgresCache as stateCache keeps a streaming write's confirmed state, and the rerun starts from it", async () => {
  await using dir = await tempDir();
  await using db = await testDatabase("statecache");
  await using stateCache = new PostgresCache({ url: db.url, schemaName: "states" });
  const crashing = await jsonl({ path: `${dir.path}/out`, fail_after_records: 12 });
  const error = await crashing.write(await counter({ count: 30, state_every: 5 }), {
    cache: false,
    stateCache,
    progress: "none",
  }).catch((e) => e);
  assert.ok(error instanceof ConnectorFailedError, String(error));
  const state = await stateCache.getDestinationStateProvider("source-counter", "destination-jsonl");
  assert.deepEqual((state.getStreamState("numbers")!.stream as any).stream_state, { updated_at: 10 });

  const rerun = await (await jsonl({ path: `${dir.path}/out` })).write(
    await counter({ count: 30, state_every: 5 }),
    { cache: false, stateCache, progress: "none" },
  );
  assert.equal(rerun.processedRecords, 20, "the rerun starts from the confirmed state");
  const ids = (await jsonlLines(`${dir.path}/out/numbers.jsonl`)).map((r) => r.id);
  assert.equal(new Set(ids).size, 30);
});
