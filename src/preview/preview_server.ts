/**
 * `startPreviewServer`: a local HTTP server for the preview page. It serves the page, DuckDB-WASM's
 * worker and `.wasm` files, a JSON description of the cache file, and the cache file itself with
 * HTTP range requests, so the page's DuckDB-WASM fetches only the blocks its queries touch. It
 * never writes the cache.
 *
 * @module
 */
import { Hono } from "npm:hono@4.13.19";
import { CacheError } from "../errors.ts";
import { resolveCachePath } from "../duckdb/cache_path.ts";
import { getRuntime } from "../runtime/detect.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { parseByteRange } from "./_byte_range.ts";
import { DUCKDB_FILES, type PageAssets, pageAssets, pageHtml, PAGES } from "./_page_assets.ts";
import { cacheLockHolder, type LockHolder } from "../duckdb/cache_lock.ts";

/**
 * Options for {@linkcode startPreviewServer}.
 *
 * @example
 * ```ts
 * import type { PreviewServerOptions } from "./preview_server.ts";
 * const options: PreviewServerOptions = { cachePath: "./.cache/default_cache.duckdb", port: 8765 };
 * if (options.port !== 8765) throw new Error();
 * ```
 */
export interface PreviewServerOptions {
  /**
   * The DuckDB cache file to show. `null`: none, the page opens a `.duckdb` file dropped on it or
   * picked with its file input (it can do that in any case). @default the default cache file
   * (`$AIRBYTE_TS_CACHE_DIR/default_cache.duckdb`, else `./.cache/default_cache.duckdb`)
   */
  cachePath?: string | null;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /** The address to listen on. @default "127.0.0.1" (this machine only) */
  hostname?: string;
}

/**
 * A running preview server.
 *
 * @example
 * ```ts ignore
 * await using server = await startPreviewServer({ cachePath: "faker.duckdb" });
 * console.log(`open ${server.url}`);
 * ```
 */
export interface PreviewServer extends AsyncDisposable {
  /** The page's URL, e.g. `http://127.0.0.1:8765/`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The cache file it shows (as given, made absolute), if any. */
  readonly cachePath?: string;
  /** Bytes of the cache file (and its WAL) sent so far, and in how many responses. */
  readonly served: { cacheBytes: number; cacheResponses: number };
  /** Stop serving and remove the page files built for it. */
  close(): Promise<void>;
}

/**
 * What `GET /api/cache` answers: the facts the page needs before it opens the cache.
 *
 * @example
 * ```ts
 * import type { CacheFileStatus } from "./preview_server.ts";
 * const status: CacheFileStatus = { served: false };
 * if (status.served) throw new Error();
 * ```
 */
export interface CacheFileStatus {
  /** False when the server was started without a cache path (the page then takes files). */
  served: boolean;
  path?: string;
  /** The file's name, for titles. */
  name?: string;
  exists?: boolean;
  size?: number;
  mtimeMs?: number;
  /** Size of `<path>.wal` when it exists and is not empty: commits not yet checkpointed. */
  walSize?: number;
  /** What the first bytes say: a DuckDB database, something else, or too short to be one. */
  format?: "duckdb" | "other" | "empty";
  /**
   * Set while a lock file says another process writes the cache. `stale`: that process is gone
   * from this host (it died holding the lock; its committed work is in the file and its WAL).
   */
  lock?: LockHolder & { stale: boolean };
}

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json",
  wasm: "application/wasm",
  json: "application/json",
};

function contentType(path: string): string {
  return CONTENT_TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}

/** DuckDB's main header holds the magic bytes "DUCK" at offset 8. */
async function fileFormat(
  runtime: Runtime,
  path: string,
  size: number,
): Promise<"duckdb" | "other" | "empty"> {
  if (size < 12) return "empty";
  const head = new Uint8Array(
    await new Response(await runtime.openReadStream(path, { start: 0, end: 12 })).arrayBuffer(),
  );
  return new TextDecoder().decode(head.subarray(8, 12)) === "DUCK" ? "duckdb" : "other";
}

async function cacheStatus(runtime: Runtime, cachePath: string | undefined): Promise<CacheFileStatus> {
  if (cachePath === undefined) return { served: false };
  const name = cachePath.slice(cachePath.lastIndexOf("/") + 1);
  const [info, wal, lock] = await Promise.all([
    runtime.stat(cachePath),
    runtime.stat(`${cachePath}.wal`),
    cacheLockHolder(runtime, cachePath),
  ]);
  const status: CacheFileStatus = { served: true, path: cachePath, name, exists: info !== undefined };
  if (info) {
    status.size = info.size;
    status.mtimeMs = info.mtimeMs;
    status.format = await fileFormat(runtime, cachePath, info.size);
  }
  if (wal && wal.size > 0) status.walSize = wal.size;
  if (lock) {
    // Only a holder on this host can be checked; one elsewhere counts as alive.
    const stale = lock.hostname === runtime.processIdentity()?.hostname && !runtime.processAlive(lock.pid);
    status.lock = { ...lock, stale };
  }
  return status;
}

/** A file answered as a whole or by the one byte range asked for (what DuckDB-WASM's reads need). */
async function serveFile(
  runtime: Runtime,
  request: Request,
  path: string,
  served: PreviewServer["served"],
): Promise<Response> {
  const info = await runtime.stat(path);
  // An empty WAL is no WAL: DuckDB-WASM takes a 404 as "no such file".
  if (!info || (info.size === 0 && path.endsWith(".wal"))) return new Response("not found", { status: 404 });
  const headers = new Headers({
    "content-type": "application/octet-stream",
    "accept-ranges": "bytes",
    "cache-control": "no-store",
    "last-modified": new Date(info.mtimeMs).toUTCString(),
  });
  const range = parseByteRange(request.headers.get("range"), info.size);
  if (range === "unsatisfiable") {
    headers.set("content-range", `bytes */${info.size}`);
    return new Response(null, { status: 416, headers });
  }
  const { start, end } = range ?? { start: 0, end: info.size };
  headers.set("content-length", String(end - start));
  if (range) headers.set("content-range", `bytes ${start}-${end - 1}/${info.size}`);
  const status = range ? 206 : 200;
  if (request.method === "HEAD") return new Response(null, { status, headers });
  served.cacheBytes += end - start;
  served.cacheResponses++;
  return new Response(await runtime.openReadStream(path, { start, end }), { status, headers });
}

async function serveStatic(runtime: Runtime, path: string, cacheControl = "no-cache"): Promise<Response> {
  const info = await runtime.stat(path);
  if (!info) return new Response("not found", { status: 404 });
  return new Response(await runtime.openReadStream(path), {
    headers: {
      "content-type": contentType(path),
      "content-length": String(info.size),
      "cache-control": cacheControl,
    },
  });
}

/**
 * DuckDB-WASM's files, read once and kept in memory: the 34 MB module streams from a file at about
 * 100 MB/s here, from memory several times faster, and every page load fetches it.
 */
function memoryFiles(runtime: Runtime) {
  const kept = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  return async (path: string, cacheControl: string): Promise<Response> => {
    let bytes = kept.get(path);
    if (!bytes) {
      bytes = runtime.stat(path).then(async (info) =>
        info
          ? new Uint8Array(await new Response(await runtime.openReadStream(path)).arrayBuffer())
          : new Uint8Array()
      );
      kept.set(path, bytes);
      bytes.catch(() => kept.delete(path));
    }
    const body = await bytes;
    if (body.length === 0) return new Response("not found", { status: 404 });
    return new Response(body, {
      headers: {
        "content-type": contentType(path),
        "content-length": String(body.length),
        "cache-control": cacheControl,
      },
    });
  };
}

/** The routes: the pages, their bundles, DuckDB-WASM's files, the cache's status, the cache file. */
function previewApp(
  runtime: Runtime,
  assets: PageAssets,
  cachePath: string | undefined,
  served: PreviewServer["served"],
): Hono {
  const duckdbFile = memoryFiles(runtime);
  const app = new Hono();
  const page = async (name: keyof typeof PAGES) => {
    // A page whose script was not built (the npm package ships the preview only) is not there.
    if (!await runtime.exists(`${assets.dir}/assets/${PAGES[name].script}`)) {
      return new Response("This page is not part of this build.", { status: 404 });
    }
    return new Response(pageHtml(name), {
      headers: { "content-type": CONTENT_TYPES.html, "cache-control": "no-cache" },
    });
  };
  app.get("/", () => page("index.html"));
  for (const name of Object.keys(PAGES) as (keyof typeof PAGES)[]) app.get(`/${name}`, () => page(name));
  app.get(
    "/assets/:file{[\\w.-]+}",
    (c) => serveStatic(runtime, `${assets.dir}/assets/${c.req.param("file")}`),
  );
  app.get("/duckdb/:file", (c) => {
    const file = c.req.param("file");
    return DUCKDB_FILES.has(file) ? duckdbFile(`${assets.duckdbDir}${file}`, "max-age=3600") : c.notFound();
  });
  app.get(
    "/api/cache",
    async () =>
      Response.json(await cacheStatus(runtime, cachePath), { headers: { "cache-control": "no-store" } }),
  );
  if (cachePath !== undefined) {
    app.get("/cache.duckdb", (c) => serveFile(runtime, c.req.raw, cachePath, served));
    app.get("/cache.duckdb.wal", (c) => serveFile(runtime, c.req.raw, `${cachePath}.wal`, served));
  }
  app.get("/favicon.ico", () => new Response(null, { status: 204 }));
  // The page only reads: every other method is refused.
  app.on(
    ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    "*",
    () => new Response("method not allowed", { status: 405, headers: { allow: "GET, HEAD" } }),
  );
  app.notFound(() => new Response("not found", { status: 404 }));
  return app;
}

function absolutePath(runtime: Runtime, path: string): string {
  return path.startsWith("/") ? path : runtime.joinPath(runtime.cwd(), path);
}

/**
 * Start the preview server: open its URL in a browser to see the cache's streams, records,
 * column summaries, misfit values, state, a SQL box and a records-over-time chart. The page opens
 * the cache read-only in DuckDB-WASM and reads it through HTTP range requests. A missing or
 * locked cache file is reported on the page (it may appear or be released later), not here.
 *
 * @param options The cache file, port and address.
 * @returns The running server; close it (or `await using`) to stop.
 *
 * @example Serve a cache and fetch its description
 * ```ts
 * import { startPreviewServer } from "./preview_server.ts";
 * const dir = Deno.makeTempDirSync();
 * const server = await startPreviewServer({ cachePath: `${dir}/missing.duckdb` });
 * try {
 *   const status = await (await fetch(`${server.url}api/cache`)).json();
 *   if (status.exists !== false) throw new Error(JSON.stringify(status));
 * } finally {
 *   await server.close();
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export async function startPreviewServer(options: PreviewServerOptions = {}): Promise<PreviewServer> {
  const runtime = await getRuntime();
  const cachePath = options.cachePath === null
    ? undefined
    : options.cachePath === undefined
    ? await resolveCachePath(undefined)
    : absolutePath(runtime, options.cachePath);
  const assets = await pageAssets(runtime);
  const served = { cacheBytes: 0, cacheResponses: 0 };
  let http;
  try {
    http = await runtime.serveHttp(previewApp(runtime, assets, cachePath, served).fetch, {
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
    });
  } catch (error) {
    await assets.dispose();
    throw new CacheError(
      `Cannot start the preview server on port ${options.port ?? 0}: ${(error as Error)?.message ?? error}`,
      { guidance: "Pick another port (--port), or 0 for any free one.", cause: error },
    );
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await http.close();
    } finally {
      await assets.dispose();
    }
  };
  const host = http.hostname.includes(":") ? `[${http.hostname}]` : http.hostname;
  const url = `http://${host}:${http.port}/`;
  return { url, port: http.port, cachePath, served, close, [Symbol.asyncDispose]: close };
}
