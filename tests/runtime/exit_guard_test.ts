// A plain program that uses the library, in Deno and in Node, with a connector that leaves a
// process tree of four: SIGTERM (or SIGHUP) must end that tree and remove the temp config before
// the program exits with 143 (129), and an iterator read once and dropped must not keep the
// program (or the connector) alive.
import assert from "node:assert/strict";
import { fixture, ROOT, tempDir } from "../_support.ts";
import { configPathOf, connectorGroup, groupMembers, waitFor } from "../_processes.ts";
import { bundleForNode } from "../_bundle.ts";

const SCRIPT = `${ROOT}/tests/fixtures/executors/plain_script.ts`;

/** The command that runs the plain script in `runtime` (Node gets an esbuild bundle). */
async function scriptCommand(runtime: "deno" | "node", dir: string, args: string[]): Promise<Deno.Command> {
  if (runtime === "deno") {
    return new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--expose-gc", SCRIPT, ...args],
      stdout: "piped",
      stderr: "piped",
    });
  }
  const bundle = `${dir}/plain_script.mjs`;
  await bundleForNode(SCRIPT, bundle);
  return new Deno.Command("node", {
    args: ["--expose-gc", bundle, ...args],
    stdout: "piped",
    stderr: "piped",
  });
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function groupGone(pgid: number): Promise<string[]> {
  return await waitFor("the connector's group to end", async () => {
    const members = await groupMembers(pgid);
    return members.length === 0 ? [] : undefined;
  }, 10_000).catch(async () => (await groupMembers(pgid)).map((p) => p.args));
}

for (const runtime of ["deno", "node"] as const) {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    Deno.test(`A plain ${runtime} program using the library ends its connector's tree on ${signal} and exits ${code}`, async () => {
      await using dir = await tempDir();
      const child = (await scriptCommand(runtime, dir.path, ["wait", fixture("source_hang.py")])).spawn();
      const group = await connectorGroup(child.pid, "source_hang.py read", 4);
      const configFile = configPathOf(group.args);
      child.kill(signal);
      const { code: exitCode, stderr } = await child.output();
      assert.equal(exitCode, code, new TextDecoder().decode(stderr));
      assert.deepEqual(await groupGone(group.pgid), [], "no process of the connector's group is left");
      assert.equal(await exists(configFile), false, "the temp config is gone");
    });
  }

  Deno.test(`A plain ${runtime} program that reads an iterator once and drops it exits, and its connector with it`, async () => {
    await using dir = await tempDir();
    const child = (await scriptCommand(runtime, dir.path, ["drop", fixture("source_hang.py")])).spawn();
    const group = await connectorGroup(child.pid, "source_hang.py read", 4);
    const configFile = configPathOf(group.args);
    const status = await Promise.race([
      child.status,
      new Promise<undefined>((r) => setTimeout(r, 30_000)),
    ]);
    if (status === undefined) child.kill("SIGKILL");
    const output = await child.output();
    assert.ok(status !== undefined, "the program ended by itself");
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.match(new TextDecoder().decode(output.stdout), /"first"/);
    assert.deepEqual(await groupGone(group.pgid), [], "no process of the connector's group is left");
    assert.equal(await exists(configFile), false, "the temp config is gone");
  });

  Deno.test(`A long-running ${runtime} program that drops an unfinished iterator ends its connector once the iterator is collected`, async () => {
    await using dir = await tempDir();
    const child = (await scriptCommand(runtime, dir.path, ["collect", fixture("source_hang.py")])).spawn();
    try {
      const group = await connectorGroup(child.pid, "source_hang.py read", 4);
      const configFile = configPathOf(group.args);
      // The program is still running (it collects garbage for 30 s); the connector must not be.
      assert.deepEqual(await groupGone(group.pgid), [], "no process of the connector's group is left");
      assert.equal(await exists(configFile), false, "the temp config is gone");
      const state = await Promise.race([child.status.then(() => "ended"), Promise.resolve("running")]);
      assert.equal(state, "running", "the program itself was still running");
    } finally {
      child.kill("SIGKILL");
      await child.output();
    }
  });
}
