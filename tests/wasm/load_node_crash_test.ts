import assert from "node:assert/strict";
import {
  buildNodeEngine,
  childCommand,
  type ChildRuntime,
  readNative,
  runChild,
  seededRandom,
  tail,
} from "./_child_processes.ts";

// Set CRASH_SEED to replay the kill delays of a failed run (the seed is in the failure message).
Deno.test("openNodeEngine keeps every committed batch across SIGKILL at random moments", async () => {
  await buildNodeEngine();
  const seed = Number(Deno.env.get("CRASH_SEED") ?? Date.now() % 100000);
  const random = seededRandom(seed);
  const dir = await Deno.makeTempDir();
  const db = `${dir}/crash.duckdb`;
  const batchSize = 2000;
  // Each round: [writer runtime, durability, checkpoint threshold, reader runtime, reader closes?]
  const rounds: [ChildRuntime, string, string, ChildRuntime, boolean][] = [
    ["deno", "wal", "16MB", "node", false],
    ["node", "wal", "256KB", "deno", false],
    ["deno", "wal", "256KB", "deno", true],
    ["node", "checkpoint", "", "node", false],
    ["deno", "wal", "", "node", false],
    ["node", "wal", "256KB", "deno", false],
  ];
  let durable = 0;
  try {
    for (const [index, [writer, durability, threshold, reader, readerCloses]] of rounds.entries()) {
      const args = ["append", db, String(batchSize), durability, ...(threshold ? [threshold] : [])];
      const child = childCommand(writer, args).spawn();
      let acknowledged = durable;
      let ready = false;
      const lines = (async () => {
        let buffered = "";
        for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
          buffered += chunk;
          let nl;
          while ((nl = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (line === "ready") ready = true;
            const match = /^committed (\d+)$/.exec(line);
            if (match) acknowledged = Number(match[1]);
          }
        }
      })();
      const stderr = new Response(child.stderr).text();
      let exited = false;
      const status = child.status.then((s) => {
        exited = true;
        return s;
      });
      try {
        // Round 4 is killed at a random moment of its start (instantiate, WAL replay, recovery);
        // the others at a random moment of the append loop.
        if (index !== 4) {
          const startedAt = Date.now();
          while (!ready && !exited && Date.now() - startedAt < 60_000) {
            await new Promise((r) => setTimeout(r, 5));
          }
          assert.ok(ready, "writer did not start");
        }
        await new Promise((r) => setTimeout(r, Math.floor(random() * (index === 4 ? 1500 : 800))));
        assert.ok(!exited, "writer ended on its own");
      } catch (error) {
        if (!exited) child.kill("SIGKILL");
        throw new Error(`${(error as Error).message} (seed ${seed}, round ${index}): ${tail(await stderr)}`);
      }
      child.kill("SIGKILL");
      assert.equal((await status).signal, "SIGKILL");
      await lines;
      await stderr;

      const seen = await runChild(reader, ["read", db, ...(readerCloses ? [] : ["--no-close"])]);
      const state = seen.state ?? 0;
      const context = `seed ${seed}, round ${index}: acknowledged ${acknowledged}, found ${
        JSON.stringify(seen)
      }`;
      assert.ok(state >= acknowledged, `a committed batch was lost (${context})`);
      assert.ok(state <= acknowledged + 1, `more batches than were attempted (${context})`);
      assert.equal(
        seen.counts.batches ?? 0,
        state * batchSize,
        `rows disagree with the state row (${context})`,
      );
      if (state > 0) assert.deepEqual(seen.batchCheck, { distinct: state, lo: 1, hi: state }, context);
      durable = state;
    }
    assert.ok(durable >= 5, `too few batches committed to mean anything: ${durable}`);
    const native = await readNative(
      db,
      "SELECT (SELECT batches FROM state) AS s, count(*) AS n FROM batches",
    );
    assert.deepEqual(native.rows, [{ s: durable, n: String(durable * batchSize) }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
