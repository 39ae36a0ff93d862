// README.md is read in three places: the repository, npm's package page and JSR's. npm shows it
// without the repository around it and JSR with only the published files, so links and examples
// may point only at what exists in all three; and its TypeScript examples must type-check against
// the package as users import it.
import assert from "node:assert/strict";
import { ROOT, tempDir } from "../_support.ts";

const readme = await Deno.readTextFile(`${ROOT}/README.md`);
const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
const packageJson = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));

/** Files both the npm tarball and the JSR package ship next to the README. */
const SHIPPED_EVERYWHERE = ["LICENSE", "README.md", "docs/preview.png"];

Deno.test("the files the README links are shipped by npm (package.json files) and JSR (deno.json publish)", () => {
  for (const file of SHIPPED_EVERYWHERE.filter((f) => f.includes("/"))) {
    assert.ok(packageJson.files.includes(file), `${file} in package.json files`);
    assert.ok(denoJson.publish.include.includes(file), `${file} in deno.json publish.include`);
  }
});

/** The fenced code blocks of a language, in order. */
function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp("^```" + language + "\\n([\\s\\S]*?)^```", "gm"))].map((m) => m[1]);
}

Deno.test("README links resolve on npm, on JSR and in the repository: web addresses or files all three ship", () => {
  const withoutCode = readme.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  const targets = [
    ...[...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]),
    ...[...withoutCode.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
    ...[...withoutCode.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)].map((m) => m[1]),
  ];
  const broken = targets.filter((target) =>
    !/^https:\/\//.test(target) && !target.startsWith("#") && !SHIPPED_EVERYWHERE.includes(target)
  );
  assert.deepEqual(broken, [], "use an https:// address, or link only files every package ships");
});

Deno.test("README examples use the package's name, not paths into the repository", () => {
  for (
    const [pattern, why] of [
      [/from "\.\/mod\.ts"/, 'import from "airbyte-ts" (npm readers have no mod.ts)'],
      [/\.\.\/shared\//, "../shared is outside the repository"],
      [/\.\/tests\/fixtures/, "tests/fixtures is in neither package"],
    ] as const
  ) {
    assert.doesNotMatch(readme, pattern, why);
  }
  const imports = [...readme.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
  assert.ok(imports.length > 0);
  assert.deepEqual(
    imports.filter((s) => s !== packageJson.name),
    [],
    `examples import "${packageJson.name}"`,
  );
  assert.match(readme, new RegExp(`jsr:${denoJson.name.replace("/", "\\/")}`), "the JSR name is given");
});

Deno.test("README TypeScript examples type-check against mod.ts imported as the package", async () => {
  const blocks = codeBlocks("ts");
  assert.ok(blocks.length > 0);
  await using dir = await tempDir("airbyte-ts-readme-");
  // The repository's import map plus the package's own name, so the examples read as users write them.
  const config = {
    ...denoJson,
    imports: { ...denoJson.imports, [packageJson.name]: `${ROOT}/mod.ts` },
    nodeModulesDir: "manual",
  };
  delete config.publish;
  delete config.exclude;
  await Deno.writeTextFile(`${dir.path}/deno.json`, JSON.stringify(config));
  // node_modules is found next to deno.json in manual mode.
  await Deno.symlink(`${ROOT}/node_modules`, `${dir.path}/node_modules`);
  await Deno.copyFile(`${ROOT}/package.json`, `${dir.path}/package.json`);
  // A fragment that continues the example before it (no import of its own) gets every value the
  // package exports, and the `env` a Worker's handler receives.
  const names = Object.keys(await import("../../mod.ts")).join(", ");
  const prelude =
    `import { ${names} } from "${packageJson.name}";\ndeclare const env: Record<string, string>;\n`;
  const files: string[] = [];
  for (const [i, block] of blocks.entries()) {
    const file = `${dir.path}/example_${i + 1}.ts`;
    const complete = block.includes(`from "${packageJson.name}"`);
    await Deno.writeTextFile(file, `${complete ? "" : prelude}${block}\nexport {};\n`);
    files.push(file);
  }
  const out = await new Deno.Command(`${ROOT}/node_modules/.bin/deno`, {
    args: ["check", "--config", `${dir.path}/deno.json`, ...files],
    cwd: dir.path,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
});
