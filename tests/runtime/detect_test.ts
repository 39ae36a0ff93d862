import assert from "node:assert/strict";
import { RuntimeCapabilityError } from "../../src/errors.ts";
import { browserRuntime } from "../../src/runtime/browser.ts";
import { denoRuntime } from "../../src/runtime/deno.ts";
import { detectRuntimeKey, getRuntime, setRuntime } from "../../src/runtime/detect.ts";

Deno.test("detectRuntimeKey says deno under Deno", () => {
  assert.equal(detectRuntimeKey(), "deno");
});

Deno.test("getRuntime loads the Deno adapter once and caches it", async () => {
  const [a, b] = await Promise.all([getRuntime(), getRuntime()]);
  assert.equal(a, denoRuntime);
  assert.equal(b, denoRuntime);
});

Deno.test("setRuntime replaces the adapter getRuntime returns", async () => {
  try {
    setRuntime(browserRuntime);
    assert.equal(await getRuntime(), browserRuntime);
  } finally {
    setRuntime(denoRuntime);
  }
  assert.equal(await getRuntime(), denoRuntime);
});

// The browser adapter's calls need no browser to check; real-browser runs live in browser tests.
Deno.test("browserRuntime refuses processes and files, naming RemoteExecutor and InProcessExecutor", async () => {
  assert.throws(() => browserRuntime.spawn("source-faker", ["spec"]), (e: RuntimeCapabilityError) => {
    assert.ok(e instanceof RuntimeCapabilityError);
    assert.equal(e.code, "RUNTIME_UNSUPPORTED");
    assert.match(e.message, /Cannot start a process \('source-faker'\) in a browser\./);
    assert.match(e.message, /RemoteExecutor/);
    assert.match(e.message, /InProcessExecutor/);
    return true;
  });
  for (
    const call of [
      () => browserRuntime.run("x", []),
      () => browserRuntime.readTextFile("/a"),
      () => browserRuntime.writeTextFile("/a", ""),
      () => browserRuntime.makeTempDir("p"),
      () => browserRuntime.remove("/a"),
    ]
  ) {
    await assert.rejects(call(), (e: RuntimeCapabilityError) => e.code === "RUNTIME_UNSUPPORTED");
  }
  assert.equal(browserRuntime.env("HOME"), undefined);
  assert.equal(browserRuntime.stderrIsTerminal(), false);
});
