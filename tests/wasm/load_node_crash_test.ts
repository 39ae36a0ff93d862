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

// Set CRASH_SEED to replay the kill points of a failed run (the seed is in the failure message).
Deno.test("openNodeEngine keeps every committed batch across SIGKILL at moments chosen from its progress", async () => {
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
        // Kill moments come from the writer's own progress, never from the clock: round 4 dies at
        // a random point of its start (before it is ready: instantiate, WAL replay, recovery), the
        // others once they have acknowledged 1 to 4 more batches, then within the next batch.
        if (index === 4) {
          const steps = Math.floor(random() * 40);
          for (let i = 0; i < steps && !ready && !exited; i++) await new Promise((r) => setTimeout(r, 5));
        } else {
          const target = acknowledged + 1 + Math.floor(random() * 4);
          while (acknowledged < target && !exited) await new Promise((r) => setTimeout(r, 2));
          assert.ok(acknowledged >= target, "writer did not commit");
          const within = Math.floor(random() * 3);
          for (let i = 0; i < within && !exited; i++) await new Promise((r) => setTimeout(r, 1));
        }
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
