// DockerExecutor against a real engine (podman's Docker-compatible API, started by
// tests/_services/docker.ts) with real images built by scripts/images/build.sh.
import assert from "node:assert/strict";
import { ConnectorInstallError, ExecutorUnavailableError, SubprocessFailedError } from "../../../mod.ts";
import { registerSecret } from "../../../src/secrets.ts";
import { DockerExecutor, type DockerExecutorOptions } from "../../../src/executors/docker/docker_executor.ts";
import { ROOT, tempDir } from "../../_support.ts";
import {
  containersOf,
  dockerHost,
  engineApi,
  fixtureEntrypoint,
  IMAGES,
  uniqueName,
} from "../../_services/docker.ts";

const decoder = new TextDecoder();

async function executor(options: Omit<DockerExecutorOptions, "host">): Promise<DockerExecutor> {
  return new DockerExecutor({ logDir: false, ...options, host: await dockerHost() });
}

/** A shell script run in the fixtures image (Debian, python3, coreutils). */
function shell(script: string): string[] {
  return ["sh", "-c", script, "sh"];
}

async function output(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
  return text;
}

async function* lines(values: string[]): AsyncGenerator<string> {
  for (const value of values) yield value;
}

const NUMBERS_CATALOG = JSON.stringify({
  streams: [{
    stream: { name: "numbers", json_schema: {}, supported_sync_modes: ["full_refresh"] },
    sync_mode: "full_refresh",
    destination_sync_mode: "append",
  }],
});

Deno.test("DockerExecutor runs the faker image by its AIRBYTE_ENTRYPOINT and removes the container", async () => {
  const host = await dockerHost();
  const name = uniqueName("faker-spec");
  const faker = await executor({ image: IMAGES.faker, name });
  const text = await output(faker.execute(["spec"]));
  const spec = text.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.type === "SPEC");
  assert.ok(spec?.spec.connectionSpecification.properties.count, "faker's spec has count");
  assert.deepEqual(await containersOf(host, name), []);
});

Deno.test("DockerExecutor streams a connector's stdout and passes its stderr lines on, masked", async () => {
  const counter = await executor({
    image: IMAGES.fixtures,
    entrypoint: fixtureEntrypoint("source_counter.py"),
  });
  const stderr: string[] = [];
  const text = await output(counter.execute(["read"], {
    files: { "--config": JSON.stringify({ count: 12 }), "--catalog": NUMBERS_CATALOG },
    onStderr: (line) => stderr.push(line),
  }));
  const messages = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(messages.filter((m) => m.type === "RECORD").length, 12);
  assert.equal(messages.filter((m) => m.type === "STATE").length, 3);
  assert.deepEqual(stderr, ["RECEIVED_STATE=null"]);
  assert.deepEqual(counter.lastLogLines(), ["RECEIVED_STATE=null"]);
});

Deno.test("DockerExecutor hands files to the connector readable and writable by its user only", async () => {
  const probe = await executor({
    image: IMAGES.fixtures,
    entrypoint: shell('stat -c "%a %U:%G %n" "$(dirname "$3")" "$3" "$5"; id -un; echo changed > "$3"'),
  });
  const text = await output(probe.execute(["check"], { files: { "--config": '{"a":1}', "--state": "[]" } }));
  assert.deepEqual(text.trim().split("\n"), [
    "700 airbyte:airbyte /airbyte/airbyte-ts-files",
    "600 airbyte:airbyte /airbyte/airbyte-ts-files/config.json",
    "600 airbyte:airbyte /airbyte/airbyte-ts-files/state.json",
    "airbyte",
  ]);
});

Deno.test("DockerExecutor keeps secrets out of the container's Env and Cmd, its logs, and errors", async () => {
  const host = await dockerHost();
  const secret = `sk-live-${crypto.randomUUID()}`;
  registerSecret(secret);
  await using dir = await tempDir();

  // A connector that hangs in read: inspect its container while it runs.
  const name = uniqueName("secret-hang");
  const hang = await executor({
    image: IMAGES.fixtures,
    name,
    entrypoint: fixtureEntrypoint("source_hang.py"),
    memory: "256m",
    cpus: 0.5,
  });
  const config = JSON.stringify({ api_key: secret, hang_on: "check" });
  for await (const _ of hang.execute(["check"], { files: { "--config": config } })) {
    const [container] = await containersOf(host, name);
    const { body } = await engineApi(host, "GET", `/containers/${container.Id}/json`);
    const inspected = JSON.stringify(body);
    assert.ok(!inspected.includes(secret), "the secret is not in docker inspect");
    assert.ok(body.Config.Cmd.includes("--config"), "the config goes in as a file");
    assert.equal(body.HostConfig.NetworkMode, "none");
    assert.equal(body.HostConfig.Memory, 256 * 1024 * 1024);
    assert.equal(body.HostConfig.NanoCpus, 500_000_000);
    const logs = await engineApi(host, "GET", `/containers/${container.Id}/logs?stdout=1&stderr=1`);
    assert.ok(!JSON.stringify(logs.body ?? "").includes(secret), "the engine keeps no log with the secret");
    break;
  }

  // A connector that prints the secret to stderr and in its TRACE error, then exits 1.
  const failing = new DockerExecutor({
    image: IMAGES.fixtures,
    host,
    entrypoint: fixtureEntrypoint("source_trace_error.py"),
    logDir: dir.path,
  });
  const stderr: string[] = [];
  const error = await output(failing.execute(["read"], {
    files: { "--config": JSON.stringify({ api_key: secret }), "--catalog": '{"streams":[]}' },
    onStderr: (line) => stderr.push(line),
  })).catch((e) => e);
  assert.ok(error instanceof SubprocessFailedError, String(error));
  assert.equal(error.context.exitCode, 1);
  const seen = [
    error.message,
    JSON.stringify(error.context),
    stderr.join("\n"),
    failing.lastLogLines().join("\n"),
    await Deno.readTextFile(failing.lastLogFile!),
  ];
  assert.ok(stderr.some((l) => l.includes("Using api_key=****")), stderr.join("\n"));
  for (const text of seen) assert.ok(!text.includes(secret), `secret leaked into: ${text.slice(0, 200)}`);
});

Deno.test("DockerExecutor raises SubprocessFailedError with the exit code and the last stderr lines", async () => {
  const failing = await executor({
    image: IMAGES.fixtures,
    entrypoint: shell("echo partial; echo boom >&2; exit 3"),
  });
  let stdout = "";
  const error = await (async () => {
    for await (const chunk of failing.execute(["read"])) stdout += decoder.decode(chunk);
  })().catch((e) => e);
  assert.equal(stdout, "partial\n", "output before the failure is delivered");
  assert.ok(error instanceof SubprocessFailedError, String(error));
  assert.equal(error.context.exitCode, 3);
  assert.deepEqual(error.context.logTail, ["boom"]);
  assert.match(error.message, /exited with code 3 while running 'read'/);
  assert.match(error.message, new RegExp(IMAGES.fixtures.replace(/[.]/g, "\\.")));
});

Deno.test("DockerExecutor pipes stdin lines into the container and closes it at the end", async () => {
  const cat = await executor({ image: IMAGES.fixtures, entrypoint: shell("cat; echo END") });
  const input = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ type: "RECORD", n: i }));
  const text = await output(cat.execute(["write"], { stdin: lines(input) }));
  assert.equal(text, input.join("\n") + "\nEND\n");
});

Deno.test("DockerExecutor removes the container after an early break", async () => {
  const host = await dockerHost();
  const name = uniqueName("early-break");
  const endless = await executor({
    image: IMAGES.fixtures,
    name,
    entrypoint: shell('yes \'{"type":"LOG"}\''),
  });
  let chunks = 0;
  for await (const _ of endless.execute(["read"])) {
    if (++chunks === 3) break;
  }
  assert.equal(chunks, 3);
  assert.deepEqual(await containersOf(host, name), []);
});

Deno.test("DockerExecutor stops and removes the container when aborted mid-read (time recorded)", async () => {
  const host = await dockerHost();
  const name = uniqueName("abort");
  // source_hang ignores SIGTERM on request: the engine has to kill it after the grace period.
  const hang = await executor({
    image: IMAGES.fixtures,
    name,
    entrypoint: fixtureEntrypoint("source_hang.py"),
  });
  const controller = new AbortController();
  let abortedAt = 0;
  let containerId = "";
  const error = await (async () => {
    for await (
      const _ of hang.execute(["read"], {
        files: {
          "--config": JSON.stringify({ ignore_sigterm: true }),
          "--catalog": JSON.stringify({
            streams: [{
              stream: { name: "forever", json_schema: {}, supported_sync_modes: ["full_refresh"] },
              sync_mode: "full_refresh",
              destination_sync_mode: "append",
            }],
          }),
        },
        signal: controller.signal,
      })
    ) {
      containerId = (await containersOf(host, name))[0].Id;
      abortedAt = performance.now();
      controller.abort();
    }
  })().catch((e) => e);
  const stoppedAfterMs = performance.now() - abortedAt;
  assert.equal((error as Error)?.name, "AbortError", String(error));
  assert.ok(containerId, "the container was running");
  assert.equal(
    (await engineApi(host, "GET", `/containers/${containerId}/json`)).status,
    404,
    "container removed",
  );
  assert.deepEqual(await containersOf(host, name), []);
  console.log(`abort -> container stopped and removed in ${stoppedAfterMs.toFixed(0)} ms (SIGTERM ignored)`);
});

Deno.test("an unreachable engine raises ExecutorUnavailableError naming the address and DOCKER_HOST", async () => {
  await using dir = await tempDir();
  for (const host of [`unix://${dir.path}/no-engine.sock`, "tcp://127.0.0.1:1"]) {
    const ex = new DockerExecutor({ image: IMAGES.faker, host, logDir: false });
    const error = await output(ex.execute(["spec"])).catch((e) => e);
    assert.ok(error instanceof ExecutorUnavailableError, String(error));
    assert.ok(error.message.includes(host), error.message);
    assert.match(error.message, /DOCKER_HOST/);
    await assert.rejects(() => ex.ensureInstalled(), ExecutorUnavailableError);
  }
});

Deno.test("a missing image gives an error naming it; a pull that cannot reach its registry says so", async () => {
  const missing = await executor({ image: "localhost/airbyte-ts/no-such-image:0" });
  const error = await output(missing.execute(["spec"])).catch((e) => e);
  assert.ok(error instanceof ConnectorInstallError, String(error));
  assert.match(error.message, /'localhost\/airbyte-ts\/no-such-image:0'/);
  assert.match(error.message, /not on the engine/);

  const unreachable = await executor({ image: "127.0.0.1:1/airbyte/source-nothing:1.0", pull: true });
  const pullError = await unreachable.ensureInstalled().catch((e) => e);
  assert.ok(pullError instanceof ConnectorInstallError, String(pullError));
  assert.match(pullError.message, /127\.0\.0\.1:1\/airbyte\/source-nothing:1\.0/);
  assert.match(pullError.message, /registry could not be reached/);
});

Deno.test("DockerExecutor turns networking on only when asked", async () => {
  const interfaces = async (network?: boolean | string) => {
    const ex = await executor({
      image: IMAGES.fixtures,
      network,
      entrypoint: shell("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"),
    });
    return (await output(ex.execute(["check"]))).trim().split("\n").sort();
  };
  assert.deepEqual(await interfaces(), ["lo"]);
  assert.ok((await interfaces("host")).length > 1, "the host network has more than loopback");
});

Deno.test("selectExecutor builds a DockerExecutor from dockerImage and docker options, and refuses options alone", async () => {
  const { selectExecutor } = await import("../../../src/executors/select_executor.ts");
  const { InvalidArgumentError } = await import("../../../mod.ts");
  const ex = selectExecutor("source-faker", {
    dockerImage: IMAGES.faker,
    docker: { host: await dockerHost() },
  });
  assert.ok(ex instanceof DockerExecutor);
  assert.equal(ex.name, `docker:${IMAGES.faker}`);
  assert.equal(ex.connectorName, "source-faker");
  assert.throws(() => selectExecutor("source-faker", { docker: { memory: "1g" } }), InvalidArgumentError);
  assert.throws(
    () => selectExecutor("source-faker", { dockerImage: IMAGES.faker, pipUrl: "x" }),
    InvalidArgumentError,
  );
});

Deno.test("a container killed at its memory limit is reported with the limit as the likely cause", async () => {
  const hungry = await executor({
    image: IMAGES.fixtures,
    memory: "64m",
    entrypoint: ["python3", "-c", "b = bytearray(512 * 1024 * 1024); print(len(b))"],
  });
  const error = await output(hungry.execute(["read"])).catch((e) => e);
  assert.ok(error instanceof SubprocessFailedError, String(error));
  assert.equal(error.context.exitCode, 137);
  assert.match(error.message, /killed .*memory limit of 64m|running out of memory/);
  assert.match(error.guidance ?? "", /docker: \{ memory \}/);
});

Deno.test("a container whose process was killed outright is removed by the next process that uses the engine", async () => {
  const host = await dockerHost();
  const name = uniqueName("orphan");
  await using dir = await tempDir();
  const module = new URL("../../../src/executors/docker/docker_executor.ts", import.meta.url).href;
  const script = `${dir.path}/run.ts`;
  await Deno.writeTextFile(
    script,
    `import { DockerExecutor } from "${module}";
const [host, image, name, command] = Deno.args;
const ex = new DockerExecutor({ image, host, name, logDir: false, entrypoint: ["sh", "-c", command] });
for await (const chunk of ex.execute(["read"])) console.log(new TextDecoder().decode(chunk).trim());
`,
  );
  const run = (name: string, command: string, stdout: "piped" | "null") =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-check",
        "--config",
        `${ROOT}/deno.json`,
        script,
        host,
        IMAGES.fixtures,
        name,
        command,
      ],
      stdout,
      stderr: "null",
    });

  // The first process starts a container and is killed with SIGKILL: no cleanup of its own runs.
  const child = run(name, "echo started; exec sleep 600", "piped").spawn();
  const reader = child.stdout.getReader();
  const first = await reader.read();
  assert.match(decoder.decode(first.value), /started/);
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  assert.equal((await containersOf(host, name)).length, 1, "the killed process left its container running");

  // The next process that runs a connector on this engine removes the orphan before its own run.
  const next = await run(uniqueName("sweeper"), "true", "null").output();
  assert.equal(next.code, 0);
  assert.deepEqual(await containersOf(host, name), [], "the orphan was removed");
});
