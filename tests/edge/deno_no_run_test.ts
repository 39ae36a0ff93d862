// examples/remote_deno_read.ts in a Deno process without --allow-run and without --allow-write:
// airbyte-source-faker runs on `airbyte-ts serve`, the records land in an in-memory DuckDB-WASM
// cache in the restricted process.
import assert from "node:assert/strict";
import { FAKER_PIP, ROOT } from "../_support.ts";
import { startServer, TOKEN } from "../server/_harness.ts";

Deno.test("a Deno script with no --allow-run and no --allow-write reads faker through the server into an in-memory cache", async () => {
  await using server = await startServer({ connectors: { "source-faker": { pipUrl: FAKER_PIP } } });
  const flags = ["--no-prompt", "--allow-net=127.0.0.1", "--allow-read", "--allow-env", "--allow-sys=cpus"];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, `${ROOT}/examples/remote_deno_read.ts`],
    cwd: ROOT,
    env: { AIRBYTE_SERVER_URL: server.url, AIRBYTE_SERVER_TOKEN: TOKEN, FAKER_COUNT: "300", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /^users: 300 rows cached$/m);
  assert.match(stdout, /^purchases: \d+ rows cached$/m);
  assert.match(stdout, /^buyers: \d+$/m);
  assert.ok(!flags.some((f) => f.startsWith("--allow-run") || f.startsWith("--allow-write") || f === "-A"));
  assert.ok(server.logs.some((l) => /source-faker read ok/.test(l)));
});
