import assert from "node:assert/strict";
import { splitLines } from "../../src/protocol/line_splitter.ts";
import { ConnectorInstallError, SubprocessFailedError } from "../../src/errors.ts";
import { SubprocessExecutor } from "../../src/executors/subprocess.ts";
import { denoRuntime } from "../../src/runtime/deno.ts";
import { registerSecret } from "../../src/secrets.ts";

const fixtures = new URL("../fixtures/executors/", import.meta.url).pathname;

function fixture(
  script: string,
  options: { logDir?: string | false; name?: string } = {},
): SubprocessExecutor {
  return new SubprocessExecutor({
    command: "sh",
    args: [fixtures + script],
    runtime: denoRuntime,
    name: options.name ?? script.replace(/\.sh$/, ""),
    logDir: options.logDir ?? false,
  });
}

/** Live (non-zombie) members of process group `pgid`, as `ps` lines. */
async function groupMembers(pgid: number): Promise<string[]> {
  const { stdout } = await denoRuntime.run("ps", ["-e", "-o", "pid=,pgid=,stat="]);
  return stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) =>
    f.length === 3 && Number(f[1]) === pgid && !f[2].startsWith("Z")
  ).map((f) => f.join(" "));
}

/** Wait (bounded) until the group is empty; returns what is still alive at the deadline. */
async function waitForGroupGone(pgid: number, ms = 5000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = await groupMembers(pgid);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Is `pid` a live process (a zombie awaiting its reaper counts as gone)? */
async function pidAlive(pid: number): Promise<boolean> {
  const { code, stdout } = await denoRuntime.run("ps", ["-o", "stat=", "-p", String(pid)]);
  return code === 0 && !stdout.trim().startsWith("Z");
}

Deno.test("SubprocessExecutor yields lines while the process is still running", async () => {
  const dir = await Deno.makeTempDir();
  const flag = `${dir}/go`;
  const seen: string[] = [];
  try {
    for await (const line of splitLines(fixture("handshake.sh").execute([flag]))) {
      seen.push(line);
      if (line === "first") await Deno.writeTextFile(flag, "");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(seen, ["first", "second"]);
});

Deno.test("SubprocessExecutor passes the verb after the prefix args", async () => {
  const executor = new SubprocessExecutor({
    command: "sh",
    args: ["-c", 'for a in "$@"; do echo "$a"; done', "sh"],
    runtime: denoRuntime,
    logDir: false,
  });
  const lines = await Array.fromAsync(splitLines(executor.execute(["read", "--x", "y z"])));
  assert.deepEqual(lines, ["read", "--x", "y z"]);
});

Deno.test("SubprocessExecutor throws SubprocessFailedError with the last stderr lines on a non-zero exit", async () => {
  const logDir = await Deno.makeTempDir();
  const executor = fixture("fail_with_stderr.sh", { logDir, name: "source-x" });
  const out: string[] = [];
  let caught: SubprocessFailedError | undefined;
  try {
    for await (const line of splitLines(executor.execute(["read", "pw-plain"]))) out.push(line);
  } catch (e) {
    caught = e as SubprocessFailedError;
  }
  assert.deepEqual(out, ["partial output"]);
  assert.ok(caught instanceof SubprocessFailedError);
  assert.match(caught.message, /^Connector 'source-x' exited with code 3 while running 'read'\./);
  assert.equal(caught.context.exitCode, 3);
  assert.equal(caught.context.connector, "source-x");
  const tail = caught.context.logTail!;
  assert.equal(tail.length, 100, "the tail is bounded");
  assert.equal(tail.at(-1), "fatal: cannot connect with password pw-plain");
  assert.equal(tail[0], "progress 51");
  assert.deepEqual(executor.lastLogLines(), tail);
  const logFile = caught.context.logFile as string;
  assert.ok(logFile.startsWith(logDir + "/source-x-"), logFile);
  assert.match(logFile, /-\d+\.log$/);
  const log = await Deno.readTextFile(logFile);
  assert.equal(log.split("\n").length, 151, "the log file keeps every line");
  assert.ok(log.includes("progress 1\n"));
  assert.equal((await Deno.stat(logFile)).mode! & 0o777, 0o600);
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("SubprocessExecutor masks a registered secret in the error, the tail and the log file", async () => {
  const secret = "s3cr3t-Value-4242";
  registerSecret(secret);
  const logDir = await Deno.makeTempDir();
  const executor = fixture("fail_with_stderr.sh", { logDir, name: "source-secret" });
  let caught: SubprocessFailedError | undefined;
  const stderrLines: string[] = [];
  try {
    for await (
      const _ of splitLines(executor.execute(["check", secret], { onStderr: (l) => stderrLines.push(l) }))
    ) {
      /**/
    }
  } catch (e) {
    caught = e as SubprocessFailedError;
  }
  assert.ok(caught instanceof SubprocessFailedError);
  assert.ok(!caught.message.includes(secret));
  assert.ok(caught.message.includes("fatal: cannot connect with password ****"));
  assert.ok(!JSON.stringify(caught.context).includes(secret));
  assert.ok(!executor.lastLogLines().join("\n").includes(secret));
  assert.ok(!stderrLines.join("\n").includes(secret));
  const log = await Deno.readTextFile(caught.context.logFile as string);
  assert.ok(!log.includes(secret));
  assert.ok(log.includes("password ****"));
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("SubprocessExecutor ends the whole process tree when the consumer breaks out early", async () => {
  let group = 0;
  let child = 0;
  for await (const line of splitLines(fixture("spawn_tree.sh").execute(["read"]))) {
    if (line.startsWith("group:")) group = Number(line.slice(6));
    if (line.startsWith("child:")) child = Number(line.slice(6));
    if (line === "line 1") break;
  }
  assert.ok(group > 0 && child > 0);
  assert.deepEqual(await waitForGroupGone(group), []);
  assert.equal(await pidAlive(child), false);
  assert.equal(await pidAlive(group), false);
});

Deno.test("SubprocessExecutor abort ends a hanging process tree and throws the abort reason", async () => {
  const controller = new AbortController();
  const iterator = splitLines(fixture("spawn_tree.sh").execute(["quiet"], { signal: controller.signal }))[
    Symbol.asyncIterator
  ]();
  const first = await iterator.next();
  const group = Number((first.value as string).slice(6));
  assert.ok(group > 0);
  // The next read is pending (the script prints nothing more) when the abort arrives.
  const pending = iterator.next();
  const reason = new Error("user cancelled");
  controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  assert.deepEqual(await waitForGroupGone(group), []);
});

Deno.test("SubprocessExecutor abort without a reason throws an AbortError", async () => {
  const controller = new AbortController();
  const lines = splitLines(fixture("spawn_tree.sh").execute(["quiet"], { signal: controller.signal }));
  let group = 0;
  await assert.rejects(async () => {
    for await (const line of lines) {
      group = Number(line.slice(6));
      controller.abort();
    }
  }, (e: Error) => e.name === "AbortError");
  assert.deepEqual(await waitForGroupGone(group), []);
});

Deno.test("SubprocessExecutor does not start a process when the signal is already aborted", async () => {
  const controller = new AbortController();
  controller.abort(new Error("too late"));
  await assert.rejects(
    Array.fromAsync(splitLines(fixture("spawn_tree.sh").execute(["read"], { signal: controller.signal }))),
    /too late/,
  );
});

Deno.test("SubprocessExecutor kills a tree that ignores SIGTERM after the grace period", async () => {
  let group = 0;
  for await (const line of splitLines(fixture("ignore_term.sh").execute(["read"]))) {
    group = Number(line.slice(6));
    break;
  }
  assert.ok(group > 0);
  assert.deepEqual(await waitForGroupGone(group), []);
});

Deno.test("SubprocessExecutor ends a run whose exited connector left a child holding stdout", async () => {
  const executor = new SubprocessExecutor({
    command: "sh",
    args: ["-c", 'sleep 300 & echo "group:$$"'],
    runtime: denoRuntime,
    logDir: false,
  });
  const [line] = await Array.fromAsync(splitLines(executor.execute([])));
  assert.deepEqual(await waitForGroupGone(Number(line.slice(6))), []);
});

async function runShowFiles(mode: "ok" | "fail" | "hang"): Promise<{ lines: string[]; error?: unknown }> {
  const controller = new AbortController();
  const lines: string[] = [];
  const files = { "--config": '{"api_key":"k"}', "--catalog": '{"streams":[]}' };
  try {
    for await (
      const line of splitLines(fixture("show_files.sh").execute([mode], { files, signal: controller.signal }))
    ) {
      lines.push(line);
      if (mode === "hang" && lines.length === 2) controller.abort();
    }
  } catch (error) {
    return { lines, error };
  }
  return { lines };
}

for (const mode of ["ok", "fail", "hang"] as const) {
  const ending = { ok: "success", fail: "failure", hang: "abort" }[mode];
  Deno.test(`SubprocessExecutor hands files as private writable files and removes them after ${ending}`, async () => {
    const { lines, error } = await runShowFiles(mode);
    if (mode === "ok") assert.equal(error, undefined);
    if (mode === "fail") assert.ok(error instanceof SubprocessFailedError);
    if (mode === "hang") assert.equal((error as Error).name, "AbortError");
    assert.equal(lines.length, 2);
    const [config, catalog] = lines.map((l) => l.split(" "));
    assert.equal(config[0], "--config");
    assert.equal(config[2], "600", "file mode");
    assert.equal(config[3], "700", "directory mode");
    assert.equal(config[4], '{"api_key":"k"}');
    assert.equal(catalog[0], "--catalog");
    assert.equal(catalog[2], "600");
    assert.equal(catalog[4], '{"streams":[]}');
    const dir = config[1].slice(0, config[1].lastIndexOf("/"));
    assert.equal(await denoRuntime.exists(config[1]), false);
    assert.equal(await denoRuntime.exists(dir), false);
  });
}

Deno.test("SubprocessExecutor writes stdin lines while reading stdout (1e5 lines through cat)", async () => {
  const count = 100_000;
  async function* input() {
    for (let i = 0; i < count; i++) yield `{"type":"RECORD","record":{"stream":"s","data":{"i":${i}}}}`;
  }
  const executor = new SubprocessExecutor({ command: "cat", runtime: denoRuntime, logDir: false });
  let received = 0;
  let inOrder = true;
  for await (const line of splitLines(executor.execute([], { stdin: input() }))) {
    if (line !== `{"type":"RECORD","record":{"stream":"s","data":{"i":${received}}}}`) inOrder = false;
    received++;
  }
  assert.equal(received, count);
  assert.ok(inOrder);
});

Deno.test("SubprocessExecutor survives a destination that exits before reading all of stdin", async () => {
  let produced = 0;
  let sourceClosed = false;
  async function* input() {
    try {
      for (let i = 0; i < 100_000; i++) {
        produced++;
        yield `line ${i}`;
      }
    } finally {
      sourceClosed = true;
    }
  }
  const executor = new SubprocessExecutor({
    command: "head",
    args: ["-n", "2"],
    runtime: denoRuntime,
    logDir: false,
  });
  const lines = await Array.fromAsync(splitLines(executor.execute([], { stdin: input() })));
  assert.deepEqual(lines, ["line 0", "line 1"]);
  // Bounded: the pump stops pulling once the pipe is broken (give it a moment to notice).
  for (let i = 0; i < 100 && !sourceClosed; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(sourceClosed, "the stdin source is closed");
  assert.ok(produced < 100_000, "the pump stopped pulling lines nobody reads");
});

Deno.test("SubprocessExecutor stops cleanly when the consumer breaks while stdin is being written", async () => {
  async function* input() {
    for (let i = 0; i < 1_000_000; i++) yield `line ${i}`;
  }
  const executor = new SubprocessExecutor({
    command: "sh",
    args: ["-c", 'echo "group:$$"; exec cat'],
    runtime: denoRuntime,
    logDir: false,
  });
  let group = 0;
  let seen = 0;
  for await (const line of splitLines(executor.execute([], { stdin: input() }))) {
    if (line.startsWith("group:")) group = Number(line.slice(6));
    if (++seen === 1000) break;
  }
  assert.ok(group > 0);
  assert.deepEqual(await waitForGroupGone(group), []);
});

Deno.test("SubprocessExecutor ends the run with the stdin source's own error", async () => {
  async function* input() {
    yield "one";
    throw new Error("cache read failed");
  }
  const executor = new SubprocessExecutor({ command: "cat", runtime: denoRuntime, logDir: false });
  await assert.rejects(
    Array.fromAsync(splitLines(executor.execute([], { stdin: input() }))),
    /cache read failed/,
  );
});

Deno.test("SubprocessExecutor reports a missing executable as ConnectorInstallError naming the path", async () => {
  const executor = new SubprocessExecutor({
    command: "/nonexistent/bin/source-nope",
    runtime: denoRuntime,
    logDir: false,
  });
  await assert.rejects(
    Array.fromAsync(splitLines(executor.execute(["spec"]))),
    (e: ConnectorInstallError) => {
      assert.ok(e instanceof ConnectorInstallError);
      assert.match(
        e.message,
        /Cannot start connector 'source-nope': executable '\/nonexistent\/bin\/source-nope' was not found\./,
      );
      return true;
    },
  );
});

Deno.test("SubprocessExecutor reports a signal death as SubprocessFailedError", async () => {
  const executor = new SubprocessExecutor({
    command: "sh",
    args: ["-c", "kill -9 $$"],
    runtime: denoRuntime,
    logDir: false,
    name: "source-k",
  });
  await assert.rejects(
    Array.fromAsync(splitLines(executor.execute(["read"]))),
    /Connector 'source-k' was killed by signal SIGKILL while running 'read'\./,
  );
});
