// esbuild for the tests' Node bundles. The library imports npm packages as `npm:name@version`,
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
