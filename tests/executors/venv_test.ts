import assert from "node:assert/strict";
import { splitLines } from "../../src/protocol/line_splitter.ts";
import { ConnectorInstallError, InvalidArgumentError } from "../../src/errors.ts";
import { getSource } from "../../mod.ts";
import { VenvExecutor } from "../../src/executors/venv.ts";
import { denoRuntime } from "../../src/runtime/deno.ts";

const tinyConnector = new URL("../fixtures/executors/tiny_connector/", import.meta.url).pathname;

async function readMarker(venv: string): Promise<{ pipUrl: string; installedAt: string }> {
  return JSON.parse(await Deno.readTextFile(`${venv}/.airbyte-ts.json`));
}

/** A copy of the tiny connector project that a test may edit. */
async function copyTinyConnector(into: string): Promise<string> {
  const dir = `${into}/tiny_connector_src`;
  const { code } = await denoRuntime.run("cp", ["-r", tinyConnector, dir]);
  assert.equal(code, 0);
  return dir;
}

async function specLines(executor: VenvExecutor): Promise<Record<string, unknown>[]> {
  const lines = await Array.fromAsync(splitLines(executor.execute(["spec"])));
  return lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

Deno.test("VenvExecutor reports a package pip cannot find as ConnectorInstallError with pip's message", async () => {
  const home = await Deno.makeTempDir();
  try {
    const executor = new VenvExecutor({
      name: "source-this-does-not-exist-zz",
      pipUrl: "airbyte-source-this-does-not-exist-zz==1.0",
      home,
      runtime: denoRuntime,
    });
    await assert.rejects(executor.ensureInstalled(), (e: ConnectorInstallError) => {
      assert.ok(e instanceof ConnectorInstallError);
      assert.match(
        e.message,
        /^Cannot install 'source-this-does-not-exist-zz': 'pip install airbyte-source-this-does-not-exist-zz==1\.0' failed/,
      );
      const tail = e.context.logTail!.join("\n");
      assert.match(tail, /No matching distribution found for airbyte-source-this-does-not-exist-zz==1\.0/);
      assert.ok(e.context.logTail!.length <= 20);
      assert.ok(e.message.includes("No matching distribution"), "the message shows pip's last lines");
      assert.ok(String(e.context.logFile).startsWith(`${home}/logs/`));
      return true;
    });
    assert.equal(
      await denoRuntime.exists(`${home}/venvs/source-this-does-not-exist-zz/.airbyte-ts.json`),
      false,
    );
    assert.equal(await denoRuntime.exists(`${home}/venvs/source-this-does-not-exist-zz.lock`), false);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("VenvExecutor installs airbyte-source-faker==7.2.1 and runs spec", async () => {
  const executor = new VenvExecutor({
    name: "source-faker",
    pipUrl: "airbyte-source-faker==7.2.1",
    runtime: denoRuntime,
  });
  await executor.ensureInstalled();
  const messages = await specLines(executor);
  const spec = messages.find((m) => m.type === "SPEC") as {
    spec: { connectionSpecification: { properties: object } };
  };
  assert.ok(spec, "a SPEC message");
  assert.ok("count" in spec.spec.connectionSpecification.properties);

  const home = `${
    Deno.env.get("AIRBYTE_TS_HOME") ??
      `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/airbyte-ts`
  }`;
  const marker = await readMarker(`${home}/venvs/source-faker`);
  assert.equal(marker.pipUrl, "airbyte-source-faker==7.2.1");
  // A second executor takes the fast path: the marker is not rewritten.
  await new VenvExecutor({
    name: "source-faker",
    pipUrl: "airbyte-source-faker==7.2.1",
    runtime: denoRuntime,
  })
    .ensureInstalled();
  assert.equal((await readMarker(`${home}/venvs/source-faker`)).installedAt, marker.installedAt);
});

Deno.test("VenvExecutor installs a local project once for parallel callers, takes over a stale lock, reinstalls on edits", async () => {
  const home = await Deno.makeTempDir();
  try {
    const project = await copyTinyConnector(home);
    // A lock left by a process that died long ago.
    await Deno.mkdir(`${home}/venvs/tiny-connector.lock`, { recursive: true });
    await Deno.writeTextFile(
      `${home}/venvs/tiny-connector.lock/owner.json`,
      JSON.stringify({ token: "dead", refreshedAt: 0 }),
    );
    const make = () =>
      new VenvExecutor({ name: "tiny-connector", pipUrl: project, home, runtime: denoRuntime });
    const [a, b] = [make(), make()];
    await Promise.all([a.ensureInstalled(), b.ensureInstalled()]);
    const marker = await readMarker(`${home}/venvs/tiny-connector`);
    assert.equal(marker.pipUrl, project);
    assert.equal(await denoRuntime.exists(`${home}/venvs/tiny-connector.lock`), false);
    const [spec] = await specLines(a);
    assert.equal((spec.spec as { mark: string }).mark, "v1");

    // An unchanged project is not reinstalled...
    await make().ensureInstalled();
    assert.equal((await readMarker(`${home}/venvs/tiny-connector`)).installedAt, marker.installedAt);

    // ...an edited one is.
    const source = `${project}/tiny_connector/__init__.py`;
    await Deno.writeTextFile(source, (await Deno.readTextFile(source)).replace('MARK = "v1"', 'MARK = "v2"'));
    const later = new Date(Date.now() + 2000);
    await Deno.utime(source, later, later);
    const edited = make();
    const [spec2] = await specLines(edited);
    assert.equal((spec2.spec as { mark: string }).mark, "v2");
    assert.notEqual((await readMarker(`${home}/venvs/tiny-connector`)).installedAt, marker.installedAt);

    // A wrong entry point is named in the error.
    const wrong = new VenvExecutor({
      name: "tiny-connector",
      entrypoint: "not-a-script",
      pipUrl: project,
      home,
      runtime: denoRuntime,
    });
    await assert.rejects(wrong.ensureInstalled(), /installed no 'not-a-script' command/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("VenvExecutor with install: false refuses to install a missing connector", async () => {
  const home = await Deno.makeTempDir();
  try {
    const executor = new VenvExecutor({
      name: "source-missing",
      pipUrl: "airbyte-source-missing==1.0",
      home,
      install: false,
      runtime: denoRuntime,
    });
    await assert.rejects(
      executor.ensureInstalled(),
      /it is not installed in '.*source-missing' and installing is turned off/,
    );
    assert.equal(await denoRuntime.exists(`${home}/venvs/source-missing`), false);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("VenvExecutor refuses connector names that would leave the venv or logs directory", async () => {
  const home = await Deno.makeTempDir();
  try {
    for (const name of ["../../escaped-venv", "a/b", "..", ".hidden", "a\\b", "x..y", "", "source faker"]) {
      assert.throws(
        () => new VenvExecutor({ name, pipUrl: tinyConnector, home, runtime: denoRuntime }),
        (e: InvalidArgumentError) => {
          assert.ok(e instanceof InvalidArgumentError, String(e));
          assert.match(e.message, /no path separators, no '\.\.'/);
          return true;
        },
        name,
      );
    }
    assert.throws(
      () => new VenvExecutor({ name: "ok", entrypoint: "../../bin/sh", pipUrl: tinyConnector, home }),
      InvalidArgumentError,
    );
    // Through getSource too, before anything is installed or created.
    await assert.rejects(
      getSource("../../escaped-venv", { pipUrl: tinyConnector, install: false }),
      InvalidArgumentError,
    );
    assert.deepEqual([...Deno.readDirSync(home)], []);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("VenvExecutor keeps the credentials of a pip URL out of its install error, its log and its marker", async () => {
  const home = await Deno.makeTempDir();
  try {
    const url = "https://deploy:pypi-TOKEN-ABC123@127.0.0.1:9/simple/pkg-1.0.tar.gz";
    const executor = new VenvExecutor({
      name: "source-private-zz",
      pipUrl: url,
      // No retries: the address refuses at once.
      installSteps: [["--retries", "0", "--timeout", "2", url]],
      home,
      runtime: denoRuntime,
    });
    const error = await executor.ensureInstalled().catch((e) => e);
    assert.ok(error instanceof ConnectorInstallError, String(error));
    assert.match(error.message, /deploy:\*\*\*\*@127\.0\.0\.1/);
    const shown = [
      error.message,
      JSON.stringify(error.context),
      await Deno.readTextFile(String(error.context.logFile)),
    ];
    for (const text of shown) assert.ok(!text.includes("TOKEN-ABC123"), text);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
