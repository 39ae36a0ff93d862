// The CLI's config files: a syntax error names its place, never the text there (a secret).
import assert from "node:assert/strict";
import { jsonSyntaxErrorPlace } from "../../../src/cli/options/json_syntax.ts";
import { fixture, ROOT, tempDir } from "../../_support.ts";

Deno.test("jsonSyntaxErrorPlace names the line and column of a config's syntax error and none of its text", () => {
  const cases: [string, string][] = [
    ['{\n  "api_key": sk-live-SECRET-42,\n  "n": 1\n}', "line 2, column 14"],
    ['{"api_key": "sk-live-SECRET-42"', "line 1, column 32"],
    ['{"api_key": "sk-live-SECRET-42",}', "line 1, column 33"],
  ];
  for (const [text, place] of cases) {
    const shown = jsonSyntaxErrorPlace(text);
    assert.equal(shown, `syntax error at ${place}`);
    assert.ok(!shown.includes("SECRET"));
  }
});

Deno.test("airbyte-ts exits 2 on a config that is not JSON and shows no part of it", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/c.json`, '{"api_key": sk-live-SECRET-42}');
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}/src/cli/main.ts`,
      "check",
      "source-trace-error",
      "--executable",
      fixture("source_trace_error.py"),
      "--config",
      `${dir.path}/c.json`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2, stderr);
  assert.match(stderr, /line 1, column 13/);
  assert.ok(!stderr.includes("SECRET") && !stderr.includes("sk-live"), stderr);
});
