// Browser smoke test: bundle tests/runtime/browser/entry.ts (which imports mod.ts) with esbuild,
// serve it and the duckdb-wasm worker/wasm files on loopback, open it in headless Chromium through
// playwright-core, and check the `window.__result` the page leaves.
//
//   npx deno run -A tests/runtime/browser_smoke.ts
//
// Prints one line per check and a final "browser smoke: ok (N checks)" or "browser smoke: FAILED";
// exits non-zero on failure. CHROMIUM_PATH overrides /usr/bin/chromium.
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, servePage } from "../_browser_page.ts";
import { bundleForBrowser } from "../_bundle.ts";

const ROOT = new URL("../../", import.meta.url);
const PAGE_DIR = new URL("tests/runtime/browser/", ROOT);
const PAGE_TIMEOUT_MS = 90_000;

interface PageResult {
  ok: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
  error?: string;
}

function bundleEntry(outdir: string): Promise<void> {
  return bundleForBrowser([new URL("entry.ts", PAGE_DIR).pathname], outdir, { sourcemap: "linked" });
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
    server = servePage(new URL("index.html", PAGE_DIR).pathname, bundleDir);
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
