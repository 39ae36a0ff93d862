// package.json (npm) and deno.json (Deno, JSR) describe one package: same dependencies at the same
// versions, every bare import of the published files resolvable from deno.json alone, and a JSR
// publish list that holds what the module loads by URL rather than by import.
import assert from "node:assert/strict";
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

/** Bare module specifiers a file imports (static, dynamic, re-exports), `node:` built-ins aside. */
async function bareImports(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${ROOT}/${path}`);
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*"([^"./][^"]*)"/g)) {
    if (!m[1].startsWith("node:") && !m[1].includes(":")) found.add(m[1]);
  }
  return [...found];
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

Deno.test("every bare import of the files JSR publishes resolves through deno.json's imports", async () => {
  const imports: Record<string, string> = denoJson.imports ?? {};
  const published = ["mod.ts", ...await tsFiles("src"), ...await tsFiles("wasm")].filter((path) =>
    !(denoJson.publish.exclude as string[]).some((excluded) => path.startsWith(excluded))
  );
  const unmapped: string[] = [];
  for (const path of published) {
    for (const specifier of await bareImports(path)) {
      const mapped = specifier in imports ||
        Object.keys(imports).some((key) => key.endsWith("/") && specifier.startsWith(key));
      if (!mapped) unmapped.push(`${path}: "${specifier}"`);
    }
  }
  assert.deepEqual(
    unmapped,
    [],
    'Add each to deno.json "imports" as "npm:<name>@<version from package.json>" (and "<name>/" for subpaths)',
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
