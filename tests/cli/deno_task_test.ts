// `deno task` after `npm ci` / `npm install` on a fresh checkout, as the README tells users to run
// it. npm puts the `deno` package's native binary at node_modules/.bin/deno, and `deno task` runs
// every node_modules/.bin command as JavaScript, so tasks must not call Deno by the bare name `deno`.
import assert from "node:assert/strict";
import { ROOT, tempDir } from "../_support.ts";

const decoder = new TextDecoder();

async function run(cwd: string, command: string, args: string[]) {
  const out = await new Deno.Command(command, { args, cwd, env: { CI: "true", NO_COLOR: "1" } }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** A fresh checkout of the working tree: every file git tracks or would track, and no node_modules. */
async function freshCheckout(dir: string): Promise<void> {
  const listed = await run(ROOT, "git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  assert.equal(listed.code, 0, listed.stderr);
  for (const file of new Set(listed.stdout.split("\0").filter(Boolean))) {
    const source = `${ROOT}/${file}`;
    const info = await Deno.lstat(source).catch(() => undefined);
    if (!info?.isFile) continue; // deleted in the working tree, or a submodule/symlink
    const target = `${dir}/${file}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(source, target);
  }
  assert.ok(!(await Deno.lstat(`${dir}/node_modules`).catch(() => undefined)), "no node_modules yet");
}

async function assertTasksWork(dir: string, after: string): Promise<void> {
  // `npx deno` is how the README's users get Deno: it runs node_modules/.bin/deno.
  const help = await run(dir, "npx", ["--no-install", "deno", "task", "cli", "--help"]);
  assert.equal(help.code, 0, `deno task cli --help after ${after}:\n${help.stderr}`);
  assert.match(help.stdout, /^Usage: airbyte-ts \[options\] \[command\]/m);
  assert.doesNotMatch(help.stderr, /SyntaxError|Invalid or unexpected token/);
  const version = await run(dir, "npx", ["--no-install", "deno", "task", "cli", "--version"]);
  assert.equal(version.code, 0, version.stderr);
  const { version: expected } = JSON.parse(await Deno.readTextFile(`${dir}/package.json`));
  assert.equal(version.stdout.trim(), expected);
}

Deno.test("deno task cli --help works in a fresh checkout after npm ci, and after npm install", async () => {
  await using dir = await tempDir("airbyte-ts-checkout-");
  await freshCheckout(dir.path);
  const npmFlags = ["--prefer-offline", "--no-audit", "--no-fund"];
  const ci = await run(dir.path, "npm", ["ci", ...npmFlags]);
  assert.equal(ci.code, 0, `npm ci failed:\n${ci.stdout}\n${ci.stderr}`);
  await assertTasksWork(dir.path, "npm ci");
  await Deno.remove(`${dir.path}/node_modules`, { recursive: true });
  const install = await run(dir.path, "npm", ["install", ...npmFlags]);
  assert.equal(install.code, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);
  await assertTasksWork(dir.path, "npm install");
});

Deno.test("no deno.json task or package.json script calls Deno by the bare name `deno`", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const packageJson = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
  const commands: [string, string][] = [
    ...Object.entries(denoJson.tasks as Record<string, string | { command: string }>).map(
      (
        [name, task],
      ): [string, string] => [`deno.json ${name}`, typeof task === "string" ? task : task.command],
    ),
    ...Object.entries(packageJson.scripts as Record<string, string>).map(
      ([name, script]): [string, string] => [`package.json ${name}`, script],
    ),
  ];
  for (const [where, command] of commands) {
    // Every command position: the start, and after &&, ||, ;, |.
    assert.doesNotMatch(command, /(^|&&|\|\||;|\|)\s*deno\s/, `${where}: "${command}"`);
  }
});
