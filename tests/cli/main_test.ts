// The airbyte-ts command line, run as a real process against fixture connectors.
import assert from "node:assert/strict";
import { fixture, ROOT, tempDir } from "../_support.ts";

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}/deno.json`, `${ROOT}/src/cli/main.ts`, ...args],
    env: { CI: "true" },
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("airbyte-ts spec prints the connector's spec as JSON and exits 0", async () => {
  const r = await cli(["spec", "source-counter", "--executable", fixture("source_counter.py")]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).connectionSpecification.properties.count);
});

Deno.test("airbyte-ts check exits 1 with the connector's message when the check fails", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/c.json`, JSON.stringify({ api_key: "k-123456", fail_check: true }));
  const r = await cli([
    "check",
    "source-trace-error",
    "--executable",
    fixture("source_trace_error.py"),
    "--config",
    `${dir.path}/c.json`,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Invalid API key for account 42/);
  assert.ok(!r.stderr.includes("k-123456"), "the secret is masked");
});

Deno.test("airbyte-ts exits 2 on an invalid config and on an unknown command", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/c.json`, JSON.stringify({ count: "many" }));
  const bad = await cli([
    "discover",
    "source-counter",
    "--executable",
    fixture("source_counter.py"),
    "--config",
    `${dir.path}/c.json`,
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /\$\.count/);
  const unknown = await cli(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown command 'frobnicate'/);
});

Deno.test("airbyte-ts read prints a summary table per stream", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/c.json`, JSON.stringify({ count: 42, second_stream: true }));
  const r = await cli([
    "read",
    "source-counter",
    "--executable",
    fixture("source_counter.py"),
    "--config",
    `${dir.path}/c.json`,
    "--cache",
    `${dir.path}/cli.duckdb`,
    "--progress",
    "plain",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /numbers\s+42\s+42/);
  assert.match(r.stdout, /letters\s+42\s+42/);
  assert.match(r.stdout, /TOTAL\s+84\s+84/);
  assert.match(r.stderr, /\[read source-counter\]/, "plain progress lines on stderr");
});

Deno.test("airbyte-ts sync delivers a source to a destination and prints the counts", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/s.json`, JSON.stringify({ count: 12 }));
  await Deno.writeTextFile(`${dir.path}/d.json`, JSON.stringify({ path: `${dir.path}/out` }));
  const r = await cli([
    "sync",
    "source-counter",
    "destination-jsonl",
    "--source-executable",
    fixture("source_counter.py"),
    "--source-config",
    `${dir.path}/s.json`,
    "--destination-pip-url",
    `${ROOT}/tests/fixtures/destination_jsonl`,
    "--destination-config",
    `${dir.path}/d.json`,
    "--cache",
    `${dir.path}/sync.duckdb`,
    "--progress",
    "none",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.processedRecords, 12);
  assert.equal(summary.confirmedRecords, 12);
  const lines = (await Deno.readTextFile(`${dir.path}/out/numbers.jsonl`)).trim().split("\n");
  assert.equal(lines.length, 12);
});
