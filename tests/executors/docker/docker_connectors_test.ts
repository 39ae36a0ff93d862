// Sources and destinations through getSource/getDestination({ dockerImage }): real connector
// images (airbyte-source-faker 7.2.1, the airbyte-cdk destination fixture) on a real engine,
// checked against the same connectors through the venv executor.
import assert from "node:assert/strict";
import { ConnectorFailedError, DuckDBCache, getDestination, getSource, memoryLogger } from "../../../mod.ts";
import { counter, faker, jsonlLines, tempDir } from "../../_support.ts";
import { containersOf, dockerHost, IMAGES } from "../../_services/docker.ts";

const FAKER_CONFIG = { count: 300, seed: 1, parallelism: 1 };

/** A directory the container's `airbyte` user (uid 1000) can write to, bind-mounted at /out. */
async function sharedOut(dir: string): Promise<string> {
  const out = `${dir}/out`;
  await Deno.mkdir(out);
  await Deno.chmod(out, 0o777);
  return out;
}

async function jsonlThroughDocker(out: string, config: Record<string, unknown> = {}) {
  return await getDestination("destination-jsonl", {
    dockerImage: IMAGES.destination,
    docker: { host: await dockerHost(), binds: [`${out}:/out`] },
    config: { path: "/out", ...config },
    logger: memoryLogger(),
  });
}

/**
 * What a stored state says per stream. Faker stamps each state with the wall-clock time of the read
 * (`updated_at`), which differs between any two runs: it is checked to be a timestamp, then set
 * aside; everything else (seed, loop offsets) must be equal.
 */
function streamStates(messages: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  type StreamState = {
    stream?: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> };
  };
  for (const m of messages as StreamState[]) {
    if (!m.stream) continue;
    const { updated_at, ...rest } = m.stream.stream_state;
    assert.ok(!Number.isNaN(Date.parse(String(updated_at))), `updated_at is a timestamp: ${updated_at}`);
    out[m.stream.stream_descriptor.name] = rest;
  }
  return out;
}

Deno.test("faker through Docker: spec, check and discover match the venv connector", async () => {
  const host = await dockerHost();
  const viaDocker = await getSource("source-faker", {
    dockerImage: IMAGES.faker,
    docker: { host },
    config: FAKER_CONFIG,
  });
  const viaVenv = await faker(FAKER_CONFIG);
  assert.deepEqual(await viaDocker.configSpec, await viaVenv.configSpec);
  await viaDocker.check();
  assert.deepEqual(await viaDocker.getAvailableStreams(), await viaVenv.getAvailableStreams());
});

Deno.test("faker read through Docker caches the same rows and state as through the venv", async () => {
  const host = await dockerHost();
  await using dir = await tempDir();
  await using dockerCache = new DuckDBCache({ path: `${dir.path}/docker.duckdb` });
  await using venvCache = new DuckDBCache({ path: `${dir.path}/venv.duckdb` });
  const viaDocker = await getSource("source-faker", {
    dockerImage: IMAGES.faker,
    docker: { host },
    config: FAKER_CONFIG,
    streams: "*",
  });
  const viaVenv = await faker(FAKER_CONFIG);
  viaVenv.selectAllStreams();
  const dockerResult = await viaDocker.read({ cache: dockerCache, progress: "none" });
  const venvResult = await viaVenv.read({ cache: venvCache, progress: "none" });

  assert.equal(dockerResult.processedRecords, venvResult.processedRecords);
  for (const stream of ["users", "products", "purchases"]) {
    const rows = await dockerResult.get(stream).count();
    assert.ok(rows > 0, `${stream} has rows`);
    assert.equal(rows, await venvResult.get(stream).count(), `${stream}: same row count`);
    const ids = async (cache: DuckDBCache) =>
      (await cache.sql(`SELECT id FROM ${stream} ORDER BY id`)).toArray().map((r) => Number(r.id));
    assert.deepEqual(await ids(dockerCache), await ids(venvCache), `${stream}: same ids`);
  }
  const dockerState = await dockerCache.getStateProvider("source-faker");
  const venvState = await venvCache.getStateProvider("source-faker");
  const states = streamStates(dockerState.stateMessages);
  assert.deepEqual(Object.keys(states).sort(), ["products", "purchases", "users"]);
  assert.deepEqual(states, streamStates(venvState.stateMessages));
  assert.deepEqual(
    await containersOf(host, "source-faker").then((c) => c.filter((x) => x.State === "running")),
    [],
  );
});

Deno.test("Destination.write through Docker delivers every record over attached stdin and stores the echoed states", async () => {
  await using dir = await tempDir();
  const out = await sharedOut(dir.path);
  await using cache = new DuckDBCache({ path: `${dir.path}/cache.duckdb` });
  const destination = await jsonlThroughDocker(out);
  const result = await destination.write(await counter({ count: 40, state_every: 5 }), {
    cache,
    progress: "none",
  });
  assert.equal(result.processedRecords, 40);
  assert.equal(result.confirmedRecords, 40);
  const ids = (await jsonlLines(`${out}/numbers.jsonl`)).map((r) => r.id);
  assert.deepEqual(ids, Array.from({ length: 40 }, (_, i) => i + 1));
  const stored = await cache.getDestinationStateProvider("source-counter", "destination-jsonl");
  assert.deepEqual((stored.getStreamState("numbers")!.stream as any).stream_state, { updated_at: 40 });
});

Deno.test("a destination container that crashes mid-write keeps only confirmed states; a rerun sends the rest", async () => {
  await using dir = await tempDir();
  const out = await sharedOut(dir.path);
  await using stateCache = new DuckDBCache({ path: `${dir.path}/state.duckdb` });
  const crashing = await jsonlThroughDocker(out, { fail_after_records: 12 });
  const error = await crashing.write(await counter({ count: 30, state_every: 5 }), {
    cache: false,
    stateCache,
    progress: "none",
  }).catch((e) => e);
  assert.ok(error instanceof ConnectorFailedError, String(error));
  assert.match(`${error.message} ${error.internalMessage}`, /failed on purpose after 12 records/);
  const state = await stateCache.getDestinationStateProvider("source-counter", "destination-jsonl");
  assert.deepEqual(
    (state.getStreamState("numbers")!.stream as any).stream_state,
    { updated_at: 10 },
    "only the states the container echoed before it crashed are stored",
  );

  const healthy = await jsonlThroughDocker(out);
  const rerun = await healthy.write(await counter({ count: 30, state_every: 5 }), {
    cache: false,
    stateCache,
    progress: "none",
  });
  assert.equal(rerun.processedRecords, 20, "the rerun starts from the confirmed state");
  const ids = (await jsonlLines(`${out}/numbers.jsonl`)).map((r) => r.id);
  assert.equal(new Set(ids).size, 30, "every record arrived");
});
