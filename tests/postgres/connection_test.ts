// Connecting to a real PostgreSQL server: every way it can fail gives a typed error that names the
// (masked) location and says what to do, and the password appears nowhere in it.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  type AirbyteError,
  CacheConnectionError,
  CachePermissionError,
  InvalidArgumentError,
} from "../../src/errors.ts";
import {
  connectPostgres,
  DRIVER_MODULES,
  postgresError,
  resolveConnection,
} from "../../src/postgres/connection.ts";
import { adminPool, postgresUrl, testDatabase, withDatabase } from "../_services/postgres.ts";

/** Everything a user could see of an error: message, guidance, context, cause chain, inspect. */
function everything(error: unknown): string {
  const e = error as AirbyteError;
  return [e.message, e.guidance, JSON.stringify(e.context), inspect(e, { depth: 6 }), String(e.stack)].join(
    "\n",
  );
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a failure");
}

Deno.test("connectPostgres reaches a real server from a URL and from separate options", async () => {
  const url = new URL(await postgresUrl());
  for (
    const options of [
      { url: url.toString() },
      {
        host: url.hostname,
        port: Number(url.port),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: "postgres",
      },
    ]
  ) {
    const pool = await connectPostgres(resolveConnection(options), { max: 1 });
    assert.deepEqual((await pool.query("SELECT current_database() AS db")).rows, [{ db: "postgres" }]);
    await pool.end();
  }
});

Deno.test("connectPostgres with a wrong password gives CacheConnectionError(authentication_failed), password masked", async () => {
  const url = new URL(await postgresUrl());
  const wrong = "Wr0ng-Pa55word!";
  url.password = encodeURIComponent(wrong);
  const error = await failure(connectPostgres(resolveConnection({ url: url.toString() })));
  assert.ok(error instanceof CacheConnectionError, String(error));
  assert.equal(error.reason, "authentication_failed");
  assert.equal(error.code, "CACHE_CONNECTION_FAILED");
  assert.match(error.message, /refused the login of 'airbyte'/);
  assert.match(error.message, /postgres:\/\/airbyte:\*\*\*\*@127\.0\.0\.1:\d+\/postgres/);
  assert.ok(!everything(error).includes(wrong), "the wrong password leaked");
  assert.ok(!everything(error).includes(decodeURIComponent(new URL(await postgresUrl()).password)));
});

Deno.test("connectPostgres to a port nobody listens on gives CacheConnectionError(unreachable), password masked", async () => {
  // A port that was free a moment ago: bind, read it, close.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const secret = "n0body-hears-this";
  const error = await failure(
    connectPostgres(resolveConnection({ url: `postgres://someone:${secret}@127.0.0.1:${port}/db` })),
  );
  assert.ok(error instanceof CacheConnectionError, String(error));
  assert.equal(error.reason, "unreachable");
  assert.match(error.message, new RegExp(`cannot be reached .*ECONNREFUSED`));
  assert.match(error.guidance!, /host and port/);
  assert.ok(!everything(error).includes(secret));
});

Deno.test("connectPostgres to a database that does not exist gives CacheConnectionError(database_not_found)", async () => {
  const error = await failure(
    connectPostgres(resolveConnection({ url: withDatabase(await postgresUrl(), "no_such_db") })),
  );
  assert.ok(error instanceof CacheConnectionError, String(error));
  assert.equal(error.reason, "database_not_found");
  assert.match(error.message, /database 'no_such_db' does not exist/);
  assert.match(error.guidance!, /CREATE DATABASE "no_such_db"/);
});

Deno.test("resolveConnection refuses a malformed URL with InvalidArgumentError, password masked", () => {
  const secret = "t0p-secret-pw";
  for (
    const url of [
      `postgres://ada:${secret}@[::nope/warehouse`,
      `mysql://ada:${secret}@db/warehouse`,
      `postgres://ada:${secret}@db:99999/warehouse`,
      `postgres://ada:${secret}@db/ware/house`,
      `postgres://ada:${secret}@db/x?sslmode=sometimes`,
    ]
  ) {
    const error = (() => {
      try {
        resolveConnection({ url });
      } catch (e) {
        return e;
      }
      assert.fail(`accepted ${url}`);
    })();
    assert.ok(error instanceof InvalidArgumentError, `${url}: ${error}`);
    assert.ok(!everything(error).includes(secret), `${url}: the password leaked`);
    assert.ok(error.guidance, url);
  }
});

Deno.test("a missing privilege becomes CachePermissionError naming the grant to give", async () => {
  await using db = await testDatabase("perm");
  const admin = await adminPool(db.name);
  const password = "limited-Pw-123";
  const role = `limited_${crypto.randomUUID().slice(0, 8)}`;
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await admin.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM PUBLIC`);
  try {
    const connection = resolveConnection({
      url: withDatabase(await postgresUrl(), db.name, { user: role, password }),
    });
    const pool = await connectPostgres(connection, { max: 1 });
    const error = await failure(
      pool.query(`CREATE SCHEMA cache_schema`).catch((e) => {
        throw postgresError(e, connection, "create schema 'cache_schema' in");
      }),
    );
    await pool.end();
    assert.ok(error instanceof CachePermissionError, String(error));
    assert.equal(error.code, "CACHE_PERMISSION_DENIED");
    assert.match(
      error.message,
      /Cannot create schema 'cache_schema' in PostgreSQL at 'postgres:\/\/limited_\w+:\*\*\*\*@/,
    );
    assert.match(error.guidance!, new RegExp(`GRANT CREATE ON DATABASE "${db.name}" TO "${role}"`));
    assert.ok(!everything(error).includes(password));
  } finally {
    await admin.end();
    const a = await adminPool();
    await a.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
    await a.query(`DROP ROLE IF EXISTS ${role}`);
    await a.end();
  }
});

Deno.test("the driver's fallback specifiers pin the versions package.json and deno.json pin", async () => {
  const root = new URL("../..", import.meta.url);
  const packageJson = JSON.parse(await Deno.readTextFile(new URL("package.json", root)));
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  for (const [name, pinned] of DRIVER_MODULES) {
    assert.equal(pinned, `npm:${name}@${packageJson.dependencies[name]}`);
    assert.equal(denoJson.imports[name], pinned);
  }
});
