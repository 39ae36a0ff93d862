/**
 * Behaviours every process-capable runtime adapter must show, written once and run on each real
 * runtime: in Deno by `deno_test.ts`, in Node by `node_test.ts` (through a bundled probe).
 *
 * @module
 */
import assert from "node:assert/strict";
import { splitLines } from "../../src/protocol/line_splitter.ts";
import { SubprocessFailedError } from "../../src/errors.ts";
import { SubprocessExecutor } from "../../src/executors/subprocess.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";

/** One behaviour, checked against a runtime. */
export interface RuntimeCase {
  name: string;
  run(rt: Runtime, fixtures: string): Promise<void>;
}

/** `Array.fromAsync` is not in Node 20. */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/** Live (non-zombie) members of process group `pgid`. */
async function groupMembers(rt: Runtime, pgid: number): Promise<string[]> {
  const { stdout } = await rt.run("ps", ["-e", "-o", "pid=,pgid=,stat="]);
  return stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) =>
    f.length === 3 && Number(f[1]) === pgid && !f[2].startsWith("Z")
  ).map((f) => f.join(" "));
}

/** Wait (bounded) for the group to empty; returns what is still alive at the deadline. */
export async function waitForGroupGone(rt: Runtime, pgid: number, ms = 5000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = await groupMembers(rt, pgid);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function fileMode(rt: Runtime, path: string): Promise<string> {
  return (await rt.run("stat", ["-c", "%a", path])).stdout.trim();
}

/** The shared cases. */
export const runtimeCases: RuntimeCase[] = [
  {
    name: "run collects output and the exit code",
    async run(rt) {
      assert.deepEqual(await rt.run("sh", ["-c", "echo out; echo err >&2; exit 4"]), {
        code: 4,
        stdout: "out\n",
        stderr: "err\n",
      });
    },
  },
  {
    name: "run and spawn report a missing executable as NotFound",
    async run(rt) {
      await assert.rejects(rt.run("/nonexistent/zz-tool", []), (e: Error) => e.name === "NotFound");
      assert.throws(() => rt.spawn("/nonexistent/zz-tool", []), (e: Error) => e.name === "NotFound");
    },
  },
  {
    name: "spawn streams stdout and stderr and reports the exit status",
    async run(rt) {
      const child = rt.spawn("sh", ["-c", "echo a; echo b >&2; exit 3"]);
      assert.ok(child.pid > 0);
      assert.equal(child.stdin, undefined);
      const [out, err, status] = await Promise.all([text(child.stdout), text(child.stderr), child.status]);
      assert.equal(out, "a\n");
      assert.equal(err, "b\n");
      assert.deepEqual(status, { code: 3, signal: null });
    },
  },
  {
    name: "spawn adds env to the parent's environment and honours cwd",
    async run(rt) {
      const dir = await rt.makeTempDir("rt-cwd-");
      try {
        const child = rt.spawn("sh", ["-c", 'echo "$ZZ_EXTRA|${HOME:+has-home}|$(pwd)"'], {
          env: { ZZ_EXTRA: "x1" },
          cwd: dir,
        });
        const [out] = await Promise.all([text(child.stdout), text(child.stderr), child.status]);
        assert.equal(out.trim(), `x1|has-home|${dir}`);
      } finally {
        await rt.remove(dir);
      }
    },
  },
  {
    name: "spawn with stdin pipes bytes through",
    async run(rt) {
      const child = rt.spawn("cat", [], { stdin: true });
      const writer = child.stdin!.getWriter();
      const output = Promise.all([text(child.stdout), text(child.stderr)]);
      await writer.write(new TextEncoder().encode("hello\nworld\n"));
      await writer.close();
      const [[out], status] = await Promise.all([output, child.status]);
      assert.equal(out, "hello\nworld\n");
      assert.equal(status.code, 0);
    },
  },
  {
    name: "killTree ends the child and every descendant",
    async run(rt, fixtures) {
      const child = rt.spawn("sh", [`${fixtures}/spawn_tree.sh`, "quiet"]);
      const reader = child.stdout.getReader();
      const { value } = await reader.read();
      const line = new TextDecoder().decode(value);
      assert.equal(Number(line.trim().slice(6)), child.pid, "the child leads its own process group");
      child.killTree("SIGKILL");
      const status = await child.status;
      assert.deepEqual(status, { code: null, signal: "SIGKILL" });
      await reader.cancel();
      await child.stderr.cancel();
      assert.deepEqual(await waitForGroupGone(rt, child.pid), []);
      child.killTree("SIGTERM"); // a gone group: never throws
    },
  },
  {
    name: "files: temp dir 0700, file modes, append, read stream, exists, remove",
    async run(rt) {
      const dir = await rt.makeTempDir("rt-files-");
      try {
        assert.equal(await fileMode(rt, dir), "700");
        const nested = rt.joinPath(dir, "a", "b");
        await rt.mkdir(nested);
        await rt.mkdir(nested); // again: fine
        const file = rt.joinPath(nested, "f.json");
        await rt.writeTextFile(file, "one\n", { mode: 0o600 });
        await rt.writeTextFile(file, "two\n", { append: true });
        assert.equal(await fileMode(rt, file), "600");
        assert.equal(await rt.readTextFile(file), "one\ntwo\n");
        assert.equal(await text(await rt.openReadStream(file)), "one\ntwo\n");
        const log = await rt.openAppendFile(rt.joinPath(dir, "run.log"));
        log.write("x\n");
        log.write("y\n");
        await log.close();
        assert.equal(await rt.readTextFile(rt.joinPath(dir, "run.log")), "x\ny\n");
        assert.equal(await fileMode(rt, rt.joinPath(dir, "run.log")), "600");
        assert.equal(await rt.exists(file), true);
        assert.equal(await rt.exists(rt.joinPath(dir, "nope")), false);
        await rt.remove(rt.joinPath(dir, "a"));
        assert.equal(await rt.exists(nested), false);
        await rt.remove(rt.joinPath(dir, "a")); // missing: fine
        await assert.rejects(rt.readTextFile(rt.joinPath(dir, "nope")));
      } finally {
        await rt.remove(dir);
      }
      assert.equal(await rt.exists(dir), false);
    },
  },
  {
    name: "environment, paths and process facts",
    async run(rt) {
      assert.equal(await rt.exists(rt.cwd()), true);
      assert.equal(rt.joinPath("/a", "b", "c.txt"), "/a/b/c.txt");
      assert.ok(rt.homeDir().startsWith("/"));
      assert.ok(rt.cwd().startsWith("/"));
      assert.equal(rt.env("PATH") !== undefined, true);
      assert.equal(rt.env("ZZ_SURELY_UNSET_VARIABLE"), undefined);
      assert.equal(typeof rt.stderrIsTerminal(), "boolean");
      const rss = rt.memoryRss();
      assert.ok(rss === undefined || rss > 1_000_000);
      const me = rt.processIdentity();
      assert.ok(me && me.pid > 0 && me.hostname.length > 0, JSON.stringify(me));
      assert.equal(rt.processAlive(me.pid), true);
      const child = rt.spawn("true", []);
      await child.status;
      await child.stdout.cancel();
      await child.stderr.cancel();
      assert.equal(rt.processAlive(child.pid), false, "an ended (and reaped) process is not alive");
    },
  },
  {
    name: "SubprocessExecutor streams, pipes stdin and cleans up on this runtime",
    async run(rt, fixtures) {
      const cat = new SubprocessExecutor({ command: "cat", runtime: rt, logDir: false });
      async function* input() {
        for (let i = 0; i < 20_000; i++) yield `line ${i}`;
      }
      let count = 0;
      for await (const line of splitLines(cat.execute([], { stdin: input() }))) {
        if (line !== `line ${count}`) throw new Error(`line ${count} came back as '${line}'`);
        count++;
      }
      assert.equal(count, 20_000);

      const files = new SubprocessExecutor({
        command: "sh",
        args: [`${fixtures}/show_files.sh`],
        runtime: rt,
        logDir: false,
      });
      const [shown] = await collect(splitLines(files.execute(["ok"], { files: { "--config": "{}" } })));
      const [, path, mode, dirMode] = shown.split(" ");
      assert.deepEqual([mode, dirMode], ["600", "700"]);
      assert.equal(await rt.exists(path), false);

      const failing = new SubprocessExecutor({
        command: "sh",
        args: [`${fixtures}/fail_with_stderr.sh`],
        runtime: rt,
        logDir: false,
      });
      await assert.rejects(collect(splitLines(failing.execute(["read"]))), SubprocessFailedError);

      const tree = new SubprocessExecutor({
        command: "sh",
        args: [`${fixtures}/spawn_tree.sh`],
        runtime: rt,
        logDir: false,
      });
      let group = 0;
      for await (const line of splitLines(tree.execute(["read"]))) {
        if (line.startsWith("group:")) group = Number(line.slice(6));
        if (line === "line 0") break;
      }
      assert.ok(group > 0);
      assert.deepEqual(await waitForGroupGone(rt, group), []);

      const controller = new AbortController();
      await assert.rejects(async () => {
        for await (const line of splitLines(tree.execute(["quiet"], { signal: controller.signal }))) {
          group = Number(line.slice(6));
          controller.abort();
        }
      }, (e: Error) => e.name === "AbortError");
      assert.deepEqual(await waitForGroupGone(rt, group), []);
    },
  },
  {
    name:
      "httpRequest and connect speak to a service on a unix socket and on TCP; closing writable half-closes",
    async run(rt, fixtures) {
      const dir = await rt.makeTempDir("rt-socket-");
      const path = rt.joinPath(dir, "server.sock");
      const server = rt.spawn("python3", [`${fixtures}/socket_server.py`, path], { stdin: true });
      const stdin = server.stdin!.getWriter();
      try {
        const reader = server.stdout.getReader();
        let banner = "";
        while (!banner.includes("\n")) {
          const { done, value } = await reader.read();
          if (done) throw new Error("the socket server did not start");
          banner += new TextDecoder().decode(value);
        }
        reader.releaseLock();
        const port = Number(/PORT=(\d+)/.exec(banner)![1]);
        const addresses = [
          { transport: "unix" as const, path },
          { transport: "tcp" as const, hostname: "127.0.0.1", port },
        ];
        for (const address of addresses) {
          const response = await rt.httpRequest(address, {
            method: "POST",
            path: "/things?x=1",
            headers: { "x-test": "yes", "content-type": "text/plain" },
            body: "payload",
          });
          assert.equal(response.status, 200);
          assert.equal(response.headers["x-reply"], "yes");
          assert.deepEqual(JSON.parse(await text(response.body)), {
            method: "POST",
            path: "/things?x=1",
            body: "payload",
            header_x: "yes",
          });

          const connection = await rt.connect(address);
          const writer = connection.writable.getWriter();
          await writer.write(
            new TextEncoder().encode("POST /echo HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\n\r\n"),
          );
          await writer.write(new TextEncoder().encode("ping"));
          await writer.close(); // half-close: the server still answers
          const received = await text(connection.readable);
          assert.match(received, /^HTTP\/1\.1 101 UPGRADED\r\n/);
          assert.ok(received.endsWith("\r\n\r\npingBYE"), JSON.stringify(received));
          connection.close();
        }
        await assert.rejects(rt.httpRequest({ transport: "unix", path: rt.joinPath(dir, "none.sock") }, {
          method: "GET",
          path: "/",
        }));
        await assert.rejects(rt.connect({ transport: "unix", path: rt.joinPath(dir, "none.sock") }));
      } finally {
        await stdin.close().catch(() => {});
        server.killTree("SIGKILL");
        await server.status;
        await server.stdout.cancel().catch(() => {});
        await server.stderr.cancel().catch(() => {});
        await rt.remove(dir);
      }
    },
  },
  {
    name: "stat and ranged read streams",
    async run(rt) {
      const dir = await rt.makeTempDir("airbyte-ts-rt-range-");
      try {
        const path = rt.joinPath(dir, "bytes.txt");
        await rt.writeTextFile(path, "0123456789");
        const info = await rt.stat(path);
        assert.equal(info?.size, 10);
        assert.ok((info?.mtimeMs ?? 0) > 0);
        assert.equal(await rt.stat(rt.joinPath(dir, "missing")), undefined);
        assert.equal(await text(await rt.openReadStream(path, { start: 3, end: 7 })), "3456");
        assert.equal(await text(await rt.openReadStream(path, { start: 8, end: 8 })), "");
        assert.equal(await text(await rt.openReadStream(path)), "0123456789");
      } finally {
        await rt.remove(dir);
      }
    },
  },
];
