// The tar that carries config/catalog/state into a container, and user name resolution.
import assert from "node:assert/strict";
import { containerFiles, resolveOwner } from "../../../src/executors/docker/_container_files.ts";

/** List a tar with GNU tar itself: the format must be what real extractors read. */
async function listTar(tar: Uint8Array): Promise<string[]> {
  const child = new Deno.Command("tar", {
    args: ["--numeric-owner", "-tvf", "-"],
    stdin: "piped",
    stdout: "piped",
  })
    .spawn();
  const writer = child.stdin.getWriter();
  await writer.write(tar);
  await writer.close();
  const out = await child.output();
  return new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => {
    const f = l.split(/\s+/);
    return `${f[0]} ${f[1]} ${f[5]}`;
  });
}

Deno.test("containerFiles makes a 0700 directory and 0600 files owned by the connector user", async () => {
  const { tar, args } = containerFiles(
    { "--config": '{"api_key":"k"}', "--catalog": "{}", "--state": "[]" },
    "/airbyte",
    { uid: 1000, gid: 1001 },
  );
  assert.deepEqual(args, [
    "--config",
    "/airbyte/airbyte-ts-files/config.json",
    "--catalog",
    "/airbyte/airbyte-ts-files/catalog.json",
    "--state",
    "/airbyte/airbyte-ts-files/state.json",
  ]);
  assert.deepEqual(await listTar(tar), [
    "drwx------ 1000/1001 airbyte-ts-files/",
    "-rw------- 1000/1001 airbyte-ts-files/config.json",
    "-rw------- 1000/1001 airbyte-ts-files/catalog.json",
    "-rw------- 1000/1001 airbyte-ts-files/state.json",
  ]);
});

Deno.test("containerFiles keeps odd flags inside the directory and paths under '/' clean", () => {
  const { args } = containerFiles({ "--../../etc/passwd": "x" }, "/", { uid: 0, gid: 0 });
  assert.deepEqual(args, ["--../../etc/passwd", "/airbyte-ts-files/.._.._etc_passwd.json"]);
});

Deno.test("resolveOwner reads names, numbers and groups like the engines do", () => {
  const passwd =
    "root:x:0:0:root:/root:/bin/sh\nairbyte:x:1000:1000::/home/airbyte:/bin/sh\napp:x:2000:3000::/:/bin/sh\n";
  const group = "root:x:0:\nairbyte:x:1000:\nstaff:x:50:\n";
  assert.deepEqual(resolveOwner("", undefined, undefined), { uid: 0, gid: 0 });
  assert.deepEqual(resolveOwner("airbyte", passwd, group), { uid: 1000, gid: 1000 });
  assert.deepEqual(resolveOwner("app", passwd, group), { uid: 2000, gid: 3000 });
  assert.deepEqual(resolveOwner("2000", passwd, group), { uid: 2000, gid: 3000 });
  assert.deepEqual(resolveOwner("4242", passwd, group), { uid: 4242, gid: 0 });
  assert.deepEqual(resolveOwner("airbyte:staff", passwd, group), { uid: 1000, gid: 50 });
  assert.deepEqual(resolveOwner("7:8", undefined, undefined), { uid: 7, gid: 8 });
  assert.deepEqual(resolveOwner("nobody", passwd, group), {
    missing: "user 'nobody' (not in the image's /etc/passwd)",
  });
  assert.deepEqual(resolveOwner("airbyte:wheel", passwd, group), {
    missing: "group 'wheel' (not in the image's /etc/group)",
  });
});
