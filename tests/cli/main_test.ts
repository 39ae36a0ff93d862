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
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
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

// The problems a new user met with the hand-rolled parser (issue 10, item 5), one test each.

const COUNTER = ["--executable", fixture("source_counter.py")];

async function configFile(dir: string, config: Record<string, unknown>, name = "c.json"): Promise<string> {
  await Deno.writeTextFile(`${dir}/${name}`, JSON.stringify(config));
  return `${dir}/${name}`;
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

Deno.test("airbyte-ts read rejects a mistyped flag, names it and suggests the flag it resembles", async () => {
  await using dir = await tempDir();
  const config = await configFile(dir.path, { count: 5 });
  const r = await cli(["read", "source-counter", ...COUNTER, "--confg", config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--confg'/);
  assert.match(r.stderr, /Did you mean --config\?/);
  assert.equal(occurrences(r.stderr, "--confg"), 1, r.stderr);
  assert.doesNotMatch(r.stderr, /getSource|setConfig/, "no library-level message");
  assert.equal(r.stdout, "");
});

Deno.test("airbyte-ts rejects a mistyped command and suggests the one it resembles", async () => {
  const r = await cli(["reed", "source-counter"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'reed'/);
  assert.match(r.stderr, /Did you mean read\?/);
});

Deno.test("airbyte-ts --version prints the package version and exits 0", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
  for (const flag of ["--version", "-V"]) {
    const r = await cli([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

Deno.test("airbyte-ts <command> --help shows that command's own usage and flags", async () => {
  const expected: Record<string, RegExp[]> = {
    spec: [/--pip-url <SPEC>/, /--executable <PATH>/],
    check: [/--config <file>/],
    discover: [/--config <file>/],
    read: [
      /--config <file>/,
      /--streams <names>/,
      /--strategy <strategy>/,
      /--cache <path>/,
      /--full-refresh/,
    ],
    sync: [/--source-config <file>/, /--destination-pip-url <SPEC>/, /--no-cache/],
    demo: [/--count <n>/, /--progress <mode>/],
  };
  for (const [command, flags] of Object.entries(expected)) {
    const r = await cli([command, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: airbyte-ts ${command} `), r.stdout);
    for (const flag of flags) assert.match(r.stdout, flag, `${command} --help`);
    assert.doesNotMatch(r.stdout, /^Commands:/m, `${command} --help is not the global help`);
    const viaHelp = await cli(["help", command]);
    assert.equal(viaHelp.stdout, r.stdout);
  }
});

Deno.test("airbyte-ts reports a config file it cannot read once, naming the flag, with no usage text", async () => {
  await using dir = await tempDir();
  const missing = await cli(["discover", "source-counter", ...COUNTER, "--config", `${dir.path}/nope.json`]);
  assert.equal(missing.code, 2);
  assert.equal(
    missing.stderr,
    `airbyte-ts: Cannot read the --config file '${dir.path}/nope.json': no such file.\n`,
  );
  await Deno.writeTextFile(`${dir.path}/broken.json`, "{ count: 5");
  const broken = await cli(["read", "source-counter", ...COUNTER, "--config", `${dir.path}/broken.json`]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /^airbyte-ts: Cannot parse the --config file '.*broken\.json' as JSON: /);
  assert.equal(broken.stderr.trim().split("\n").length, 1, broken.stderr);
  const sync = await cli([
    "sync",
    "source-counter",
    "destination-jsonl",
    "--source-executable",
    fixture("source_counter.py"),
    "--source-config",
    await configFile(dir.path, { count: 1 }),
    "--destination-config",
    `${dir.path}/missing-destination.json`,
  ]);
  assert.equal(sync.code, 2);
  assert.match(sync.stderr, /Cannot read the --destination-config file '.*missing-destination\.json'/);
  for (const r of [missing, broken, sync]) assert.doesNotMatch(r.stderr, /Usage:|Commands:|--help/);
});

Deno.test("airbyte-ts check prints a JSON result on stdout when the check fails, and exits 1", async () => {
  await using dir = await tempDir();
  const config = await configFile(dir.path, { api_key: "k-123456", fail_check: true });
  const r = await cli([
    "check",
    "source-trace-error",
    "--executable",
    fixture("source_trace_error.py"),
    "--config",
    config,
  ]);
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout), { status: "FAILED", message: "Invalid API key for account 42" });
  assert.equal(occurrences(r.stderr, "Invalid API key for account 42"), 1, r.stderr);
  assert.ok(!r.stdout.includes("k-123456") && !r.stderr.includes("k-123456"), "the secret is masked");
  const passing = await cli([
    "check",
    "source-counter",
    ...COUNTER,
    "--config",
    await configFile(dir.path, { count: 1 }, "ok.json"),
  ]);
  assert.equal(passing.code, 0, passing.stderr);
  assert.deepEqual(JSON.parse(passing.stdout), { status: "SUCCEEDED" });
});

Deno.test("airbyte-ts prints a library error once, with guidance that names CLI flags", async () => {
  await using dir = await tempDir();
  const config = await configFile(dir.path, { count: 5 });
  const r = await cli([
    "read",
    "source-counter",
    ...COUNTER,
    "--config",
    config,
    "--streams",
    "nope",
    "--cache",
    `${dir.path}/c.duckdb`,
    "--progress",
    "plain",
  ]);
  assert.equal(r.code, 2);
  assert.equal(occurrences(r.stderr, "Cannot find stream 'nope'"), 1, r.stderr);
  assert.match(r.stderr, /Guidance: Choose streams with --streams/);
  assert.doesNotMatch(r.stderr, /getAvailableStreams|selectStreams/);
  const invalid = await cli([
    "discover",
    "source-counter",
    ...COUNTER,
    "--config",
    await configFile(dir.path, { count: "many" }, "bad.json"),
  ]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /Invalid config for 'source-counter' \(from --config '.*bad\.json'\)/);
  assert.doesNotMatch(invalid.stderr, /configSpec/);
});

Deno.test("airbyte-ts names the missing or conflicting CLI flag, not a library option", async () => {
  const missing = await cli(["read", "source-counter", ...COUNTER]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /required option '--config <file>' not specified/);
  assert.doesNotMatch(missing.stderr, /getSource|setConfig/);
  const both = await cli(["spec", "source-counter", ...COUNTER, "--pip-url", "airbyte-source-counter"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /'--pip-url <SPEC>' cannot be used with option '--executable <PATH>'/);
  assert.doesNotMatch(both.stderr, /pipUrl|localExecutable/);
  const badStrategy = await cli([
    "read",
    "source-counter",
    ...COUNTER,
    "--config",
    "x.json",
    "--strategy",
    "upsert",
  ]);
  assert.equal(badStrategy.code, 2);
  assert.match(
    badStrategy.stderr,
    /argument 'upsert' is invalid\. Allowed choices are auto, append, merge, replace/,
  );
  const extra = await cli(["spec", "source-counter", "source-other", ...COUNTER]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /too many arguments/);
});
