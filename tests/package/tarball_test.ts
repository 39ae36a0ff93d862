// The npm package as users get it: `npm pack`, then installed into fresh projects the way each
// ecosystem starts one (an ES module project, `npm init -y`'s CommonJS project, `deno init`), each
// type-checking with tsc or Deno and reading real airbyte-source-faker through the package.
import assert from "node:assert/strict";
import {
  DENO,
  FAKER_OUTPUT,
  fakerProgram,
  lastJsonLine,
  npmInstall,
  packedFiles,
  packTarball,
  projectDir,
  ROOT,
  run,
  runOk,
  tsc,
  writeTsconfig,
} from "./_consumer.ts";

Deno.test("the tarball ships only what runs: built JavaScript, its declarations, README, LICENSE, the README's picture", async () => {
  const files = await packedFiles();
  const outside = files.filter((f) => !f.startsWith("dist/"));
  assert.deepEqual(outside, ["LICENSE", "README.md", "docs/preview.png", "package.json"]);
  const dist = files.filter((f) => f.startsWith("dist/"));
  assert.deepEqual(dist.filter((f) => !/\.(js|cjs|d\.ts)$/.test(f)), [], "only JavaScript and declarations");
  assert.deepEqual(dist.filter((f) => f.endsWith(".d.ts")), ["dist/mod.d.ts"]);
  for (const entry of ["dist/mod.js", "dist/mod.cjs", "dist/cli.js", "dist/engine_worker.js"]) {
    assert.ok(files.includes(entry), `${entry} is missing`);
  }
  const tarball = await packTarball();
  const { size } = await Deno.stat(tarball);
  // The preview page's bundle (about 280 kB) and the README's picture (180 kB) are most of it.
  assert.ok(size < 700_000, `the tarball is ${size} bytes`);
});

Deno.test("an ES module project type-checks the package with tsc (nodenext and bundler, skipLibCheck on and off) and reads faker", async () => {
  const tarball = await packTarball();
  await using project = await projectDir("esm");
  const dir = project.path;
  await runOk("npm", ["init", "-y"], { cwd: dir });
  await runOk("npm", ["pkg", "set", "type=module"], { cwd: dir });
  await npmInstall(dir, tarball);
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    fakerProgram(`import { DuckDBCache, getSource, type JsonRow, toJsonRows } from "airbyte-ts";`),
  );

  const withDom = ["es2022", "dom"];
  const nodenext = { module: "nodenext", moduleResolution: "nodenext" };
  const bundler = { module: "esnext", moduleResolution: "bundler", noEmit: true };
  await writeTsconfig(
    dir,
    "tsconfig.json",
    { ...nodenext, lib: withDom, skipLibCheck: false, outDir: "out" },
    [
      "main.ts",
    ],
  );
  await writeTsconfig(dir, "nodenext-skip.json", { ...nodenext, skipLibCheck: true, noEmit: true }, [
    "main.ts",
  ]);
  await writeTsconfig(dir, "bundler.json", { ...bundler, lib: withDom, skipLibCheck: false }, ["main.ts"]);
  await writeTsconfig(dir, "bundler-skip.json", { ...bundler, skipLibCheck: true }, ["main.ts"]);
  // Without the DOM lib, apache-arrow's own declarations miss two web-stream types (the README
  // says to add "DOM" with skipLibCheck off). Everything else, ours included, checks.
  await writeTsconfig(
    dir,
    "no-dom.json",
    { ...nodenext, lib: ["es2022"], skipLibCheck: false, noEmit: true },
    [
      "main.ts",
    ],
  );
  const configs = ["tsconfig.json", "nodenext-skip.json", "bundler.json", "bundler-skip.json", "no-dom.json"];
  const results = await Promise.all(configs.map((config) => tsc(dir, config)));
  for (const [i, checked] of results.slice(0, 4).entries()) {
    assert.equal(checked.code, 0, `tsc -p ${configs[i]}:\n${checked.stdout}${checked.stderr}`);
  }
  const noDom = results[4];
  const errorFiles = [...noDom.stdout.matchAll(/^(\S+?)\(\d+,\d+\): error/gm)].map((m) => m[1]);
  assert.ok(
    errorFiles.length > 0,
    "apache-arrow's declarations check without DOM now: drop the README's note",
  );
  assert.deepEqual(errorFiles.filter((f) => !f.startsWith("node_modules/apache-arrow/")), [], noDom.stdout);

  const ran = await runOk("node", ["out/main.js"], { cwd: dir });
  assert.deepEqual(lastJsonLine(ran.stdout), FAKER_OUTPUT);
});

Deno.test("a CommonJS project (npm init -y) requires the package: tsc nodenext emits require(), node reads faker", async () => {
  const tarball = await packTarball();
  await using project = await projectDir("cjs");
  const dir = project.path;
  await runOk("npm", ["init", "-y"], { cwd: dir });
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/package.json`));
  assert.equal(manifest.type, "commonjs", "npm init -y makes a CommonJS project");
  await npmInstall(dir, tarball);
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    fakerProgram(`import { DuckDBCache, getSource, toJsonRows } from "airbyte-ts";`, {
      topLevelAwait: false,
      validate: false,
    }),
  );
  await writeTsconfig(dir, "tsconfig.json", {
    module: "nodenext",
    moduleResolution: "nodenext",
    lib: ["es2022", "dom"],
    skipLibCheck: false,
    outDir: "out",
  }, ["main.ts"]);
  const checked = await tsc(dir, "tsconfig.json");
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  assert.match(await Deno.readTextFile(`${dir}/out/main.js`), /require\("airbyte-ts"\)/);

  const ran = await runOk("node", ["out/main.js"], { cwd: dir });
  assert.deepEqual(lastJsonLine(ran.stdout), FAKER_OUTPUT);

  // require() and import() give the very same module: one DuckDB engine per file, one runtime.
  const same = await runOk("node", [
    "-e",
    `import("airbyte-ts").then((m) => console.log(m.getSource === require("airbyte-ts").getSource))`,
  ], { cwd: dir });
  assert.equal(same.stdout.trim(), "true");

  // A Node.js that cannot require() ES modules gets the package's message, not ERR_REQUIRE_ESM.
  const off = await run("node", ["--no-experimental-require-module", "-e", `require("airbyte-ts")`], {
    cwd: dir,
  });
  assert.notEqual(off.code, 0);
  assert.match(off.stderr, /Cannot require\('airbyte-ts'\)/);
  assert.match(off.stderr, /await import\("airbyte-ts"\)/);
  assert.doesNotMatch(off.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);

  // The bin runs from the installed package, importing the library next to it.
  const version = await runOk("npx", ["--no-install", "airbyte-ts", "--version"], { cwd: dir });
  const { version: expected } = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
  assert.equal(version.stdout.trim(), expected);
});

Deno.test("a Deno project (deno init) installs the tarball with npm, type-checks with Deno's default lib and reads faker", async () => {
  const tarball = await packTarball();
  await using project = await projectDir("deno");
  const dir = project.path;
  await runOk(DENO, ["init"], { cwd: dir });
  await npmInstall(dir, tarball);
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    fakerProgram(`import { DuckDBCache, getSource, toJsonRows } from "airbyte-ts";`, { validate: false }),
  );
  await runOk(DENO, ["check", "main.ts"], { cwd: dir });
  const ran = await runOk(DENO, ["run", "-A", "main.ts"], { cwd: dir });
  assert.deepEqual(lastJsonLine(ran.stdout), FAKER_OUTPUT);
});
