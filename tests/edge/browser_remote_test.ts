// examples/remote_browser in real Chromium (playwright-core + /usr/bin/chromium): the page, on its
// own origin, reads airbyte-source-faker through `airbyte-ts serve` (another origin, allowed by
// CORS) into its OPFS cache, and writes faker's users straight through to the CDK destination
// fixture, its input posted in chunks as a browser must over HTTP/1.1.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, servePage } from "../_browser_page.ts";
import { bundleForBrowser } from "../_bundle.ts";
import { DESTINATION_JSONL_PIP, FAKER_PIP, jsonlLines, ROOT, tempDir } from "../_support.ts";
import { startServer, TOKEN } from "../server/_harness.ts";

const PAGE_DIR = `${ROOT}/examples/remote_browser`;

Deno.test("a page in Chromium reads faker through the server into its OPFS cache and writes to a destination in chunks", async () => {
  await using dir = await tempDir();
  await bundleForBrowser({ page: `${PAGE_DIR}/page.ts` }, `${dir.path}/bundle`, { logLevel: "error" });
  const page = servePage(`${PAGE_DIR}/index.html`, `${dir.path}/bundle`);
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
