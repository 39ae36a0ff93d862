import assert from "node:assert/strict";
import { denoRuntime } from "../../src/runtime/deno.ts";
import { runtimeCases, waitForGroupGone } from "./_runtime_cases.ts";

const fixtures = new URL("../fixtures/executors", import.meta.url).pathname;

for (const c of runtimeCases) {
  Deno.test(`denoRuntime ${c.name}`, () => c.run(denoRuntime, fixtures));
}

/** Run `code` in a child Deno with only the given permission flags; returns its stdout. */
async function denoWith(flags: string[], code: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/probe.ts`;
    const adapter = new URL("../../src/runtime/deno.ts", import.meta.url).href;
    await Deno.writeTextFile(script, `import { denoRuntime as rt } from "${adapter}";\n${code}`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-config", ...flags, script],
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout).trim();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("denoRuntime ends running process groups when the program calls Deno.exit", async () => {
  const script = new URL("../fixtures/executors/spawn_tree.sh", import.meta.url).pathname;
  const out = await denoWith(
    ["--allow-run"],
    `
const child = rt.spawn("sh", ["${script}", "quiet"]);
const { value } = await child.stdout.getReader().read();
console.log(new TextDecoder().decode(value).trim().slice(6));
Deno.exit(0);`,
  );
  const group = Number(out);
  assert.equal(group > 0, true);
  assert.deepEqual(await waitForGroupGone(denoRuntime, group), []);
});

const reportError = (call: string) => `
try { ${call}; console.log("no error"); }
catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;

Deno.test("denoRuntime names --allow-run when spawning is not permitted", async () => {
  const out = JSON.parse(await denoWith([], reportError('rt.spawn("true", [])')));
  assert.equal(out.code, "PERMISSION_DENIED");
  assert.match(out.message, /Cannot run 'true': Deno was not given '--allow-run'\./);
  assert.match(out.message, /deno run --allow-run/);
});

Deno.test("denoRuntime names --allow-read, --allow-write and --allow-env when those are missing", async () => {
  const read = JSON.parse(await denoWith([], reportError('await rt.readTextFile("/etc/hostname")')));
  assert.equal(read.code, "PERMISSION_DENIED");
  assert.match(read.message, /--allow-read/);
  const write = JSON.parse(await denoWith(["--allow-read"], reportError('await rt.makeTempDir("x-")')));
  assert.match(write.message, /--allow-write/);
  const env = JSON.parse(await denoWith([], reportError('rt.env("HOME")')));
  assert.match(env.message, /Cannot read environment variable 'HOME': Deno was not given '--allow-env'/);
});
