// The per-table write lock on a real server: a second writer says who holds the lock and waits,
// and proceeds once the holder releases it or its connection dies.
import assert from "node:assert/strict";
import {
  checkout,
  connectPostgres,
  type PgClient,
  type PgPool,
  resolveConnection,
} from "../../src/postgres/connection.ts";
import { type LockHolder, lockStreamTable } from "../../src/postgres/stream_lock.ts";
import { CacheError } from "../../src/errors.ts";
import { testDatabase } from "../_services/postgres.ts";

async function pids(client: PgClient): Promise<number> {
  return Number((await client.query("SELECT pg_backend_pid() AS pid")).rows[0].pid);
}

/** Wait (asking the server, not the clock) until a session waits for an advisory lock. */
async function untilSomeoneWaits(pool: PgPool): Promise<void> {
  for (;;) {
    const { rows } = await pool.query(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
    );
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withClients(fn: (pool: PgPool, a: PgClient, b: PgClient) => Promise<void>) {
  await using db = await testDatabase("lock");
  const pool = await connectPostgres(resolveConnection({ url: db.url, applicationName: "lock-test" }), {
    max: 4,
  });
  const a = await checkout(pool);
  const b = await checkout(pool);
  try {
    await fn(pool, a, b);
  } finally {
    a.release(true);
    b.release(true);
    await pool.end();
  }
}

Deno.test("lockStreamTable makes a second writer wait, naming the holder, until the first releases", async () => {
  await withClients(async (pool, a, b) => {
    const release = await lockStreamTable(a, "public", "users");
    const holderPid = await pids(a);
    let told: { holder?: LockHolder; message: string } | undefined;
    const second = lockStreamTable(b, "public", "users", {
      onWait: (holder, message) => told = { holder, message },
    });
    await untilSomeoneWaits(pool);
    assert.ok(told, "the waiting writer was told");
    assert.equal(told.holder?.pid, holderPid);
    assert.equal(told.holder?.applicationName, "lock-test");
    assert.match(
      told.message,
      new RegExp(
        `Waiting for table "public"."users": PostgreSQL backend pid ${holderPid} \\('lock-test' from 127\\.0\\.0\\.1`,
      ),
    );
    // Another table is not blocked meanwhile.
    const other = await lockStreamTable(a, "public", "orders");
    await other();
    await release();
    const releaseSecond = await second;
    await releaseSecond();
  });
});

Deno.test("lockStreamTable is free again when the holder's connection dies", async () => {
  await withClients(async (pool, a, b) => {
    await lockStreamTable(a, "s", "t");
    const holderPid = await pids(a);
    const second = lockStreamTable(b, "s", "t");
    await untilSomeoneWaits(pool);
    // As when a writer process is killed: its backend ends and the lock goes with it.
    await pool.query("SELECT pg_terminate_backend($1)", [holderPid]);
    const release = await second;
    await release();
  });
});

Deno.test("lockStreamTable with a timeout gives a CacheError naming the holder", async () => {
  await withClients(async (_pool, a, b) => {
    const release = await lockStreamTable(a, "s", "t");
    const holderPid = await pids(a);
    await assert.rejects(
      lockStreamTable(b, "s", "t", { timeoutMs: 200 }),
      (e: Error) =>
        e instanceof CacheError &&
        new RegExp(`backend pid ${holderPid}.* kept writing it for 200 ms`).test(e.message),
    );
    await release();
    // The timeout was reset: b can take the lock and wait normally afterwards.
    assert.deepEqual((await b.query("SHOW lock_timeout")).rows, [{ lock_timeout: "0" }]);
    await (await lockStreamTable(b, "s", "t"))();
  });
});
