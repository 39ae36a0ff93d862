// The server configuration: what it accepts, what it refuses and how, and paths relative to it.
import assert from "node:assert/strict";
import {
  createServerApp,
  InvalidArgumentError,
  loadServerConfig,
  parseServerConfig,
  serve,
  SubprocessExecutor,
} from "../../mod.ts";
import { tempDir } from "../_support.ts";

Deno.test("parseServerConfig fills in defaults and refuses what it cannot use, naming the field", () => {
  const config = parseServerConfig({ connectors: { "source-x": { localExecutable: "/bin/true" } } });
  assert.equal(config.hostname, "127.0.0.1");
  assert.equal(config.tokenEnv, "AIRBYTE_TS_SERVER_TOKEN");
  assert.deepEqual(config.corsOrigins, []);
  assert.deepEqual(config.limits, {
    concurrentRuns: 4,
    requestBytes: 4 * 1024 * 1024,
    inputChunkBytes: 8 * 1024 * 1024,
    runTimeoutSeconds: 3600,
    drainSeconds: 30,
  });
  const refused: [unknown, RegExp][] = [
    [{ connectors: {} }, /empty allowlist/],
    [{ connectors: { "x": { localExecutable: "/bin/true" } }, token: "in the file" }, /token/],
    [{ connectors: { "x": { pipUrl: "a", localExecutable: "b" } } }, /\$\.connectors\.x/],
    [{ connectors: { "x": { command: "rm -rf /" } } }, /\$\.connectors\.x/],
    [{ connectors: { "a b": { localExecutable: "/bin/true" } } }, /'a b'/],
    [{ connectors: { ".hidden": { localExecutable: "/bin/true" } } }, /'\.hidden'/],
    [
      { connectors: { "x": { localExecutable: "/bin/true" } }, limits: { concurrentRuns: 0 } },
      /concurrentRuns/,
    ],
    [
      { connectors: { "x": { localExecutable: "/bin/true" } }, corsOrigins: ["https://a.example/path"] },
      /origin/,
    ],
    [{ connectors: { "x": { localExecutable: "/bin/true" } }, tokenEnv: "NOT VALID" }, /tokenEnv/],
  ];
  for (const [input, message] of refused) {
    assert.throws(
      () => parseServerConfig(input),
      (e) => e instanceof InvalidArgumentError && message.test(e.message),
      JSON.stringify(input),
    );
  }
});

Deno.test("loadServerConfig takes relative paths from the config file's directory", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/conf`);
  await Deno.writeTextFile(
    `${dir.path}/conf/serve.json`,
    JSON.stringify({
      logDir: "logs",
      connectors: {
        "source-a": { localExecutable: "./bin/source_a.py", cwd: "work" },
        "destination-b": { pipUrl: "../packages/destination_b" },
        "source-c": { pipUrl: "airbyte-source-c==1.0.0" },
        "source-d": { localExecutable: "source-d" },
      },
    }),
  );
  const config = await loadServerConfig(`${dir.path}/conf/serve.json`);
  const entries = config.connectors as unknown as Record<string, Record<string, string>>;
  assert.equal(entries["source-a"].localExecutable, `${dir.path}/conf/bin/source_a.py`);
  assert.equal(entries["source-a"].cwd, `${dir.path}/conf/work`);
  assert.equal(entries["destination-b"].pipUrl, `${dir.path}/packages/destination_b`);
  assert.equal(entries["source-c"].pipUrl, "airbyte-source-c==1.0.0");
  assert.equal(entries["source-d"].localExecutable, "source-d", "a name on PATH stays a name");
  assert.equal(config.logDir, `${dir.path}/conf/logs`);
  await assert.rejects(
    () => loadServerConfig(`${dir.path}/missing.json`),
    /Cannot read the server configuration/,
  );
  await Deno.writeTextFile(`${dir.path}/bad.json`, "{ not json");
  await assert.rejects(
    () => loadServerConfig(`${dir.path}/bad.json`),
    /Cannot parse the server configuration/,
  );
});

Deno.test("an image entry runs through the Docker executor by default, or through a given executor factory", () => {
  const config = parseServerConfig({
    connectors: { "source-pg": { image: "airbyte/source-postgres:3.6.0", docker: { memory: "1g" } } },
  });
  const app = createServerApp(config, { token: "a-long-enough-test-token", log: () => {} });
  assert.ok(app, "an image entry is served (tests/server/server_docker_test.ts runs one)");
  const built: string[] = [];
  createServerApp(config, {
    token: "a-long-enough-test-token",
    log: () => {},
    executorFactory: (name, entry) => {
      built.push(`${name} ${"image" in entry ? entry.image : ""}`);
      return new SubprocessExecutor({ command: "/bin/true", name });
    },
  });
  assert.deepEqual(built, ["source-pg airbyte/source-postgres:3.6.0"]);
});

Deno.test("the server will not start with a short token or none", async () => {
  const config = parseServerConfig({
    tokenEnv: "AIRBYTE_TS_TEST_UNSET_TOKEN",
    connectors: { "source-x": { localExecutable: "/bin/true" } },
  });
  assert.throws(() => createServerApp(config, { token: "short", log: () => {} }), /shorter than 16/);
  await assert.rejects(
    () => serve(config, { port: 0, handleSignals: false, log: () => {} }),
    (e) => e instanceof InvalidArgumentError && /'AIRBYTE_TS_TEST_UNSET_TOKEN' is not set/.test(e.message),
  );
});
