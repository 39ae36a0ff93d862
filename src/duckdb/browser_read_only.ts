/**
 * A DuckDB cache file opened read-only in a browser page (the preview): DuckDB-WASM in a Web
 * Worker, the file attached read-only from a URL (HTTP range requests) or from a `File` the user
 * dropped, its WAL replayed in memory. The loader lives in `wasm/load_browser.ts`; this is the
 * storage layer's door to it, so nothing above `src/duckdb` reaches into `wasm/`.
 *
 * @module
 */
export {
  type BrowserBundles,
  browserBundlesAt,
  openBrowserReadOnly,
  prepareBrowserReadOnly,
  type ReadOnlyDatabase,
  type ReadOnlyOpener,
} from "../../wasm/load_browser.ts";
