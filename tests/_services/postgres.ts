// A real PostgreSQL server for the tests. `scripts/test.sh` starts one for the whole run and exports
// AIRBYTE_TS_TEST_PG_URL; without it (e.g. `npx deno test -A tests/postgres/`), the first test file
// of this `deno test` process starts a private cluster with scripts/services/postgres.sh and the
// other files of the process find it through a pointer file named after the process id (test
// files run in isolates of one process). The script stops the cluster, and removes the pointer,
// once this process is gone, however it ends. Each test file works in databases of its own.
import pg from "pg";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const SCRIPT = `${ROOT}/scripts/services/postgres.sh`;

let started: Promise<string> | undefined;

/** The superuser URL of the test server (`postgres://airbyte:…@127.0.0.1:PORT/postgres`). */
export function postgresUrl(): Promise<string> {
  const fromEnv = Deno.env.get("AIRBYTE_TS_TEST_PG_URL");
  if (fromEnv) return Promise.resolve(fromEnv);
  started ??= sharedPrivateCluster();
  return started;
}

/** The cluster of this test process: started by the first file that asks, found by the others. */
async function sharedPrivateCluster(): Promise<string> {
  const pointer = `${Deno.env.get("TMPDIR") ?? "/tmp"}/airbyte-ts-pg-for-pid-${Deno.pid}.json`;
  for (let waited = 0;; waited++) {
    let mine: Deno.FsFile | undefined;
    try {
      mine = await Deno.open(pointer, { createNew: true, write: true, mode: 0o600 });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    if (mine) {
      mine.close();
      try {
        const { url, dir } = await startCluster(pointer);
        await Deno.writeTextFile(pointer, JSON.stringify({ url, dir }));
        return url;
      } catch (error) {
        await Deno.remove(pointer).catch(() => {});
        throw error;
      }
    }
    const text = await Deno.readTextFile(pointer).catch(() => "");
    if (text) {
      const { url, dir } = JSON.parse(text);
      if (await Deno.stat(dir).then(() => true, () => false)) return url;
      await Deno.remove(pointer).catch(() => {}); // left by an earlier process with this pid
      continue;
    }
    if (waited > 1200) throw new Error(`No PostgreSQL test cluster appeared at ${pointer} within 2 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startCluster(pointer: string): Promise<{ url: string; dir: string }> {
  const out = await new Deno.Command("bash", {
    args: [SCRIPT, "start", "--watch", String(Deno.pid), "--pointer", pointer],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) {
    throw new Error(`scripts/services/postgres.sh start failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  const value = (name: string) => new RegExp(`^${name}='([^']*)'$`, "m").exec(text)?.[1];
  return { url: value("AIRBYTE_TS_TEST_PG_URL")!, dir: value("AIRBYTE_TS_TEST_PG_DIR")! };
}

/** `url` with another database (and optionally another user and password). */
export function withDatabase(
  url: string,
  database: string,
  login?: { user: string; password: string },
): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  if (login) {
    u.username = encodeURIComponent(login.user);
    u.password = encodeURIComponent(login.password);
  }
  return u.toString();
}

/** A superuser pool on the test server, for setting up and checking what the code under test did. */
export async function adminPool(database = "postgres"): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: withDatabase(await postgresUrl(), database), max: 2 });
  pool.on("error", () => {});
  return pool;
}

/** A fresh database, dropped (with whatever connections remain) by the returned disposer. */
export async function testDatabase(
  prefix = "t",
): Promise<{ url: string; name: string; sql: pg.Pool } & AsyncDisposable> {
  const admin = await adminPool();
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(await postgresUrl(), name);
  const sql = await adminPool(name);
  return {
    url,
    name,
    sql,
    async [Symbol.asyncDispose]() {
      await sql.end();
      const a = await adminPool();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await a.end();
    },
  };
}
