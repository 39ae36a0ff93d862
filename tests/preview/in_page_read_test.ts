// The in-page read example in Chromium: an in-process connector reads into an OPFS cache with
// live progress, the views show it (misfit values included), and a reload finds it still there.
import assert from "node:assert/strict";
import { startPreviewServer } from "../../src/preview/preview_server.ts";
import { tempDir } from "../_support.ts";
import { openPersistentBrowser, screenshotPath, settled } from "./_browser.ts";

Deno.test({
  name: "in-page read example fills an OPFS cache with live progress, and the data survives a reload",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using dir = await tempDir("airbyte-ts-preview-opfs-");
    await using server = await startPreviewServer({ cachePath: null });
    await using session = await openPersistentBrowser(`${dir.path}/profile`);
    const { page } = session;
    const progress: number[] = [];
    await page.exposeFunction("__recordProgress", (n: number) => progress.push(n));
    await page.addInitScript(() => {
      // Sample the live progress the page shows while it reads.
      const timer = setInterval(() => {
        const n = Number(document.body?.dataset.records ?? 0);
        if (n > 0) (globalThis as unknown as { __recordProgress(n: number): void }).__recordProgress(n);
        if (document.body?.dataset.state === "ready") clearInterval(timer);
      }, 20);
    });
    await page.goto(`${server.url}reads.html?count=20000`);
    assert.equal(await settled(page), "ready", session.log.join("\n"));
    assert.equal(await page.evaluate(() => document.body.dataset.readRecords), "40000");
    assert.ok(progress.length > 0 && progress.some((n) => n < 40000), `progress seen: ${progress.join(",")}`);
    const rows = () =>
      page.$$eval(
        ".nav-item[data-stream]",
        (items) =>
          Object.fromEntries(
            items.map((i) => [(i as HTMLElement).dataset.stream, (i as HTMLElement).dataset.rows]),
          ),
      );
    assert.deepEqual(await rows(), { customers: "20000", orders: "20000" });

    await page.evaluate(() => location.hash = "#/stream/orders/misfits");
    await page.waitForSelector(".misfits[data-state=ready]");
    // One order in a thousand carries a quantity that is not an integer.
    assert.equal(await page.getAttribute(".misfits", "data-count"), "20");
    assert.match(await page.textContent(".misfits tbody") ?? "", /"a dozen"/);
    await page.screenshot({ path: await screenshotPath("misfits") });

    await page.reload();
    assert.equal(await settled(page), "ready", session.log.join("\n"));
    assert.equal(
      await page.evaluate(() => document.body.dataset.restored),
      "true",
      "shown from OPFS, not read again",
    );
    assert.deepEqual(await rows(), { customers: "20000", orders: "20000" });
    await page.evaluate(() => location.hash = "#/state");
    await page.waitForSelector(".state-card");
    assert.deepEqual(
      (await page.$$eval(".state-card", (cards) => cards.map((c) => (c as HTMLElement).dataset.subject)))
        .sort(),
      ["customers", "orders"],
    );
  },
});
