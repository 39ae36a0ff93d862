// The CLI under plain Node, built the way the npm package builds it (tsup's cli entry: one ESM
// file for Node 20 with the package's dependencies left external), and checked against the same
// behaviours as under Deno.
import assert from "node:assert/strict";
import { fixture, ROOT } from "../_support.ts";
import { bundleForNode } from "../_bundle.ts";

const decoder = new TextDecoder();

Deno.test("airbyte-ts runs under Node: --version, a mistyped flag, a failed check, a missing config file", async () => {
  // Inside node_modules so that Node resolves the external dependencies (commander, zod, …).
  await Deno.mkdir(`${ROOT}/node_modules/.cache`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${ROOT}/node_modules/.cache`, prefix: "airbyte-ts-cli-" });
  try {
    const bundle = `${dir}/cli.mjs`;
    await bundleForNode(`${ROOT}/src/cli/main.ts`, bundle, { target: "node20", packages: "external" });
    const node = async (...args: string[]) => {
      const out = await new Deno.Command("node", { args: [bundle, ...args], env: { CI: "true" } }).output();
      return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
    };
    const { version } = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
    const v = await node("--version");
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout, `${version}\n`);
    const typo = await node(
      "read",
      "source-counter",
      "--executable",
      fixture("source_counter.py"),
      "--confg",
      "c.json",
    );
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown option '--confg'\n\(Did you mean --config\?\)/);
    const config = `${dir}/c.json`;
    await Deno.writeTextFile(config, JSON.stringify({ api_key: "k-123456", fail_check: true }));
    const check = await node(
      "check",
      "source-trace-error",
      "--executable",
      fixture("source_trace_error.py"),
      "--config",
      config,
    );
    assert.equal(check.code, 1, check.stderr);
    assert.deepEqual(JSON.parse(check.stdout), {
      status: "FAILED",
      message: "Invalid API key for account 42",
    });
    const missing = await node(
      "discover",
      "source-counter",
      "--executable",
      fixture("source_counter.py"),
      "--config",
      `${dir}/nope.json`,
    );
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      `airbyte-ts: Cannot read the --config file '${dir}/nope.json': no such file.\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
