/**
 * An esbuild plugin for the library's `npm:<name>@<version>[/<subpath>]` imports (Deno's way to
 * name an npm package with no import map). esbuild has no `npm:` scheme: each becomes the bare
 * `<name>[/<subpath>]` and is resolved as such, so `external`, `--packages=external` and
 * node_modules lookup treat it as they would the bare import. The page build needs it at server
 * start (the page bundles the library), so it lives in src/; tsup.config.ts and the tests' bundles
 * use it too.
 *
 * @module
 */

/**
 * `npm:name@version/sub` → `name/sub`, or undefined when `specifier` is not an `npm:` one.
 *
 * @example
 * ```ts
 * import { bareNpmName } from "./_npm_specifiers.ts";
 * const bare = bareNpmName("npm:@duckdb/duckdb-wasm@1.32.0/dist/duckdb-node-blocking.cjs");
 * if (bare !== "@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs") throw new Error(bare);
 * if (bareNpmName("npm:hono@4.13.19") !== "hono" || bareNpmName("hono") !== undefined) throw new Error();
 * ```
 */
export function bareNpmName(specifier: string): string | undefined {
  const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(specifier);
  return match ? match[1] + (match[2] ?? "") : undefined;
}

/**
 * The plugin (typed loosely: esbuild is a dev dependency and its types are not imported here).
 *
 * @example
 * ```ts
 * import { npmSpecifiers } from "./_npm_specifiers.ts";
 * // esbuild.build(options), with esbuild from the project's node_modules:
 * const options = { entryPoints: ["mod.ts"], bundle: true, plugins: [npmSpecifiers] };
 * ```
 */
export const npmSpecifiers = {
  name: "npm-specifiers",
  setup(build: any) {
    build.onResolve({ filter: /^npm:/ }, (args: any) => {
      const bare = bareNpmName(args.path);
      if (bare === undefined) return { errors: [{ text: `Cannot read the npm specifier "${args.path}"` }] };
      return build.resolve(bare, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
      });
    });
  },
};
