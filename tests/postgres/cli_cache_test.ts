// `airbyte-ts read|sync --cache postgres://…`, run as a real process against a real server: the
// summary names the cache by its URL and schema with the password masked, and no output ever
// shows the password, also when the login fails.
import assert from "node:assert/strict";
import { fixture, ROOT, tempDir } from "../_support.ts";
import { testDatabase } from "../_services/postgres.ts";

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}/deno.json`, `${ROOT}/src/cli/main.ts`, ...args],
    env: { CI: "true" },
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("airbyte-ts read --cache postgres://… reads into the URL's schema and prints the URL with the password masked", async () => {
  await using dir = await tempDir();
  await using db = await testDatabase("cli");
  const password = decodeURIComponent(new URL(db.url).password);
  await Deno.writeTextFile(`${dir.path}/c.json`, JSON.stringify({ count: 42, second_stream: true }));
  const read = () =>
    cli([
      "read",
      "source-counter",
      "--executable",
      fixture("source_counter.py"),
      "--config",
      `${dir.path}/c.json`,
      "--cache",
      `${db.url}?schema=counter`,
      "--progress",
      "plain",
    ]);
  const r = await read();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /numbers\s+42\s+42/);
  assert.match(r.stdout, /letters\s+42\s+42/);
  assert.match(r.stdout, /cache: postgres:\/\/airbyte:\*\*\*\*@127\.0\.0\.1:\d+\/cli_\w+\?schema=counter/);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(password), "the password was printed");
  const { rows } = await db.sql.query("SELECT count(*)::int AS n FROM counter.numbers");
  assert.equal(rows[0].n, 42);
  // Incremental: the second run starts from the state stored in PostgreSQL.
  const again = await read();
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /numbers\s+0\s+42/);
});

Deno.test("airbyte-ts sync --cache postgres://… with a wrong password fails with the typed error, password masked", async () => {
  await using dir = await tempDir();
  await using db = await testDatabase("clibad");
  const url = new URL(db.url);
  const wrong = "Wr0ng-cli-Passw0rd";
  url.password = wrong;
  await Deno.writeTextFile(`${dir.path}/s.json`, JSON.stringify({ count: 3 }));
  await Deno.writeTextFile(`${dir.path}/d.json`, JSON.stringify({ path: `${dir.path}/out` }));
  const r = await cli([
    "sync",
    "source-counter",
    "destination-jsonl",
    "--source-executable",
    fixture("source_counter.py"),
    "--source-config",
    `${dir.path}/s.json`,
    "--destination-pip-url",
    `${ROOT}/tests/fixtures/destination_jsonl`,
    "--destination-config",
    `${dir.path}/d.json`,
    "--cache",
    url.toString(),
    "--progress",
    "none",
  ]);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /Cannot connect to PostgreSQL at 'postgres:\/\/airbyte:\*\*\*\*@127\.0\.0\.1:\d+\/clibad_\w+'/,
  );
  assert.match(r.stderr, /user name and password/);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(wrong), "the password was printed");
});
