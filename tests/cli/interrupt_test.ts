// Ctrl-C during a read with the live progress display, on a real pseudo-terminal (util-linux
// `script`): the "Interrupted" notice must stay on screen through the display's redraws and its end.
import assert from "node:assert/strict";
import { fixture, ROOT, tempDir } from "../_support.ts";
import { TerminalModel } from "../progress/_terminal.ts";

Deno.test("airbyte-ts read keeps the Ctrl-C notice on screen while the live display redraws and ends", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/c.json`, "{}");
  const read = [
    `${ROOT}/node_modules/.bin/deno`,
    "run",
    "-A",
    `${ROOT}/src/cli/main.ts`,
    "read",
    "source-hang",
    "--executable",
    fixture("source_hang.py"),
    "--config",
    `${dir.path}/c.json`,
    "--cache",
    `${dir.path}/c.duckdb`,
    "--progress",
    "tty",
  ].map((a) => `'${a}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", `env -u CI COLUMNS=100 ${read}`, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const terminal = new TerminalModel();
  const decoder = new TextDecoder();
  const writer = child.stdin.getWriter();
  let seen = "";
  let interrupted = false;
  for await (const chunk of child.stdout) {
    const text = decoder.decode(chunk, { stream: true });
    terminal.write(text);
    seen += text;
    // Ctrl-C once the live display is up (the connector then hangs until stopped).
    if (!interrupted && seen.includes("read source-hang:")) {
      interrupted = true;
      await writer.write(new Uint8Array([3]));
    }
  }
  await writer.close().catch(() => {});
  const status = await child.status;
  await child.stderr.cancel();
  assert.ok(interrupted, `the live display never appeared:\n${seen}`);
  assert.notEqual(status.code, 0);
  const screen = terminal.lines.filter((line) => line.trim() !== "");
  assert.deepEqual(screen, [
    "Interrupted: stopping the connector (Ctrl-C again to quit at once)...",
    screen[1],
    "airbyte-ts: Interrupted by Ctrl-C.",
  ]);
  assert.match(screen[1], /^\[read source-hang\] failed after [\d.]+s \(\d streams?, \d+ records\)$/);
});
