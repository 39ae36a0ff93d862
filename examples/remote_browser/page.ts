/**
 * A page that reads airbyte-source-faker through an `airbyte-ts serve` server into a DuckDB-WASM
 * cache in the page's origin-private file system (OPFS), where it survives a reload. A browser
 * cannot start Python; the server runs the connector and streams its records here.
 *
 * Serve this folder's index.html with the bundle of this file as `/page.js` (esbuild's API with
 * `bundle`, `format: "esm"`, `splitting`, `external: ["node:*", "@duckdb/duckdb-wasm/dist/duckdb-node*"]`
 * and the plugin of src/preview/_npm_specifiers.ts for the library's `npm:` imports)
 * and `@duckdb/duckdb-wasm/dist/` under `/duckdb/`, and start the server with this page's origin
 * in `corsOrigins`. tests/edge/browser_remote_test.ts does exactly that in Chromium.
 */
import { DuckDBCache, getDestination, getSource } from "../../mod.ts";

/** What {@linkcode readIntoOpfs} needs. */
export interface RemoteReadOptions {
  url: string;
  token: string;
  /** How many users faker makes. */
  count: number;
  /** The OPFS file. @default "opfs://remote-faker.duckdb" */
  path?: string;
}

/** Read faker's users and purchases into the OPFS cache; the counts come from a reopened cache. */
export async function readIntoOpfs(options: RemoteReadOptions): Promise<Record<string, number>> {
  const path = options.path ?? "opfs://remote-faker.duckdb";
  const assetsBaseUrl = new URL("/duckdb/", location.href);
  const source = await getSource("source-faker", {
    remote: { url: options.url, token: options.token },
    config: { count: options.count, seed: 1 },
    streams: ["users", "purchases"],
  });
  const cache = new DuckDBCache({ path, assetsBaseUrl });
  try {
    await source.read({ cache, progress: "none", writeStrategy: "replace" });
  } finally {
    await cache.close();
  }
  // Opened again from OPFS: what was read is there.
  await using reopened = new DuckDBCache({ path, assetsBaseUrl });
  const counts: Record<string, number> = {};
  for (const stream of ["users", "purchases"]) counts[stream] = await reopened.get(stream).count();
  return counts;
}

/**
 * Write faker's users from the page to a destination on the server, straight through (no cache).
 * The page's input reaches the destination in chunks: browsers cannot stream an upload over
 * HTTP/1.1.
 */
export async function writeToDestination(
  options: RemoteReadOptions & { destinationPath: string },
): Promise<{ written: number; confirmed: number }> {
  const remote = { url: options.url, token: options.token };
  const source = await getSource("source-faker", { remote, config: { count: options.count, seed: 1 } });
  const destination = await getDestination("destination-jsonl", {
    remote,
    config: { path: options.destinationPath },
  });
  const result = await destination.write(source, { cache: false, streams: ["users"], progress: "none" });
  return { written: result.processedRecords, confirmed: result.confirmedRecords };
}

const scope = globalThis as typeof globalThis & { airbyteRemote?: unknown };
scope.airbyteRemote = { readIntoOpfs, writeToDestination };

const form = document.getElementById("form") as HTMLFormElement | null;
form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const out = document.getElementById("out")!;
  out.textContent = "reading…";
  try {
    const counts = await readIntoOpfs({
      url: String(data.get("url")),
      token: String(data.get("token")),
      count: Number(data.get("count")),
    });
    out.textContent = JSON.stringify(counts, null, 2);
  } catch (error) {
    out.textContent = String((error as Error)?.message ?? error);
  }
});
