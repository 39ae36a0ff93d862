/**
 * Where the preview page's files come from. The npm package ships them built, in `preview/` next
 * to the bundled module (tsup.config.ts); a source checkout builds them with esbuild (a dev
 * dependency) into a temporary directory when a server starts. DuckDB-WASM's worker scripts and
 * `.wasm` files are served from the installed `@duckdb/duckdb-wasm` package.
 *
 * @module
 */
import type { Runtime } from "../runtime/runtime.ts";
import { CacheError } from "../errors.ts";

/** The page's built files, and how to let go of them. */
export interface PageAssets {
  /** Directory holding `index.html`, `reads.html` and `assets/`. */
  dir: string;
  /** The directory of `@duckdb/duckdb-wasm/dist/`. */
  duckdbDir: string;
  /** Remove a build made for this server (a shipped build is left alone). */
  dispose(): Promise<void>;
}

/** The page files the preview server serves, by URL path, with the file each comes from. */
export const PAGE_FILES = ["index.html", "reads.html"] as const;

/** The files of `@duckdb/duckdb-wasm/dist/` the page loads (a worker script and module per bundle). */
export const DUCKDB_FILES = new Set([
  "duckdb-eh.wasm",
  "duckdb-mvp.wasm",
  "duckdb-browser-eh.worker.js",
  "duckdb-browser-mvp.worker.js",
]);

function pathOf(url: URL): string {
  return decodeURIComponent(url.pathname);
}

function duckdbDistDir(): string {
  // Any entry of the package resolves to a file in dist/.
  const entry = new URL(import.meta.resolve("@duckdb/duckdb-wasm"));
  return pathOf(new URL("./", entry));
}

/**
 * Find (or build) the page.
 *
 * @param runtime The host runtime (files, and esbuild through Deno or Node).
 * @returns The directories to serve from.
 *
 * @example
 * ```ts ignore
 * const assets = await pageAssets(await getRuntime());
 * try { console.log(assets.dir); } finally { await assets.dispose(); }
 * ```
 */
export async function pageAssets(runtime: Runtime): Promise<PageAssets> {
  const duckdbDir = duckdbDistDir();
  const shipped = pathOf(new URL("./preview/", import.meta.url));
  if (await runtime.exists(`${shipped}index.html`)) {
    return { dir: shipped, duckdbDir, dispose: () => Promise.resolve() };
  }
  const dir = await runtime.makeTempDir("airbyte-ts-preview-");
  try {
    await buildPage(runtime, pathOf(new URL("./page/", import.meta.url)), dir);
  } catch (error) {
    await runtime.remove(dir);
    throw new CacheError(`Cannot build the preview page: ${(error as Error)?.message ?? error}`, {
      guidance: "Run `npm install` in the checkout (esbuild is a dev dependency), or use the npm package.",
      cause: error,
    });
  }
  return { dir, duckdbDir, dispose: () => runtime.remove(dir) };
}

/**
 * Bundle the page's scripts and styles into `outDir/assets/` and copy its HTML files. Used by
 * source checkouts at server start and by the npm build.
 *
 * @param runtime The host runtime.
 * @param pageDir The page's source directory (`src/preview/page/`).
 * @param outDir Where to write.
 *
 * @example
 * ```ts ignore
 * await buildPage(runtime, "src/preview/page/", "dist/preview/");
 * ```
 */
export async function buildPage(runtime: Runtime, pageDir: string, outDir: string): Promise<void> {
  // A name esbuild cannot follow when a browser bundle includes this module.
  const esbuildModule = "esbuild";
  const esbuild = await import(esbuildModule);
  try {
    await esbuild.build(pageBuildOptions(pageDir, outDir));
  } finally {
    await esbuild.stop?.();
  }
  for (const file of PAGE_FILES) {
    await runtime.writeTextFile(`${outDir}/${file}`, await runtime.readTextFile(`${pageDir}${file}`));
  }
}

/**
 * The esbuild options of the page bundle (shared with tsup.config.ts).
 *
 * @param pageDir The page's source directory, ending with `/`.
 * @param outDir Where to write; the bundle goes to `outDir/assets/`.
 * @returns Options for `esbuild.build`.
 *
 * @example
 * ```ts
 * import { pageBuildOptions } from "./_page_assets.ts";
 * const options = pageBuildOptions("src/preview/page/", "out");
 * if (options.outdir !== "out/assets") throw new Error();
 * ```
 */
export function pageBuildOptions(pageDir: string, outDir: string): Record<string, unknown> {
  return {
    entryPoints: { preview: `${pageDir}main.ts`, reads: `${pageDir}reads.ts` },
    outdir: `${outDir}/assets`,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    // The Node runtime adapter and DuckDB-WASM's Node loader sit behind runtime checks and never
    // run in a page; a bundler still follows their imports.
    external: ["node:*", "@duckdb/duckdb-wasm/dist/duckdb-node*", "esbuild"],
    logLevel: "warning",
  };
}
