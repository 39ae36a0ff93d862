// Real Chromium for the browser tests and the preview bench: Debian's /usr/bin/chromium (or
// $CHROMIUM_PATH), driven by playwright-core, and a one-origin server for a test page.
import { ROOT } from "./_support.ts";

export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

const DUCKDB_DIST = `${ROOT}/node_modules/@duckdb/duckdb-wasm/dist`;
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".wasm": "application/wasm",
};

/**
 * Serve a test page from one origin: `/` (and `/index.html`) is `indexHtml`, `/duckdb/<file>`
 * DuckDB-WASM's dist files, `/<file>` the page's bundle in `bundleDir`; nothing else.
 */
export function servePage(indexHtml: string, bundleDir: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const path = new URL(request.url).pathname;
    let file: string | undefined;
    if (path === "/favicon.ico") return new Response(null, { status: 204 });
    if (path === "/" || path === "/index.html") file = indexHtml;
    else if (/^\/duckdb\/[\w.-]+$/.test(path)) file = `${DUCKDB_DIST}/${path.slice("/duckdb/".length)}`;
    else if (/^\/[\w.-]+$/.test(path)) file = `${bundleDir}${path}`;
    if (file === undefined) return new Response("not found", { status: 404 });
    try {
      const body = await Deno.readFile(file);
      const type = CONTENT_TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream";
      return new Response(body, { headers: { "content-type": type, "cache-control": "no-store" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}
