// Real signals to a real CLI process whose connector (source_hang.py) leaves a process tree of
// four: the CLI must end all of it, remove the connector's temp config, and exit 128 + signal.
import assert from "node:assert/strict";
import { fixture, ROOT, tempDir } from "../_support.ts";
import { configPathOf, connectorGroup, groupMembers, waitFor } from "../_processes.ts";

async function startRead(dir: string, config: Record<string, unknown>): Promise<Deno.ChildProcess> {
  await Deno.writeTextFile(`${dir}/hang.json`, JSON.stringify(config));
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}/src/cli/main.ts`,
      "read",
      "source-hang",
      "--executable",
      fixture("source_hang.py"),
      "--config",
      `${dir}/hang.json`,
      "--streams",
      "forever",
      "--cache",
      `${dir}/c.duckdb`,
      "--progress",
      "none",
    ],
    env: { AIRBYTE_TS_HOME: dir },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

const cases: [signals: Deno.Signal[], code: number, config: Record<string, unknown>][] = [
  [["SIGTERM"], 143, {}],
  [["SIGHUP"], 129, {}],
  [["SIGINT"], 130, {}],
  // A connector that ignores SIGTERM, and a second Ctrl-C before its grace period is over.
  [["SIGINT", "SIGINT"], 130, { ignore_sigterm: true }],
];

for (const [signals, code, config] of cases) {
  Deno.test(`airbyte-ts read ends the connector's whole process tree on ${signals.join(" + ")} and exits ${code}`, async () => {
    await using dir = await tempDir();
    const cli = await startRead(dir.path, config);
    // The connector, its two children and its grandchild, in the connector's own group.
    const group = await connectorGroup(cli.pid, "source_hang.py read", 4);
    const configFile = configPathOf(group.args);
    assert.ok(await exists(configFile), "the connector's temp config exists while it runs");
    for (const signal of signals) {
      cli.kill(signal);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { code: exitCode } = await cli.output();
    assert.equal(exitCode, code);
    const left = await waitFor("the connector's group to end", async () => {
      const members = await groupMembers(group.pgid);
      return members.length === 0 ? members : undefined;
    }, 10_000).catch(async () => await groupMembers(group.pgid));
    assert.deepEqual(left.map((p) => p.args), [], "no process of the connector's group is left");
    assert.equal(await exists(configFile), false, "the temp config file (it holds secrets) is gone");
  });
}
