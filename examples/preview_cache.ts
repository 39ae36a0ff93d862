/**
 * Show a cache in the browser: streams, records (sortable, any size), column summaries, misfit
 * values, state, SQL and records over time. The page opens the cache read-only in DuckDB-WASM and
 * reads it with HTTP range requests. Without a path it shows the default cache (the page also opens a
 * .duckdb file you drop on it). The CLI does the same: `airbyte-ts preview [CACHE_PATH] [--port N] [--open]`.
 * `/reads.html` on the same server runs the in-page read example (a TypeScript connector read into
 * the browser's OPFS).
 *
 *   deno run -A examples/preview_cache.ts [CACHE_PATH] [PORT]
 */
import { startPreviewServer } from "../mod.ts";

const server = await startPreviewServer({ cachePath: Deno.args[0], port: Number(Deno.args[1] ?? 0) });
console.log(`Preview of ${server.cachePath}: ${server.url}`);
console.log(`In-page read example: ${server.url}reads.html`);
console.log("Ctrl-C stops it.");
Deno.addSignalListener("SIGINT", async () => {
  await server.close();
  Deno.exit(0);
});
