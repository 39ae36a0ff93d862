// mod.ts imported over HTTP, as Deno loads a JSR package (https module URLs, not files): a local
// server answers with the files `deno publish` would upload (deno.json `publish`), nothing else.
// jsr_test.ts links this checkout as files; this test is the one that sees remote module URLs,
// where `node:worker_threads` and `createRequire` cannot take the module's own URL.
import assert from "node:assert/strict";
import { DENO, FAKER_OUTPUT, fakerProgram, lastJsonLine, projectDir, ROOT, runOk } from "./_consumer.ts";

/** A glob of deno.json `publish` (`*`, `**`) as a regular expression over repo paths. */
function globPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  const body = escaped.split("**/").map((part) => part.replaceAll("*", "[^/]*")).join("(?:.*/)?");
  return new RegExp(`^${body}${glob.endsWith("/") ? "" : "$"}`);
}

/** Serve the published files of this checkout as TypeScript modules. */
async function servePublished(): Promise<{ url: string } & AsyncDisposable> {
  const { publish } = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const include = (publish.include as string[]).map(globPattern);
  const exclude = (publish.exclude as string[]).map(globPattern);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname).replace(/^\//, "");
    const published = include.some((p) => p.test(path)) && !exclude.some((p) => p.test(path)) &&
      !path.split("/").includes("..");
    if (!published || !path.endsWith(".ts")) return new Response("not published", { status: 404 });
    const text = await Deno.readTextFile(`${ROOT}/${path}`).catch(() => undefined);
    if (text === undefined) return new Response("not found", { status: 404 });
    return new Response(text, { headers: { "content-type": "application/typescript; charset=utf-8" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("globPattern reads deno.json publish globs as JSR does", () => {
  assert.ok(globPattern("src/**/*.ts").test("src/duckdb/duckdb_cache.ts"));
  assert.ok(globPattern("src/**/*.ts").test("src/errors.ts"));
  assert.ok(globPattern("src/**/*.ts").test("src/executors/docker/docker_executor.ts"));
  assert.ok(!globPattern("wasm/*.ts").test("wasm/x/y.ts"));
  assert.ok(globPattern("src/cli/").test("src/cli/main.ts"));
});

Deno.test("a Deno project imports mod.ts over HTTP, as from JSR, type-checks it and reads faker into DuckDB", async () => {
  await using served = await servePublished();
  await using project = await projectDir("http-import");
  const dir = project.path;
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    fakerProgram(`import { DuckDBCache, getSource, toJsonRows } from "${served.url}mod.ts";`, {
      validate: false,
    }),
  );
  // Each run serves on a new port, so Deno's cache of remote modules never answers for the server.
  await runOk(DENO, ["check", "--allow-import", "main.ts"], { cwd: dir });
  const ran = await runOk(DENO, ["run", "-A", "main.ts"], { cwd: dir });
  assert.deepEqual(lastJsonLine(ran.stdout), FAKER_OUTPUT);
});
