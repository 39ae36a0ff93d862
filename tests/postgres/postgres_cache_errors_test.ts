// What a user sees when a PostgresCache cannot be used: a bad URL, a wrong password, a server that
// cannot be reached, a missing privilege. Each is a typed error that says what to do, through
// `source.read()`, and the password appears nowhere in it. Real server, real connector process.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  type AirbyteError,
  CacheConnectionError,
  CachePermissionError,
  InvalidArgumentError,
  PostgresCache,
} from "../../mod.ts";
import { counter } from "../_support.ts";
import { adminPool, postgresUrl, testDatabase, withDatabase } from "../_services/postgres.ts";

/** Everything a user could see of an error: message, guidance, context, cause chain, inspect, stack. */
function everything(error: unknown): string {
  const e = error as AirbyteError;
  return [e.message, e.guidance, JSON.stringify(e.context), inspect(e, { depth: 8 }), String(e.stack)].join(
    "\n",
  );
}

async function readInto(cache: PostgresCache): Promise<unknown> {
  try {
    await (await counter({ count: 5 })).read({ cache, streams: ["numbers"], progress: "none" });
  } catch (error) {
    return error;
  } finally {
    await cache.close();
  }
  assert.fail("the read succeeded");
}

Deno.test("a PostgresCache URL that cannot be read is refused at once with InvalidArgumentError, password masked", () => {
  const secret = "Sup3r-secret-pw";
  for (
    const url of [
      `postgres://ada:${secret}@[::nope/warehouse`,
      `mysql://ada:${secret}@db/warehouse`,
      `postgres://ada:${secret}@db:99999/warehouse`,
    ]
  ) {
    const error = (() => {
      try {
        new PostgresCache({ url });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof InvalidArgumentError, `${url}: ${error}`);
    assert.match(error.message, /ada:\*\*\*\*@/);
    assert.ok(error.guidance);
    assert.ok(!everything(error).includes(secret), `${url}: the password leaked`);
  }
});

Deno.test("a read into a PostgresCache with a wrong password fails with CacheConnectionError(authentication_failed)", async () => {
  const url = new URL(await postgresUrl());
  const wrong = "Not-the-Passw0rd";
  url.password = wrong;
  const error = await readInto(new PostgresCache({ url: url.toString() }));
  assert.ok(error instanceof CacheConnectionError, String(error));
  assert.equal(error.reason, "authentication_failed");
  assert.match(error.message, /refused the login of 'airbyte'/);
  assert.match(error.guidance!, /user name and password/);
  assert.ok(!everything(error).includes(wrong));
  assert.ok(!everything(error).includes(decodeURIComponent(new URL(await postgresUrl()).password)));
});

Deno.test("a read into a PostgresCache on an unreachable server fails with CacheConnectionError(unreachable)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // free a moment ago: nobody listens there now
  const secret = "n0body-hears-th1s";
  const error = await readInto(
    new PostgresCache({ url: `postgres://someone:${secret}@127.0.0.1:${port}/db` }),
  );
  assert.ok(error instanceof CacheConnectionError, String(error));
  assert.equal(error.reason, "unreachable");
  assert.match(error.message, new RegExp(`postgres://someone:\\*\\*\\*\\*@127\\.0\\.0\\.1:${port}/db`));
  assert.match(error.guidance!, /host and port/);
  assert.ok(!everything(error).includes(secret));
});

Deno.test("a read by a user who may not create the cache's schema fails with CachePermissionError naming the GRANT", async () => {
  const db = await testDatabase("noschema");
  const role = `reader_${crypto.randomUUID().slice(0, 8)}`;
  const password = "Limited-pw-9876";
  const admin = await adminPool(db.name);
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await admin.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM PUBLIC`);
  try {
    const url = withDatabase(await postgresUrl(), db.name, { user: role, password });
    const error = await readInto(new PostgresCache({ url, schemaName: "faker" }));
    assert.ok(error instanceof CachePermissionError, String(error));
    assert.equal(error.code, "CACHE_PERMISSION_DENIED");
    assert.match(error.message, new RegExp(`postgres://${role}:\\*\\*\\*\\*@`));
    assert.match(error.guidance!, new RegExp(`GRANT CREATE ON DATABASE "${db.name}" TO "${role}"`));
    assert.ok(!everything(error).includes(password));
  } finally {
    await admin.end();
    await db[Symbol.asyncDispose]();
    const a = await adminPool();
    await a.query(`DROP ROLE IF EXISTS ${role}`);
    await a.end();
  }
});

Deno.test("a read by a user without rights in the shared internal schema fails with CachePermissionError naming the schema GRANT", async () => {
  const db = await testDatabase("nointernal");
  {
    // The database's owner read into it first: the internal tables are the owner's.
    await using cache = new PostgresCache({ url: db.url, schemaName: "owner" });
    await (await counter({ count: 2 })).read({ cache, streams: ["numbers"], progress: "none" });
  }
  const role = `writer_${crypto.randomUUID().slice(0, 8)}`;
  const password = "Other-pw-5432";
  const admin = await adminPool(db.name);
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await admin.query(`GRANT CREATE ON DATABASE "${db.name}" TO ${role}`);
  try {
    const url = withDatabase(await postgresUrl(), db.name, { user: role, password });
    const error = await readInto(new PostgresCache({ url, schemaName: "mine" }));
    assert.ok(error instanceof CachePermissionError, String(error));
    assert.match(error.message, /permission denied for schema _airbyte_internal/);
    assert.match(
      error.guidance!,
      new RegExp(`GRANT USAGE, CREATE ON SCHEMA "_airbyte_internal" TO "${role}"`),
    );
    assert.ok(!everything(error).includes(password));
  } finally {
    await admin.end();
    await db[Symbol.asyncDispose]();
    const a = await adminPool();
    await a.query(`DROP ROLE IF EXISTS ${role}`);
    await a.end();
  }
});
