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
import { npmSpecifiers } from "./_npm_specifiers.ts";

/** The page's built files, and how to let go of them. */
export interface PageAssets {
  /** Directory holding `assets/` (the pages' script bundles). */
  dir: string;
  /** The directory of `@duckdb/duckdb-wasm/dist/`. */
  duckdbDir: string;
  /** Remove a build made for this server (a shipped build is left alone). */
  dispose(): Promise<void>;
}

/** The pages: their script bundles in `assets/`, their HTML made by {@linkcode pageHtml}. */
export const PAGES = {
  "index.html": { script: "preview.js", title: "airbyte-ts preview" },
  "reads.html": { script: "reads.js", title: "In-page read · airbyte-ts preview" },
} as const;

/**
 * A page's HTML: a shell that loads its script bundle (which brings its own styles).
 *
 * @param page The page's file name.
 * @returns The document.
 *
 * @example
 * ```ts
 * import { pageHtml } from "./_page_assets.ts";
 * if (!pageHtml("index.html").includes('src="assets/preview.js"')) throw new Error();
 * ```
 */
export function pageHtml(page: keyof typeof PAGES): string {
  const { script, title } = PAGES[page];
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <script type="module" src="assets/${script}"></script>
  </head>
  <body data-state="loading">
    <div id="app"><noscript>This page needs JavaScript.</noscript></div>
  </body>
</html>
`;
}

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
  if (await runtime.exists(`${shipped}assets/preview.js`)) {
    return { dir: shipped, duckdbDir, dispose: () => Promise.resolve() };
  }
  const dir = await runtime.makeTempDir("airbyte-ts-preview-");
  try {
    await buildPage(pathOf(new URL("./page/", import.meta.url)), dir);
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
 * Bundle the pages' scripts (with their styles) into `outDir/assets/`. Used by source checkouts at
 * server start; the npm build runs the same options (tsup.config.ts).
 *
 * @param pageDir The page's source directory (`src/preview/page/`).
 * @param outDir Where to write.
 *
 * @example
 * ```ts ignore
 * await buildPage("src/preview/page/", "/tmp/preview");
 * ```
 */
export async function buildPage(pageDir: string, outDir: string): Promise<void> {
  // A name esbuild cannot follow when a browser bundle includes this module.
  const esbuildModule = "esbuild";
  const esbuild = await import(esbuildModule);
  try {
    await esbuild.build(pageBuildOptions(pageDir, outDir));
  } finally {
    await esbuild.stop?.();
  }
}

/**
 * Styles become script: a CSS file imported by the page is bundled as code that adds a `<style>`
 * element, so the page is JavaScript files only (the package ships nothing else).
 */
const cssAsStyleElement = {
  name: "css-as-style-element",
  // deno-lint-ignore no-explicit-any
  setup(build: any) {
    build.onResolve({ filter: /\.css$/ }, async (args: any) => {
      // The wrapper's own import, and the lookup just below: plain resolution, loaded as text.
      if (args.namespace === "css-style" || args.pluginData?.plain) return undefined;
      const resolved = await build.resolve(args.path, {
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: { plain: true },
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, namespace: "css-style" };
    });
    build.onLoad({ filter: /.*/, namespace: "css-style" }, (args: any) => ({
      contents: `import css from ${JSON.stringify(args.path)};\n` +
        `const style = document.createElement("style");\nstyle.textContent = css;\ndocument.head.append(style);\n`,
      resolveDir: args.path.slice(0, args.path.lastIndexOf("/")),
      loader: "js",
    }));
  },
};

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
    plugins: [npmSpecifiers, cssAsStyleElement],
    loader: { ".css": "text" },
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
