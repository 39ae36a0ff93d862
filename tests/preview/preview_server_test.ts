// The preview server over HTTP (no browser): ranges of the cache file, its status, the page files.
import assert from "node:assert/strict";
import { parseByteRange } from "../../src/preview/_byte_range.ts";
import { startPreviewServer } from "../../src/preview/preview_server.ts";
import { denoRuntime } from "../../src/runtime/deno.ts";
import { tempDir } from "../_support.ts";

Deno.test("parseByteRange reads one range, a suffix, an open end, and refuses one past the end", () => {
  assert.deepEqual(parseByteRange("bytes=0-99", 1000), { start: 0, end: 100 });
  assert.deepEqual(parseByteRange("bytes=900-", 1000), { start: 900, end: 1000 });
  assert.deepEqual(parseByteRange("bytes=-100", 1000), { start: 900, end: 1000 });
  assert.deepEqual(parseByteRange("bytes=990-5000", 1000), { start: 990, end: 1000 });
  assert.equal(parseByteRange("bytes=1000-", 1000), "unsatisfiable");
  assert.equal(parseByteRange(null, 1000), undefined);
  assert.equal(parseByteRange("bytes=0-1,5-9", 1000), undefined);
});

Deno.test({
  name: "startPreviewServer serves the page, the duckdb-wasm files, the cache status and the cache by ranges",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using dir = await tempDir();
    const path = `${dir.path}/c.duckdb`;
    const bytes = new Uint8Array(20_000).map((_, i) => i % 256);
    bytes.set(new TextEncoder().encode("DUCK"), 8);
    await Deno.writeFile(path, bytes);
    await Deno.writeTextFile(
      `${path}.lock`,
      JSON.stringify({ pid: 99, hostname: "elsewhere", startedAt: "2026-11-29T08:00:00Z" }),
    );
    await using server = await startPreviewServer({ cachePath: path });

    const page = await fetch(server.url);
    assert.match(await page.text(), /assets\/preview\.js/);
    const script = await fetch(`${server.url}assets/preview.js`);
    assert.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
    await script.body?.cancel();
    const worker = await fetch(`${server.url}duckdb/duckdb-browser-eh.worker.js`);
    assert.equal(worker.status, 200);
    await worker.body?.cancel();
    const outside = await fetch(`${server.url}duckdb/..%2F..%2Fpackage.json`);
    assert.equal(outside.status, 404);
    await outside.body?.cancel();

    const status = await (await fetch(`${server.url}api/cache`)).json();
    assert.equal(status.exists, true);
    assert.equal(status.size, 20_000);
    assert.equal(status.format, "duckdb");
    assert.equal(status.lock.pid, 99);
    assert.equal(status.lock.stale, false, "a holder on another host cannot be checked: alive");

    const head = await fetch(`${server.url}cache.duckdb`, { method: "HEAD", headers: { range: "bytes=0-" } });
    assert.equal(head.status, 206);
    assert.equal(head.headers.get("content-length"), "20000");
    const part = await fetch(`${server.url}cache.duckdb`, { headers: { range: "bytes=1000-1009" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 1000-1009/20000");
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), bytes.subarray(1000, 1010));
    const past = await fetch(`${server.url}cache.duckdb`, { headers: { range: "bytes=30000-" } });
    assert.equal(past.status, 416);
    await past.body?.cancel();
    // A holder on this host that is gone: a stale lock.
    const exited = new Deno.Command("true").spawn();
    await exited.status;
    await Deno.writeTextFile(
      `${path}.lock`,
      JSON.stringify({ pid: exited.pid, hostname: denoRuntime.processIdentity()!.hostname, startedAt: "x" }),
    );
    const stale = await (await fetch(`${server.url}api/cache`)).json();
    assert.equal(stale.lock.stale, true);
    // No WAL (or an empty one) is a 404: DuckDB-WASM then opens without one.
    const wal = await fetch(`${server.url}cache.duckdb.wal`, { method: "HEAD" });
    assert.equal(wal.status, 404);
    assert.deepEqual(server.served, { cacheBytes: 10, cacheResponses: 1 });
    // Read-only: other methods are refused; unknown paths and asset names with a slash are not found.
    const put = await fetch(`${server.url}cache.duckdb`, { method: "PUT", body: "x" });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, HEAD");
    await put.body?.cancel();
    for (const missing of ["nope", "assets/..%2Fpreview.js", "duckdb/not-a-duckdb-file.js"]) {
      const response = await fetch(`${server.url}${missing}`);
      assert.equal(response.status, 404, missing);
      await response.body?.cancel();
    }
    assert.deepEqual(server.served, { cacheBytes: 10, cacheResponses: 1 }, "nothing more served");
  },
});

Deno.test({
  name: "startPreviewServer says which port is taken",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using first = await startPreviewServer({ cachePath: null });
    await assert.rejects(
      startPreviewServer({ cachePath: null, port: first.port }),
      /Cannot start the preview server on port/,
    );
  },
});
