// examples/remote_browser in real Chromium (playwright-core + /usr/bin/chromium): the page, on its
// own origin, reads airbyte-source-faker through `airbyte-ts serve` (another origin, allowed by
// CORS) into its OPFS cache, and writes faker's users straight through to the CDK destination
// fixture, its input posted in chunks as a browser must over HTTP/1.1.
import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import { npmSpecifiers } from "../../src/preview/_npm_specifiers.ts";
import { chromium } from "playwright-core";
import { DESTINATION_JSONL_PIP, FAKER_PIP, jsonlLines, ROOT, tempDir } from "../_support.ts";
import { startServer, TOKEN } from "../server/_harness.ts";

const PAGE_DIR = `${ROOT}/examples/remote_browser`;
const DUCKDB_DIST = `${ROOT}/node_modules/@duckdb/duckdb-wasm/dist`;
const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

async function bundlePage(outdir: string): Promise<void> {
  try {
    await esbuild.build({
      entryPoints: { page: `${PAGE_DIR}/page.ts` },
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      external: ["node:*", "@duckdb/duckdb-wasm/dist/duckdb-node*"],
      plugins: [npmSpecifiers],
      logLevel: "error",
    });
  } finally {
    await esbuild.stop();
  }
}

/** The page's own origin: index.html, the bundle, DuckDB-WASM's files. */
function servePage(bundleDir: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const path = new URL(request.url).pathname;
    let file: string | undefined;
    if (path === "/") file = `${PAGE_DIR}/index.html`;
    else if (/^\/duckdb\/[\w.-]+$/.test(path)) file = `${DUCKDB_DIST}/${path.slice("/duckdb/".length)}`;
    else if (/^\/[\w.-]+$/.test(path)) file = `${bundleDir}${path}`;
    if (!file) return new Response("not found", { status: 404 });
    try {
      const type = TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream";
      return new Response(await Deno.readFile(file), { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

Deno.test("a page in Chromium reads faker through the server into its OPFS cache and writes to a destination in chunks", async () => {
  await using dir = await tempDir();
  await bundlePage(`${dir.path}/bundle`);
  const page = servePage(`${dir.path}/bundle`);
  const origin = `http://127.0.0.1:${page.addr.port}`;
  await using server = await startServer({
    corsOrigins: [origin],
    connectors: {
      "source-faker": { pipUrl: FAKER_PIP },
      "destination-jsonl": { pipUrl: DESTINATION_JSONL_PIP },
    },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const log: string[] = [];
  try {
    const tab = await browser.newPage();
    tab.on("console", (m) => log.push(`[console.${m.type()}] ${m.text()}`));
    tab.on("pageerror", (e) => log.push(`[pageerror] ${e.stack ?? e.message}`));
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(() => (globalThis as { airbyteRemote?: unknown }).airbyteRemote !== undefined);
    const options = { url: server.url, token: TOKEN, count: 400 };
    const counts = await tab.evaluate(
      // deno-lint-ignore no-explicit-any
      (o) => (globalThis as any).airbyteRemote.readIntoOpfs(o),
      options,
    ).catch((e) => {
      throw new Error(`${e}\n${log.join("\n")}\n${server.logs.join("\n")}`);
    });
    assert.equal(counts.users, 400);
    assert.ok(counts.purchases > 0);
    // The chunked upload path, as browsers need it.
    const out = `${dir.path}/out`;
    const written = await tab.evaluate(
      // deno-lint-ignore no-explicit-any
      (o) => (globalThis as any).airbyteRemote.writeToDestination(o),
      { ...options, destinationPath: out },
    ).catch((e) => {
      throw new Error(`${e}\n${log.join("\n")}\n${server.logs.join("\n")}`);
    });
    assert.deepEqual(written, { written: 400, confirmed: 400 });
    assert.equal((await jsonlLines(`${out}/users.jsonl`)).length, 400);
    assert.ok(
      server.logs.some((l) => /destination-jsonl write started \(input in chunks\)/.test(l)),
      server.logs.join("\n"),
    );
    assert.ok(server.logs.some((l) => /destination-jsonl write ok/.test(l)));
  } finally {
    await browser.close();
    await page.shutdown();
  }
});
