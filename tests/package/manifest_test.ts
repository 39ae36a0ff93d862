// package.json (npm) and deno.json (Deno, JSR) describe one package: same dependencies at the same
// versions, library code that names each npm package as `npm:<name>@<version package.json pins>`
// (so it resolves with no import map: JSR, or a file URL from another project), and a JSR publish
// list that holds what the module loads by URL rather than by import.
import assert from "node:assert/strict";
import ts from "typescript";
import { ROOT } from "../_support.ts";

const packageJson = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));

/** The package name of a bare specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Every `.ts` file under a directory, as repository paths. */
async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await tsFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/**
 * A file's bare module specifiers (static, dynamic, side-effect and type imports, re-exports;
 * `node:`, `npm:` and `jsr:` ones aside) and every `npm:` string it holds (imported, or kept for a
 * dynamic import), in its code and in the code blocks of its comments (JSDoc examples). Parsed
 * with the TypeScript compiler, so prose in comments never counts.
 */
function specifiersOf(text: string): { bare: string[]; npm: string[] } {
  const bare = new Set<string>(), npm = new Set<string>();
  const visit = (node: ts.Node): void => {
    let specifier: ts.Node | undefined;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      specifier = node.moduleSpecifier;
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      specifier = node.arguments[0];
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      specifier = node.argument.literal;
    }
    if (specifier && ts.isStringLiteral(specifier) && !/^(\.|\/|[a-z]+:)/.test(specifier.text)) {
      bare.add(specifier.text);
    }
    if (
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && node.text.startsWith("npm:")
    ) {
      npm.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  const parse = (code: string) => visit(ts.createSourceFile("x.ts", code, ts.ScriptTarget.Latest, true));
  parse(text);
  for (const block of text.matchAll(/```(?:ts|typescript)\b[^\n]*\n([\s\S]*?)```/g)) {
    parse(block[1].replace(/^[ \t]*\* ?/gm, ""));
  }
  return { bare: [...bare], npm: [...npm] };
}

/** What is wrong with an `npm:` specifier of library code, or undefined when it is right. */
function npmSpecifierProblem(specifier: string, dependencies: Record<string, string>): string | undefined {
  const match = /^npm:((?:@[^/@]+\/)?[^/@]+)@([^/]+)(\/.+)?$/.exec(specifier);
  if (!match) return "is not npm:<name>@<version>[/<subpath>]";
  const [, name, version] = match;
  if (!(name in dependencies)) return `names ${name}, which package.json "dependencies" lacks`;
  if (version !== dependencies[name]) return `pins ${version}, package.json pins ${dependencies[name]}`;
  return undefined;
}

/** Library code: mod.ts, src/ and wasm/, but the preview page (bundled by esbuild only). */
async function libraryFiles(): Promise<string[]> {
  return ["mod.ts", ...await tsFiles("src"), ...await tsFiles("wasm")]
    .filter((path) => !path.startsWith("src/preview/page/"));
}

Deno.test("deno.json imports every runtime dependency at the version package.json pins", () => {
  const imports: Record<string, string> = denoJson.imports ?? {};
  for (const [name, version] of Object.entries(packageJson.dependencies as Record<string, string>)) {
    assert.equal(imports[name], `npm:${name}@${version}`, `deno.json "imports" must map "${name}"`);
    const subpaths = imports[`${name}/`];
    if (subpaths !== undefined) assert.equal(subpaths, `npm:/${name}@${version}/`);
  }
  for (const [key, target] of Object.entries(imports)) {
    const name = packageOf(key.replace(/\/$/, ""));
    assert.ok(
      name in packageJson.dependencies,
      `deno.json maps "${key}" → "${target}", which package.json does not depend on`,
    );
  }
});

Deno.test("npmSpecifierProblem accepts the pinned version of a dependency only", () => {
  const dependencies = { "apache-arrow": "17.0.0", "@duckdb/duckdb-wasm": "1.32.0" };
  assert.equal(npmSpecifierProblem("npm:apache-arrow@17.0.0", dependencies), undefined);
  assert.equal(npmSpecifierProblem("npm:@duckdb/duckdb-wasm@1.32.0/dist/x.cjs", dependencies), undefined);
  assert.match(npmSpecifierProblem("npm:apache-arrow@18.0.0", dependencies)!, /pins 18\.0\.0/);
  assert.match(npmSpecifierProblem("npm:apache-arrow", dependencies)!, /is not/);
  assert.match(npmSpecifierProblem("npm:zod@4.6.7", dependencies)!, /lacks/);
  const text = [
    'import { a } from "zod";',
    'const m = ["pg", "npm:pg@8.23.1"]; // import("nanotar") in a comment',
    "/**",
    " * ```ts",
    ' * import * as arrow from "apache-arrow";',
    " * ```",
    " */",
  ].join("\n");
  assert.deepEqual(specifiersOf(text), { bare: ["zod", "apache-arrow"], npm: ["npm:pg@8.23.1"] });
});

Deno.test("library code names each npm package as npm:<name>@<the version package.json pins>, never bare", async () => {
  const dependencies: Record<string, string> = packageJson.dependencies;
  const problems: string[] = [];
  let named = 0;
  for (const path of await libraryFiles()) {
    const { bare, npm } = specifiersOf(await Deno.readTextFile(`${ROOT}/${path}`));
    for (const specifier of bare) problems.push(`${path}: "${specifier}" is bare`);
    for (const specifier of npm) {
      named++;
      const problem = npmSpecifierProblem(specifier, dependencies);
      if (problem) problems.push(`${path}: "${specifier}" ${problem}`);
    }
  }
  assert.ok(named > 0, "no npm: specifier found in library code");
  assert.deepEqual(
    problems,
    [],
    'Write each as "npm:<name>@<version from package.json dependencies>[/<subpath>]": Deno applies no import ' +
      "map to a module imported from outside this project",
  );
});

Deno.test("deno.json and package.json agree on name, version and license, and JSR publishes what runs", () => {
  assert.equal(denoJson.version, packageJson.version);
  assert.equal(denoJson.license, packageJson.license);
  assert.match(denoJson.name, new RegExp(`^@[a-z0-9-]+/${packageJson.name}$`));
  const include: string[] = denoJson.publish.include;
  // The worker script is started by URL (wasm/load_worker.ts), so no import pulls it in.
  assert.ok(include.includes("wasm/*.ts"), "wasm/engine_worker.ts must be published");
  for (const file of ["mod.ts", "README.md", "LICENSE"]) assert.ok(include.includes(file), file);
});

Deno.test("package.json serves import and require, declares engines and repository, and ships dist/ and the README's picture only", () => {
  assert.deepEqual(packageJson.exports["."], {
    types: "./dist/mod.d.ts",
    "module-sync": "./dist/mod.js",
    import: "./dist/mod.js",
    require: "./dist/mod.cjs",
  });
  assert.equal(packageJson.engines.node, "^20.19.0 || >=22.12.0");
  assert.match(packageJson.repository.url, /^git\+https:\/\//);
  assert.deepEqual(packageJson.files, ["dist/", "docs/preview.png"]);
  assert.equal(packageJson.scripts.prepack, "npm run build");
});
