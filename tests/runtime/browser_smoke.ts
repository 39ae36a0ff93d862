// Browser smoke test: bundle tests/runtime/browser/entry.ts (which imports mod.ts) with esbuild,
// serve it and the duckdb-wasm worker/wasm files on loopback, open it in headless Chromium through
// playwright-core, and check the `window.__result` the page leaves.
//
//   npx deno run -A tests/runtime/browser_smoke.ts
//
// Prints one line per check and a final "browser smoke: ok (N checks)" or "browser smoke: FAILED";
// exits non-zero on failure. CHROMIUM_PATH overrides /usr/bin/chromium.
import * as esbuild from "esbuild";
import { npmSpecifiers } from "../../src/preview/_npm_specifiers.ts";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

const ROOT = new URL("../../", import.meta.url);
const PAGE_DIR = new URL("tests/runtime/browser/", ROOT);
const DUCKDB_DIST = new URL("node_modules/@duckdb/duckdb-wasm/dist/", ROOT);
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
const PAGE_TIMEOUT_MS = 90_000;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".wasm": "application/wasm",
};

interface PageResult {
  ok: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
  error?: string;
}

async function bundleEntry(outdir: string): Promise<void> {
  try {
    await esbuild.build({
      entryPoints: [new URL("entry.ts", PAGE_DIR).pathname],
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      sourcemap: "linked",
      // Node-only modules: the Node runtime adapter and DuckDB-WASM's Node loader sit behind a
      // runtime check and never run in the page, but a bundler still follows their imports. A user's
      // bundler needs the same two entries today.
      external: ["node:*", "@duckdb/duckdb-wasm/dist/duckdb-node*"],
      plugins: [npmSpecifiers],
      logLevel: "warning",
    });
  } finally {
    await esbuild.stop();
  }
}

/** Serve the page, the bundle and duckdb-wasm's dist files; nothing else. */
function serve(bundleDir: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const path = new URL(request.url).pathname;
    let file: URL | string | undefined;
    if (path === "/favicon.ico") return new Response(null, { status: 204 });
    if (path === "/" || path === "/index.html") file = new URL("index.html", PAGE_DIR);
    else if (/^\/duckdb\/[\w.-]+$/.test(path)) file = new URL(path.slice("/duckdb/".length), DUCKDB_DIST);
    else if (/^\/[\w.-]+$/.test(path)) file = `${bundleDir}${path}`;
    if (file === undefined) return new Response("not found", { status: 404 });
    try {
      const body = await Deno.readFile(file);
      const extension = path.slice(path.lastIndexOf("."));
      const type = CONTENT_TYPES[extension] ??
        (path === "/" ? CONTENT_TYPES[".html"] : "application/octet-stream");
      return new Response(body, { headers: { "content-type": type, "cache-control": "no-store" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

async function runPage(url: string, pageLog: string[]): Promise<PageResult> {
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    page.on("console", (message) => pageLog.push(`[console.${message.type()}] ${message.text()}`));
    page.on("pageerror", (error) => pageLog.push(`[pageerror] ${error.stack ?? error.message}`));
    page.on("requestfailed", (request) => pageLog.push(`[requestfailed] ${request.url()}`));
    page.on("response", (response) => {
      if (response.status() >= 400) pageLog.push(`[http ${response.status()}] ${response.url()}`);
    });
    await page.goto(url);
    await page.waitForFunction(
      () => (globalThis as { __result?: unknown }).__result !== undefined,
      undefined,
      {
        timeout: PAGE_TIMEOUT_MS,
      },
    );
    return await page.evaluate(() => (globalThis as unknown as { __result: PageResult }).__result);
  } finally {
    await browser?.close();
  }
}

async function main(): Promise<boolean> {
  const bundleDir = await Deno.makeTempDir({ prefix: "airbyte-ts-browser-smoke-" });
  const pageLog: string[] = [];
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  try {
    await bundleEntry(bundleDir);
    server = serve(bundleDir);
    const result = await runPage(`http://127.0.0.1:${server.addr.port}/`, pageLog);
    for (const c of result.checks) {
      console.log(`  ${c.ok ? "ok  " : "FAIL"} ${c.name}${c.ok ? "" : `\n${indent(c.detail ?? "")}`}`);
    }
    if (result.error) console.log(`  page error:\n${indent(result.error)}`);
    const ok = result.ok && !result.error && result.checks.length > 0;
    if (!ok && pageLog.length > 0) console.log(`  page log:\n${indent(pageLog.join("\n"))}`);
    const failed = result.checks.filter((c) => !c.ok).length;
    console.log(
      ok
        ? `browser smoke: ok (${result.checks.length} checks)`
        : `browser smoke: FAILED (${failed} of ${result.checks.length} checks failed)`,
    );
    return ok;
  } catch (error) {
    if (pageLog.length > 0) console.log(`  page log:\n${indent(pageLog.join("\n"))}`);
    console.log(`browser smoke: FAILED: ${(error as Error)?.stack ?? error}`);
    return false;
  } finally {
    await server?.shutdown();
    await Deno.remove(bundleDir, { recursive: true });
  }
}

function indent(text: string): string {
  return text.split("\n").map((line) => `      ${line}`).join("\n");
}

Deno.exit((await main()) ? 0 : 1);
