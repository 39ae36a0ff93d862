// `airbyte-ts serve` and `--remote URL`, as real processes: the server runs until SIGTERM, commands
// run their connectors through it, and the token comes from the environment, never from a flag.
import assert from "node:assert/strict";
import { DESTINATION_JSONL_PIP, fixture, jsonlLines, ROOT, tempDir } from "../_support.ts";

const TOKEN = "cli-test-token-0123456789";
const CLI = ["run", "-A", "--config", `${ROOT}/deno.json`, `${ROOT}/src/cli/main.ts`];

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...CLI, ...args],
    env: { CI: "true", ...env },
  })
    .output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** `airbyte-ts serve` in a child process; resolves once it listens. */
async function serveProcess(configPath: string, env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...CLI, "serve", "--config", configPath, "--port", "0"],
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    void (async () => {
      let pending = "";
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
        pending += text;
        const parts = pending.split("\n");
        pending = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          const match = /serving \d+ connector\(s\) on (\S+)/.exec(line);
          if (match) resolve(match[1]);
        }
      }
      reject(new Error(`serve exited:\n${lines.join("\n")}`));
    })();
  });
  return { child, url, lines };
}

Deno.test("airbyte-ts serve runs connectors for read --remote and sync --source-remote/--destination-remote, and stops on SIGTERM", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    `${dir.path}/serve.json`,
    JSON.stringify({
      connectors: {
        "source-counter": { localExecutable: fixture("source_counter.py") },
        "destination-jsonl": { pipUrl: DESTINATION_JSONL_PIP },
      },
    }),
  );
  await Deno.writeTextFile(`${dir.path}/c.json`, JSON.stringify({ count: 42, second_stream: true }));
  await Deno.writeTextFile(`${dir.path}/d.json`, JSON.stringify({ path: `${dir.path}/out` }));
  const server = await serveProcess(`${dir.path}/serve.json`, { AIRBYTE_TS_SERVER_TOKEN: TOKEN });
  try {
    const read = await cli([
      "read",
      "source-counter",
      "--remote",
      server.url,
      "--config",
      `${dir.path}/c.json`,
      "--cache",
      `${dir.path}/cli.duckdb`,
      "--progress",
      "none",
    ], { AIRBYTE_TS_REMOTE_TOKEN: TOKEN });
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stdout, /numbers\s+42\s+42/);
    assert.match(read.stdout, /letters\s+42\s+42/);

    const sync = await cli([
      "sync",
      "source-counter",
      "destination-jsonl",
      "--source-remote",
      server.url,
      "--source-config",
      `${dir.path}/c.json`,
      "--destination-remote",
      server.url,
      "--destination-config",
      `${dir.path}/d.json`,
      "--no-cache",
      "--progress",
      "none",
    ], { AIRBYTE_TS_REMOTE_TOKEN: TOKEN });
    assert.equal(sync.code, 0, sync.stderr);
    assert.equal((await jsonlLines(`${dir.path}/out/numbers.jsonl`)).length, 42);

    // No token in the environment: refused by the CLI before anything runs.
    const noToken = await cli([
      "check",
      "source-counter",
      "--remote",
      server.url,
      "--config",
      `${dir.path}/c.json`,
    ]);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /set AIRBYTE_TS_REMOTE_TOKEN/);
    // A wrong token: the server's 403, named.
    const wrong = await cli(
      ["check", "source-counter", "--remote", server.url, "--config", `${dir.path}/c.json`],
      { AIRBYTE_TS_REMOTE_TOKEN: "not-the-server-token" },
    );
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /does not accept it/);
    // A token is never a flag.
    const flag = await cli(["check", "source-counter", "--remote", server.url, "--token", TOKEN]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--token'/);
  } finally {
    server.child.kill("SIGTERM");
  }
  assert.equal((await server.child.status).code, 0);
  assert.ok(server.lines.some((l) => /stopped/.test(l)));
});

Deno.test("airbyte-ts serve refuses to start without its token or with a bad config (exit 2)", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    `${dir.path}/serve.json`,
    JSON.stringify({ connectors: { "source-counter": { localExecutable: fixture("source_counter.py") } } }),
  );
  const noToken = await cli(["serve", "--config", `${dir.path}/serve.json`, "--port", "0"]);
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /'AIRBYTE_TS_SERVER_TOKEN' is not set/);
  await Deno.writeTextFile(
    `${dir.path}/bad.json`,
    JSON.stringify({ connectors: { "a/b": { localExecutable: "x" } } }),
  );
  const bad = await cli(["serve", "--config", `${dir.path}/bad.json`], { AIRBYTE_TS_SERVER_TOKEN: TOKEN });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'a\/b'/);
  const missing = await cli(["serve"], { AIRBYTE_TS_SERVER_TOKEN: TOKEN });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--config/);
});
