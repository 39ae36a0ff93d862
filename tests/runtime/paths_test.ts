import assert from "node:assert/strict";
import { denoRuntime } from "../../src/runtime/deno.ts";
import { airbyteHome, logsDir, venvDir } from "../../src/runtime/paths.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";

/** The Deno runtime with a fixed environment (a test double for the environment only). */
function withEnv(env: Record<string, string>): Runtime {
  return { ...denoRuntime, env: (name) => env[name], homeDir: () => "/home/u" };
}

Deno.test("airbyteHome prefers AIRBYTE_TS_HOME, then XDG_CACHE_HOME, then ~/.cache", () => {
  assert.equal(airbyteHome(withEnv({ AIRBYTE_TS_HOME: "/x/home", XDG_CACHE_HOME: "/xdg" })), "/x/home");
  assert.equal(airbyteHome(withEnv({ XDG_CACHE_HOME: "/xdg" })), "/xdg/airbyte-ts");
  assert.equal(airbyteHome(withEnv({})), "/home/u/.cache/airbyte-ts");
});

Deno.test("venvDir and logsDir live under the home", () => {
  const rt = withEnv({ AIRBYTE_TS_HOME: "/h" });
  assert.equal(venvDir(rt, "source-faker"), "/h/venvs/source-faker");
  assert.equal(logsDir(rt), "/h/logs");
});
