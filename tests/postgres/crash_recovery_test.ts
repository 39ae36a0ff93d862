// Reads into a PostgresCache killed with SIGKILL at moments chosen from the read's own progress, as
// the server shows it (a COPY running, a checkpoint just committed, a stage being applied): every
// time, the committed data and the committed state agree, and a rerun completes. Real server, real
// connector (the counter fixture), a real Deno process per read.
import assert from "node:assert/strict";
import type pg from "pg";
import { ROOT } from "../_support.ts";
import { testDatabase } from "../_services/postgres.ts";

const TOTAL = 300_000;
const CHILD = `${ROOT}/tests/postgres/_read_child.ts`;

/** What the server shows of the read at one moment. */
interface Progress {
  /** The committed cursor (0 before the first checkpoint). */
  cursor: number;
  /** A COPY of the read's is running. */
  copying: boolean;
  /** The statements the read's connections run, if any. */
  running: string;
  /** The read's write connection waits inside its transaction (rows copied, not committed). */
  idleInTransaction: boolean;
}

async function progress(sql: pg.Pool, database: string): Promise<Progress> {
  const { rows } = await sql.query(
    `SELECT (SELECT (state_json::jsonb #>> '{stream,stream_state,updated_at}')::int FROM _airbyte_internal.state
              WHERE source_name = 'source-counter') AS cursor,
            EXISTS (SELECT 1 FROM pg_stat_progress_copy WHERE datname = $1) AS copying,
            (SELECT string_agg(query, ' | ') FROM pg_stat_activity WHERE datname = $1
              AND application_name = 'source-counter' AND state = 'active') AS running,
            EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'source-counter'
              AND state = 'idle in transaction') AS idle_in_transaction`,
    [database],
  ).catch(() => ({ rows: [{ cursor: 0, copying: false, running: "", idle_in_transaction: false }] })); // no tables yet
  return {
    cursor: rows[0].cursor ?? 0,
    copying: rows[0].copying,
    running: rows[0].running ?? "",
    idleInTransaction: rows[0].idle_in_transaction,
  };
}

/** The moments to kill at, one per round; `start` is the cursor when the round began. */
const MOMENTS: { name: string; now(p: Progress, start: number): boolean; only?: string }[] = [
  {
    name: "during a COPY before the round's first checkpoint",
    now: (p, start) => p.copying && p.cursor === start,
  },
  { name: "right after a checkpoint committed", now: (p, start) => p.cursor > start },
  {
    name: "between batches, with copied rows not yet committed",
    now: (p, start) => p.idleInTransaction && p.cursor > start,
  },
  {
    name: "while a checkpoint merges its stage into the table",
    now: (p) => /DELETE FROM "raw"|INSERT INTO "raw"/.test(p.running),
    only: "merge",
  },
  {
    name: "during a COPY after the round's first checkpoint",
    now: (p, start) => p.copying && p.cursor > start,
  },
];

async function verify(sql: pg.Pool, round: string) {
  const { rows } = await sql.query(
    `SELECT (SELECT (state_json::jsonb #>> '{stream,stream_state,updated_at}')::int FROM _airbyte_internal.state
              WHERE source_name = 'source-counter') AS cursor,
            to_regclass('raw.numbers') IS NOT NULL AS exists`,
  );
  const cursor = rows[0].cursor ?? 0;
  let seen = { n: 0, d: 0, m: 0 };
  if (rows[0].exists) {
    seen = (await sql.query(
      "SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, coalesce(max(id), 0)::int AS m FROM raw.numbers",
    )).rows[0];
  }
  assert.equal(seen.n, cursor, `${round}: rows ${seen.n} vs committed cursor ${cursor}`);
  assert.equal(seen.d, seen.n, `${round}: duplicates`);
  assert.equal(seen.m, cursor, `${round}: max id vs cursor`);
  return cursor;
}

function spawnRead(url: string, strategy: string): Deno.ChildProcess {
  const options = { url, schema: "raw", source: "source-counter", count: TOTAL, stateEvery: 500 };
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${ROOT}/deno.json`,
      CHILD,
      JSON.stringify({ ...options, checkpointRows: 20_000, strategy }),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function crashRounds(strategy: "merge" | "append") {
  await using db = await testDatabase(`crash_${strategy}`);
  const killedAt: string[] = [];
  let cursor = 0;
  const moments = MOMENTS.filter((m) => !m.only || m.only === strategy);
  for (const moment of moments) {
    const child = spawnRead(db.url, strategy);
    const output = child.output();
    let ended = false;
    output.then(() => ended = true, () => ended = true);
    // Watch the server until the moment comes, then kill at once. A moment too short to be seen
    // gives way once the read has committed a fifth of what is left, so one miss never lets a
    // read run to its end and leave nothing for the next rounds.
    const fallback = cursor + (TOTAL - cursor) / 5;
    let killed = false;
    while (!ended && !killed) {
      const seen = await progress(db.sql, db.name);
      if (moment.now(seen, cursor) || seen.cursor >= fallback) {
        child.kill("SIGKILL");
        killed = true;
        killedAt.push(
          seen.cursor >= fallback && !moment.now(seen, cursor)
            ? "a fifth of the rest committed"
            : moment.name,
        );
      } else await new Promise((r) => setTimeout(r, 2));
    }
    const out = await output;
    if (!killed) {
      assert.equal(out.code, 0, `${moment.name}: the read failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    // The killed read's connection is gone once the server has rolled its transaction back.
    for (;;) {
      const { rows } = await db.sql.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'source-counter'",
        [db.name],
      );
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const next = await verify(db.sql, `${strategy}, killed ${moment.name}`);
    assert.ok(next >= cursor, "committed progress never goes back");
    cursor = next;
  }
  console.log(`${strategy}: killed ${killedAt.join("; ")}`);
  const named = killedAt.filter((k) => moments.some((m) => m.name === k));
  assert.ok(named.length >= moments.length - 1, `killed at: ${killedAt.join("; ")}`);
  assert.ok(cursor > 0, "the killed reads committed something");

  const final = await spawnRead(db.url, strategy).output();
  assert.equal(final.code, 0, new TextDecoder().decode(final.stderr));
  assert.equal(await verify(db.sql, `${strategy}, rerun`), TOTAL);
  const stages = await db.sql.query("SELECT relname FROM pg_class WHERE relname LIKE '\\_airbyte\\_stage%'");
  assert.deepEqual(stages.rows, [], "the rerun dropped the stages the killed reads left");
}

Deno.test("merge reads killed with SIGKILL at moments chosen from their progress leave data and state in agreement", async () => {
  await crashRounds("merge");
});

// Once the table exists, appended rows go straight into it (no stage) and must commit only with
// their state.
Deno.test("append reads killed with SIGKILL at moments chosen from their progress leave data and state in agreement", async () => {
  await crashRounds("append");
});
