// The server in its own process (Deno, and Node through @hono/node-server): a client killed
// mid-read, SIGTERM draining, a slow client against a fast connector, and eight reads at once.
// Moments are chosen from the run's own progress (the first record arrived, the connector stopped
// writing); nothing waits on a guessed duration.
import assert from "node:assert/strict";
import { RemoteExecutor, RemoteRefusedError } from "../../mod.ts";
import { DESTINATION_JSONL_PIP, jsonlLines, ROOT, tempDir } from "../_support.ts";
import {
  auth,
  bytesWritten,
  eventually,
  markedConnector,
  nodeBundle,
  processesWith,
  startServerProcess,
  TOKEN,
} from "./_harness.ts";

const REPLAY = `${ROOT}/bench/replay_source.py`;
const REPLAY_CATALOG = {
  streams: [{
    stream: { name: "bench_records", json_schema: {}, supported_sync_modes: ["full_refresh"] },
    sync_mode: "full_refresh",
    destination_sync_mode: "overwrite",
  }],
};
const HANG_CATALOG = {
  streams: [{
    stream: { name: "forever", json_schema: {}, supported_sync_modes: ["full_refresh"] },
    sync_mode: "full_refresh",
    destination_sync_mode: "overwrite",
  }],
};

async function replayData(dir: string, records: number): Promise<{ path: string; bytes: number }> {
  const path = `${dir}/replay-${records}.jsonl`;
  const made = await new Deno.Command("python3", {
    args: [`${ROOT}/bench/make_replay_data.py`, "--records", String(records), "--out", path],
    stdout: "null",
  }).output();
  assert.equal(made.code, 0);
  return { path, bytes: (await Deno.stat(path)).size };
}

function replayFiles(path: string): Record<string, string> {
  return { "--config": JSON.stringify({ path }), "--catalog": JSON.stringify(REPLAY_CATALOG) };
}

const NEWLINE = 10;

/** Count the RECORD lines in a stream of stdout chunks (bytes, no decoding). */
function recordCounter(): { push(chunk: Uint8Array): void; readonly records: number } {
  let lines = 0;
  return {
    push(chunk) {
      for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) lines++;
    },
    get records() {
      return lines - 1; // the replay file's final STATE line
    },
  };
}

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`killing the client mid-read ends the connector's process tree on the server (${runtime} server)`, async () => {
    await using dir = await tempDir();
    const hang = await markedConnector(dir.path, "source_hang.py");
    await using server = await startServerProcess({
      connectors: { "source-hang": { localExecutable: hang.command } },
    }, { runtime, dir: dir.path });
    const client = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}/tests/server/_read_client.ts`, server.url, "source-hang", "forever", "{}"],
      cwd: ROOT,
      env: { AIRBYTE_TS_SERVER_TOKEN: TOKEN },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = client.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("RECORD")) out += (await reader.read()).value ?? "";
    // The connector, its two children and its grandchild run now.
    const before = await hang.processes();
    assert.ok(before.length >= 4, before.join("\n"));
    const killedAt = performance.now();
    client.kill("SIGKILL");
    await client.status;
    const gone = await eventually(async () => (await hang.processes()).length === 0, 30_000, 10);
    const seconds = (performance.now() - killedAt) / 1000;
    console.log(
      `connector tree gone ${seconds.toFixed(2)} s after the client was killed (${runtime} server)`,
    );
    assert.ok(gone, `still running:\n${(await hang.processes()).join("\n")}`);
    assert.ok(
      await eventually(() => server.logs.some((l) => /source-hang read client gone/.test(l))),
      server.logs.join("\n"),
    );
    await reader.cancel().catch(() => {});
  });

  Deno.test(`a slow client slows the connector, not the server's memory (${runtime} server)`, async () => {
    await using dir = await tempDir();
    const data = await replayData(dir.path, 300_000);
    const replay = await markedConnector(dir.path, REPLAY);
    await using server = await startServerProcess({
      connectors: { "source-replay": { localExecutable: replay.command } },
    }, { runtime, dir: dir.path });
    const baseline = await server.rss();
    const executor = new RemoteExecutor({ url: server.url, token: TOKEN, connector: "source-replay" });
    const counter = recordCounter();
    const chunks = executor.execute(["read"], { files: replayFiles(data.path) })
      [Symbol.asyncIterator]();
    // Take the first chunk, then stop reading.
    counter.push((await chunks.next()).value!);
    const pid = Number(
      (await replay.processes()).find((l) => l.includes("python3 "))!.trim().split(/\s+/)[0],
    );
    // The connector keeps writing until the pipe and the sockets are full, then waits: its byte
    // count stops moving. (Were nothing holding it back, it would write the whole file.)
    let last = -1;
    let still = 0;
    const stalled = await eventually(
      async () => {
        const now = await bytesWritten(pid);
        still = now === last ? still + 1 : 0;
        last = now;
        return still >= 10;
      },
      120_000,
      100,
    );
    assert.ok(stalled, "the connector never stopped writing");
    const rssWhileStalled = await server.rss();
    console.log(
      `${runtime} server: connector held at ${(last / 2 ** 20).toFixed(1)} of ${
        (data.bytes / 2 ** 20).toFixed(1)
      } MiB; ` +
        `server RSS ${(baseline / 2 ** 20).toFixed(0)} -> ${(rssWhileStalled / 2 ** 20).toFixed(0)} MiB`,
    );
    assert.ok(
      last < data.bytes / 2,
      `the connector wrote ${last} of ${data.bytes} bytes while the client waited`,
    );
    assert.ok(rssWhileStalled - baseline < 64 * 2 ** 20, "the server holds no backlog");
    // Reading again, everything arrives.
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      counter.push(next.value);
    }
    assert.equal(counter.records, 300_000);
  });
}

Deno.test("eight parallel reads through one server complete with the right counts while the server's memory stays bounded", async () => {
  await using dir = await tempDir();
  const records = 200_000;
  const data = await replayData(dir.path, records);
  await using server = await startServerProcess({
    limits: { concurrentRuns: 8 },
    connectors: { "source-replay": { localExecutable: REPLAY } },
  }, { dir: dir.path });
  const baseline = await server.rss();
  let peak = baseline;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await server.rss());
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: 8 }, async () => {
    const executor = new RemoteExecutor({ url: server.url, token: TOKEN, connector: "source-replay" });
    const counter = recordCounter();
    for await (const chunk of executor.execute(["read"], { files: replayFiles(data.path) })) {
      counter.push(chunk);
    }
    return counter.records;
  }));
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  assert.deepEqual(counts, Array(8).fill(records));
  const total = 8 * data.bytes;
  console.log(
    `8 parallel reads: ${(total / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s; ` +
      `server RSS ${(baseline / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB`,
  );
  assert.ok(peak - baseline < 128 * 2 ** 20, `the server grew by ${peak - baseline} bytes`);
  assert.ok(peak - baseline < total / 4, "memory is not proportional to the data");
  assert.equal(server.logs.filter((l) => /source-replay read ok/.test(l)).length, 8);
});

Deno.test("SIGTERM drains: running runs finish, new runs get 503, and the server exits 0", async () => {
  await using dir = await tempDir();
  const data = await replayData(dir.path, 100_000);
  await using server = await startServerProcess({
    limits: { drainSeconds: 300 },
    connectors: { "source-replay": { localExecutable: REPLAY } },
  }, { dir: dir.path });
  const executor = new RemoteExecutor({ url: server.url, token: TOKEN, connector: "source-replay" });
  const counter = recordCounter();
  const chunks = executor.execute(["read"], { files: replayFiles(data.path) })[Symbol.asyncIterator]();
  counter.push((await chunks.next()).value!);
  // The run is mid-stream (its client holds it back) when the server is told to stop.
  server.kill("SIGTERM");
  assert.ok(
    await eventually(async () => {
      const health = await fetch(`${server.url}/health`);
      await health.body?.cancel();
      return health.status === 503;
    }),
    "health reports draining",
  );
  const refused = await fetch(`${server.url}/v1/connectors/source-replay/spec`, {
    method: "POST",
    headers: auth(),
  });
  assert.equal(refused.status, 503);
  assert.equal((await refused.json()).error.reason, "draining");
  for (;;) {
    const next = await chunks.next();
    if (next.done) break;
    counter.push(next.value);
  }
  assert.equal(counter.records, 100_000, "the running read finished whole");
  assert.equal(await server.exited, 0);
  assert.ok(server.logs.some((l) => /draining: 1 run/.test(l)));
});

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`SIGTERM ends runs that outlast the grace period: the client gets 503 draining and no process is left (${runtime} server)`, async () => {
    await using dir = await tempDir();
    const hang = await markedConnector(dir.path, "source_hang.py");
    await using server = await startServerProcess({
      limits: { drainSeconds: 1 },
      connectors: { "source-hang": { localExecutable: hang.command } },
    }, { runtime, dir: dir.path });
    const executor = new RemoteExecutor({ url: server.url, token: TOKEN, connector: "source-hang" });
    const chunks = executor.execute(["read"], {
      files: { "--config": "{}", "--catalog": JSON.stringify(HANG_CATALOG) },
    })[Symbol.asyncIterator]();
    let text = "";
    while (!text.includes("RECORD")) {
      text += new TextDecoder().decode((await chunks.next()).value || undefined);
    }
    server.kill("SIGTERM");
    await assert.rejects(
      async () => {
        for (;;) if ((await chunks.next()).done) break;
      },
      (error) => error instanceof RemoteRefusedError && error.status === 503 && error.reason === "draining",
    );
    assert.equal(await server.exited, 0);
    assert.ok(
      await eventually(async () => (await hang.processes()).length === 0),
      "no process of the connector is left",
    );
    assert.ok(
      await eventually(async () => (await processesWith(hang.marker)).length === 0),
      "no process of the connector is left",
    );
  });
}

Deno.test("RemoteExecutor runs in Node too: a read and a write with a streamed upload through a Node server", async () => {
  await using dir = await tempDir();
  await using server = await startServerProcess({
    connectors: {
      "source-counter": { localExecutable: `${ROOT}/tests/fixtures/connectors/source_counter.py` },
      "destination-jsonl": { pipUrl: DESTINATION_JSONL_PIP },
    },
  }, { runtime: "node", dir: dir.path });
  const client = await new Deno.Command("node", {
    args: [await nodeBundle(`${ROOT}/tests/server/_node_client.ts`), server.url, `${dir.path}/out`],
    cwd: ROOT,
    env: { AIRBYTE_TS_SERVER_TOKEN: TOKEN },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(client.stdout);
  assert.equal(
    client.code,
    0,
    `${stdout}\n${new TextDecoder().decode(client.stderr)}\n${server.logs.join("\n")}`,
  );
  assert.deepEqual(JSON.parse(stdout), {
    runtime: "node",
    written: 3000,
    confirmed: 3000,
    records: [1, 2, 3, 4, 5, 6, 7],
  });
  assert.equal((await jsonlLines(`${dir.path}/out/letters.jsonl`)).length, 1500);
  assert.ok(server.logs.some((l) => /destination-jsonl write started$/.test(l)), "the input was streamed");
});
