// What the preview page says when a cache cannot be shown as it is: missing, not DuckDB, damaged,
// being written by another process; and how it opens files with no server, and a WAL left behind.
import assert from "node:assert/strict";
import { DuckDBCache } from "../../mod.ts";
import { startPreviewServer } from "../../src/preview/preview_server.ts";
import { tempDir } from "../_support.ts";
import { openBrowser, type PageSession, screenshotPath, settled } from "./_browser.ts";

/** A small cache written through DuckDBCache (the durable file runtime), closed cleanly. */
async function smallCache(path: string, rows = 50): Promise<void> {
  const cache = new DuckDBCache({ path });
  try {
    await cache.sql(`CREATE TABLE numbers AS SELECT range AS i, range * range AS square FROM range(${rows})`);
  } finally {
    await cache.close();
  }
}

async function pageMessage(session: PageSession): Promise<{ kind: string; title: string; detail: string }> {
  return await session.page.evaluate(() => ({
    kind: document.body.dataset.error ?? "",
    title: document.querySelector(".message-title")?.textContent ?? "",
    detail: document.querySelector(".message-detail")?.textContent ?? "",
  }));
}

async function showsMessage(
  cachePath: string,
  screenshot: string,
): Promise<{ kind: string; title: string; detail: string }> {
  await using server = await startPreviewServer({ cachePath });
  await using session = await openBrowser();
  await session.page.goto(server.url);
  assert.equal(await settled(session.page), "error", session.log.join("\n"));
  await session.page.screenshot({ path: screenshot });
  return await pageMessage(session);
}

const options = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "preview page says so when the cache path does not exist",
  ...options,
  async fn() {
    await using dir = await tempDir("airbyte-ts-preview-missing-");
    const message = await showsMessage(`${dir.path}/nowhere.duckdb`, await screenshotPath("missing"));
    assert.equal(message.kind, "missing");
    assert.match(message.title, /No cache at .*nowhere\.duckdb/);
  },
});

Deno.test({
  name: "preview page says a file is not a DuckDB database",
  ...options,
  async fn() {
    await using dir = await tempDir("airbyte-ts-preview-notduckdb-");
    const path = `${dir.path}/notes.duckdb`;
    await Deno.writeTextFile(path, "id,name\n1,Ada\n2,Grace\n".repeat(100));
    const message = await showsMessage(path, await screenshotPath("not-duckdb"));
    assert.equal(message.kind, "not-duckdb");
    assert.match(message.title, /notes\.duckdb is not a DuckDB database/);
  },
});

Deno.test({
  name: "preview page says a damaged cache is damaged, with DuckDB's reason",
  ...options,
  async fn() {
    await using dir = await tempDir("airbyte-ts-preview-corrupt-");
    const path = `${dir.path}/damaged.duckdb`;
    await smallCache(path);
    // Keep the magic bytes, overwrite both database headers and the first blocks with noise.
    const file = await Deno.open(path, { read: true, write: true });
    try {
      await file.seek(4096, Deno.SeekMode.Start);
      const noise = new Uint8Array(64 * 1024).map((_, i) => (i * 131 + 7) % 251);
      await file.write(noise);
    } finally {
      file.close();
    }
    const message = await showsMessage(path, await screenshotPath("corrupt"));
    assert.ok(["corrupt", "failed"].includes(message.kind), JSON.stringify(message));
    assert.match(message.title, /damaged\.duckdb/);
    assert.match(message.detail, /DuckDB/);
  },
});

Deno.test({
  name: "preview page says another process is writing the cache, and opens it once the lock is gone",
  ...options,
  async fn() {
    await using dir = await tempDir("airbyte-ts-preview-locked-");
    const path = `${dir.path}/busy.duckdb`;
    await smallCache(path);
    const lock = {
      pid: 424242,
      hostname: "writer-host",
      startedAt: "2026-11-29T08:00:00.000Z",
      mode: "write",
    };
    await Deno.writeTextFile(`${path}.lock`, JSON.stringify(lock));
    await using server = await startPreviewServer({ cachePath: path });
    await using session = await openBrowser();
    await session.page.goto(server.url);
    assert.equal(await settled(session.page), "error");
    const message = await pageMessage(session);
    assert.equal(message.kind, "locked");
    assert.match(message.title, /Another process is writing busy\.duckdb/);
    assert.match(message.detail, /process 424242 on writer-host/i);
    await session.page.screenshot({ path: await screenshotPath("locked") });
    await Deno.remove(`${path}.lock`);
    await session.page.waitForFunction(() => document.body.dataset.state === "ready", undefined, {
      timeout: 120_000,
    });
    assert.deepEqual(
      await session.page.$$eval(
        ".nav-item[data-stream]",
        (e) => e.map((i) => (i as HTMLElement).dataset.rows),
      ),
      [
        "50",
      ],
    );
  },
});

Deno.test({
  name:
    "preview page replays the WAL a crashed writer left (read-only, in memory), and says its lock is stale",
  ...options,
  async fn() {
    await using dir = await tempDir("airbyte-ts-preview-wal-");
    const path = `${dir.path}/crashed.duckdb`;
    await smallCache(path, 10);
    // A writer that commits and dies without closing: its last commit is only in the WAL.
    const writer = new URL("./_crashing_writer.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", writer, path],
      stderr: "piped",
    })
      .output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.ok((await Deno.stat(`${path}.wal`)).size > 0, "the writer left a WAL");
    const before = await Deno.readFile(path);
    await using server = await startPreviewServer({ cachePath: path });
    await using session = await openBrowser();
    await session.page.goto(server.url);
    assert.equal(await settled(session.page), "ready", session.log.join("\n"));
    assert.deepEqual(
      await session.page.$$eval(
        ".nav-item[data-stream]",
        (e) => e.map((i) => (i as HTMLElement).dataset.rows),
      ),
      ["15"],
    );
    assert.match(await session.page.textContent(".db-detail") ?? "", /WAL .* replayed/);
    // The writer died holding its lock: the page says so, and opens the cache anyway.
    assert.match(await session.page.textContent(".banners") ?? "", /died while writing this cache/);
    assert.deepEqual(await Deno.readFile(path), before, "the preview never writes the cache");
  },
});

Deno.test({
  name:
    "preview page opens a picked or dropped .duckdb file with no cache on the server, and rejects other files",
  ...options,
  async fn() {
    await using dir = await tempDir("airbyte-ts-preview-drop-");
    const path = `${dir.path}/picked.duckdb`;
    await smallCache(path, 123);
    await using server = await startPreviewServer({ cachePath: null });
    await using session = await openBrowser();
    const { page } = session;
    await page.goto(server.url);
    assert.equal(await settled(page), "empty");
    assert.equal(await pageMessage(session).then((m) => m.kind), "welcome");
    await page.setInputFiles("input[type=file]", path);
    await page.waitForFunction(() => document.body.dataset.state === "ready", undefined, {
      timeout: 120_000,
    });
    assert.deepEqual(
      await page.$$eval(".nav-item[data-stream]", (e) => e.map((i) => (i as HTMLElement).dataset.rows)),
      ["123"],
    );
    assert.match(await page.textContent(".db-detail") ?? "", /local file/);
    assert.equal(server.served.cacheBytes, 0, "the file never went through the server");
    // Dropped on the page (a real drop event carrying a File), another cache replaces it.
    const dropped = `${dir.path}/dropped.duckdb`;
    await smallCache(dropped, 77);
    const bytes = Array.from(await Deno.readFile(dropped));
    const transfer = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], "dropped.duckdb"));
      return transfer;
    }, bytes);
    await page.dispatchEvent("body", "dragover", { dataTransfer: transfer });
    await page.dispatchEvent("body", "drop", { dataTransfer: transfer });
    await page.waitForFunction(() => document.querySelector(".db-title")?.textContent === "dropped.duckdb");
    await page.waitForFunction(() => document.body.dataset.state === "ready", undefined, {
      timeout: 120_000,
    });
    assert.deepEqual(
      await page.$$eval(".nav-item[data-stream]", (e) => e.map((i) => (i as HTMLElement).dataset.rows)),
      [
        "77",
      ],
    );
    const photo = `${dir.path}/photo.duckdb`;
    await Deno.writeFile(photo, new Uint8Array(4096).fill(137));
    await page.setInputFiles("input[type=file]", photo);
    await page.waitForFunction(() => document.body.dataset.state === "error");
    assert.equal((await pageMessage(session)).kind, "not-duckdb");
  },
});
