// `airbyte-ts preview` as a user runs it: a real process serving the page until Ctrl-C (SIGINT).
import assert from "node:assert/strict";
import { DuckDBCache } from "../../mod.ts";
import { ROOT, tempDir } from "../_support.ts";

const DENO = `${ROOT}/node_modules/.bin/deno`;

Deno.test("airbyte-ts preview serves a cache's page, prints its URL and stops cleanly on Ctrl-C", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/c.duckdb`;
  const cache = new DuckDBCache({ path });
  await cache.sql("CREATE TABLE t AS SELECT range AS i FROM range(3)");
  await cache.close();
  const child = new Deno.Command(DENO, {
    args: ["run", "-A", `${ROOT}/src/cli/main.ts`, "preview", path, "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    out += value;
  }
  const url = out.match(/(http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
  assert.ok(url, `no URL in: ${out}`);
  assert.match(out, new RegExp(`^Preview of ${path}: `));
  const status = await (await fetch(`${url}api/cache`)).json();
  assert.deepEqual([status.path, status.exists, status.format], [path, true, "duckdb"]);
  const page = await fetch(url);
  assert.match(await page.text(), /airbyte-ts preview/);
  child.kill("SIGINT");
  const { code } = await child.status;
  await lines.cancel();
  const stderr = await new Response(child.stderr).text();
  assert.equal(code, 0, stderr);
  await assert.rejects(fetch(url), "the server stopped");
});

Deno.test("airbyte-ts preview refuses a port that is not a port", async () => {
  const { code, stderr } = await new Deno.Command(DENO, {
    args: ["run", "-A", `${ROOT}/src/cli/main.ts`, "preview", "x.duckdb", "--port", "99999"],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 2);
  assert.match(new TextDecoder().decode(stderr), /Cannot use --port '99999'/);
});
