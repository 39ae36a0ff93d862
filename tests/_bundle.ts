// esbuild for the tests' Node and browser bundles. The library imports npm packages as `npm:name@version`,
// which esbuild reads only through the plugin in src/preview/_npm_specifiers.ts: the API, not the
// CLI (which takes no plugins).
import * as esbuild from "esbuild";
import { npmSpecifiers } from "../src/preview/_npm_specifiers.ts";

/** Bundle `entry` into `outfile` as Node ESM; `options` adds to or overrides the defaults. */
export async function bundleForNode(
  entry: string,
  outfile: string,
  options: esbuild.BuildOptions = {},
): Promise<void> {
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      logLevel: "warning",
      ...options,
      plugins: [npmSpecifiers, ...options.plugins ?? []],
    });
  } finally {
    await esbuild.stop();
  }
}

/**
 * Bundle a page's script(s) into `outdir` as browser ESM chunks. The Node runtime adapter and
 * DuckDB-WASM's Node loader sit behind a runtime check and never run in a page, but a bundler still
 * follows their imports: they stay external (a user's bundler needs the same two entries).
 */
export async function bundleForBrowser(
  entryPoints: esbuild.BuildOptions["entryPoints"],
  outdir: string,
  options: esbuild.BuildOptions = {},
): Promise<void> {
  try {
    await esbuild.build({
      entryPoints,
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      external: ["node:*", "@duckdb/duckdb-wasm/dist/duckdb-node*"],
      logLevel: "warning",
      ...options,
      plugins: [npmSpecifiers, ...options.plugins ?? []],
    });
  } finally {
    await esbuild.stop();
  }
}
