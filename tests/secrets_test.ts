// Secret masking: every leaf of a secret object, the forms a secret takes in logs, URL
// credentials, and a real connector that leaks a secret object everywhere it can.
import assert from "node:assert/strict";
import {
  maskSecrets,
  redactUrlCredentials,
  registerSecret,
  registerSecretsByName,
  registerSecretsFromConfig,
  registerUrlCredentials,
} from "../src/secrets.ts";
import { DuckDBCache, getSource, memoryLogger, SubprocessExecutor } from "../mod.ts";
import { fixture, ROOT, tempDir } from "./_support.ts";

const PEM_BODY = [
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
  "Vx9kQ2dNs+/e8Ld6Ujh0aSLp4qZ3rfW1yHcTVm",
];
const PEM = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY.join("\n")}\n-----END PRIVATE KEY-----\n`;

Deno.test("registerSecretsFromConfig masks every leaf of an airbyte_secret object, in every form a log shows it", () => {
  const masked = registerSecretsFromConfig(
    { creds: { pem: PEM, passphrase: "correct horse ünïcode" }, region: "eu" },
    { type: "object", properties: { creds: { type: "object", airbyte_secret: true } } },
  );
  assert.deepEqual(masked, { creds: "****", region: "eu" });
  const escaped = JSON.stringify(PEM).slice(1, -1);
  const cases: [string, string][] = [
    ["raw", `key=${PEM}`],
    ["JSON-escaped", `{"pem": "${escaped}"}`],
    ["one line of it", `bad line ${PEM_BODY[1]} here`],
    ["URL-encoded", `pem=${encodeURIComponent(PEM)}&x=1`],
    ["form-encoded", `p=${encodeURIComponent("correct horse ünïcode").replaceAll("%20", "+")}`],
    ["Python ensure_ascii", `{"passphrase": "correct horse \\u00fcn\\u00efcode"}`],
    ["escaped slashes", `"${escaped.replaceAll("/", "\\/")}"`],
  ];
  for (const [form, text] of cases) {
    const out = maskSecrets(text);
    for (const line of PEM_BODY) assert.ok(!out.includes(line), `${form}: ${out}`);
    assert.ok(!out.includes("horse"), `${form}: ${out}`);
  }
  // The armour lines are no secret and stay readable.
  assert.match(maskSecrets("-----BEGIN PRIVATE KEY-----"), /BEGIN PRIVATE KEY/);
});

Deno.test("registerSecretsFromConfig and registerSecretsByName walk a config that refers to itself without overflowing", () => {
  const config: Record<string, unknown> = { api_key: "circular-key-1", nested: {} };
  (config.nested as Record<string, unknown>).back = config;
  const masked = registerSecretsFromConfig(config, {
    type: "object",
    properties: { api_key: { type: "string", airbyte_secret: true } },
  });
  assert.equal(masked.api_key, "****");
  registerSecretsByName({
    a: config,
    credentials: { auth_type: "oauth2.0", refresh_token: "by-name-token-1" },
  });
  assert.equal(maskSecrets("circular-key-1 by-name-token-1"), "**** ****");
  assert.equal(maskSecrets("auth_type oauth2.0"), "auth_type oauth2.0", "names of things stay readable");
});

Deno.test("URL credentials are redacted and registered as secrets", () => {
  assert.equal(
    redactUrlCredentials("pip install git+https://user:ghp_TOKEN123@github.example/org/repo.git@v1"),
    "pip install git+https://user:****@github.example/org/repo.git@v1",
  );
  assert.equal(redactUrlCredentials("https://ghp_ONLYTOKEN@host/x"), "https://****@host/x");
  assert.equal(redactUrlCredentials("airbyte-source-faker==7.2.1"), "airbyte-source-faker==7.2.1");
  registerUrlCredentials("https://deploy:p%40ss-word-9@pypi.example/simple/pkg");
  assert.equal(maskSecrets("auth failed for p@ss-word-9 / p%40ss-word-9"), "auth failed for **** / ****");
  registerSecret(12345);
  assert.equal(maskSecrets("pin 12345"), "pin ****");
});

Deno.test("A secret object leaked by a real connector is masked in its LOG, TRACE error, stderr tail, log file and the CLI's output", async () => {
  await using dir = await tempDir();
  const config = { api_key: "sk-live-OBJ-KEY-1", creds: { pem: PEM } };
  const logger = memoryLogger();
  const executor = new SubprocessExecutor({
    command: fixture("source_trace_error.py"),
    name: "source-trace-error",
    logDir: `${dir.path}/logs`,
  });
  const source = await getSource("source-trace-error", { executor, config, streams: ["accounts"], logger });
  await using cache = new DuckDBCache({ path: ":memory:" });
  const error = await source.read({ cache, progress: "none" }).catch((e) => e);
  const logFiles = [...Deno.readDirSync(`${dir.path}/logs`)].map((f) =>
    Deno.readTextFileSync(`${dir.path}/logs/${f.name}`)
  );
  const seen = {
    message: error.message,
    context: JSON.stringify(error.context),
    internal: String(error.internalMessage),
    logger: logger.lines.join("\n"),
    lastLogLines: source.lastLogLines().join("\n"),
    logFile: logFiles.join("\n"),
  };
  assert.match(seen.internal, /pem=\*\*\*\*/, "the URL-encoded pem was there, masked");
  assert.match(seen.logger, /Bad key line \*\*\*\*/);
  assert.match(seen.logFile, /Using creds=\{"pem": "\*\*\*\*"\}/);
  for (const [where, text] of Object.entries(seen)) {
    for (const line of PEM_BODY) assert.ok(!text.includes(line), `${where} shows the pem: ${text}`);
    assert.ok(!text.includes(encodeURIComponent(PEM_BODY[0])), `${where} shows the URL-encoded pem`);
  }

  // The CLI, in its own process: the error and the progress lines.
  const configPath = `${dir.path}/config.json`;
  await Deno.writeTextFile(configPath, JSON.stringify(config));
  const cli = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}/src/cli/main.ts`,
      "read",
      "source-trace-error",
      "--executable",
      fixture("source_trace_error.py"),
      "--config",
      configPath,
      "--cache",
      `${dir.path}/c.duckdb`,
      "--progress",
      "plain",
    ],
    env: { AIRBYTE_TS_HOME: dir.path },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(cli.stdout) + new TextDecoder().decode(cli.stderr);
  assert.equal(cli.code, 1, output);
  assert.match(output, /Invalid API key for account 42/);
  for (const line of PEM_BODY) assert.ok(!output.includes(line), output);
  assert.ok(!output.includes("sk-live-OBJ-KEY-1"), output);
});
