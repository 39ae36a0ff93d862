import assert from "node:assert/strict";
import { splitLines } from "../../src/protocol/line_splitter.ts";
import { InvalidArgumentError, SubprocessFailedError } from "../../src/errors.ts";
import {
  type InProcessConnector,
  InProcessExecutor,
  type InProcessMessage,
} from "../../src/executors/in_process.ts";

const catalog = { streams: [{ stream: { name: "n", json_schema: {} }, sync_mode: "full_refresh" }] };

function numbers(log: string[] = []): InProcessConnector {
  return {
    name: "source-numbers",
    spec: () =>
      Promise.resolve({
        connectionSpecification: { type: "object", properties: { count: { type: "integer" } } },
      }),
    check: (config) =>
      Promise.resolve(
        (config.count as number) >= 0 ? { status: "SUCCEEDED" } : { status: "FAILED", message: "count < 0" },
      ),
    // A bare iterable works too.
    discover: () => [{ type: "CATALOG", catalog: { streams: [{ name: "n", json_schema: {} }] } }],
    async *read(config, _catalog, state) {
      const start = (state as { n?: number } | undefined)?.n ?? 0;
      try {
        for (let i = start; i < (config.count as number); i++) {
          yield { type: "RECORD", record: { stream: "n", data: { i }, emitted_at: 0 } };
        }
        yield { type: "STATE", state: { type: "LEGACY", data: { n: config.count } } };
      } finally {
        log.push("read closed");
      }
    },
    async *write(_config, _catalog, input) {
      let records = 0;
      for await (const message of input) {
        if (message.type === "RECORD") records++;
        if (message.type === "STATE") yield { ...message, state: { ...(message.state as object), records } };
      }
    },
  };
}

const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as InProcessMessage);

Deno.test("InProcessExecutor wraps bare spec, check and discover results into messages", async () => {
  const executor = new InProcessExecutor(numbers());
  assert.equal(executor.name, "in-process:source-numbers");
  const [spec] = parse(await Array.fromAsync(splitLines(executor.execute(["spec"]))));
  assert.equal(spec.type, "SPEC");
  assert.ok((spec.spec as { connectionSpecification: object }).connectionSpecification);
  const [ok] = parse(
    await Array.fromAsync(splitLines(executor.execute(["check"], { files: { "--config": '{"count":1}' } }))),
  );
  assert.deepEqual(ok, { type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED" } });
  const [bad] = parse(
    await Array.fromAsync(splitLines(executor.execute(["check"], { files: { "--config": '{"count":-1}' } }))),
  );
  assert.deepEqual(bad, {
    type: "CONNECTION_STATUS",
    connectionStatus: { status: "FAILED", message: "count < 0" },
  });
  const [cat] = parse(
    await Array.fromAsync(splitLines(executor.execute(["discover"], { files: { "--config": "{}" } }))),
  );
  assert.equal(cat.type, "CATALOG");
});

Deno.test("InProcessExecutor reads with config, catalog and state from the files map", async () => {
  const files = { "--config": '{"count":5}', "--catalog": JSON.stringify(catalog), "--state": '{"n":3}' };
  const messages = parse(
    await Array.fromAsync(splitLines(new InProcessExecutor(numbers()).execute(["read"], { files }))),
  );
  assert.deepEqual(messages.map((m) => m.type), ["RECORD", "RECORD", "STATE"]);
  assert.equal((messages[0].record as { data: { i: number } }).data.i, 3);
});

Deno.test("InProcessExecutor feeds stdin lines to write as messages", async () => {
  async function* input() {
    yield JSON.stringify({ type: "RECORD", record: { stream: "n", data: {}, emitted_at: 0 } });
    yield "";
    yield JSON.stringify({ type: "RECORD", record: { stream: "n", data: {}, emitted_at: 0 } });
    yield JSON.stringify({ type: "STATE", state: { type: "LEGACY", data: {} } });
  }
  const files = { "--config": "{}", "--catalog": JSON.stringify(catalog) };
  const out = parse(
    await Array.fromAsync(
      splitLines(new InProcessExecutor(numbers()).execute(["write"], { files, stdin: input() })),
    ),
  );
  assert.deepEqual(out, [{ type: "STATE", state: { type: "LEGACY", data: {}, records: 2 } }]);
});

Deno.test("InProcessExecutor ends the connector's generator when the consumer stops early", async () => {
  const log: string[] = [];
  const files = { "--config": '{"count":1000000}', "--catalog": "{}" };
  let seen = 0;
  for await (const _ of splitLines(new InProcessExecutor(numbers(log)).execute(["read"], { files }))) {
    if (++seen === 3) break;
  }
  assert.deepEqual(log, ["read closed"]);
});

Deno.test("InProcessExecutor turns a thrown error into a TRACE line and SubprocessFailedError", async () => {
  const failing: InProcessConnector = {
    ...numbers(),
    // deno-lint-ignore require-yield
    async *read() {
      throw new Error("upstream said 500");
    },
  };
  const lines: string[] = [];
  const executor = new InProcessExecutor(failing);
  await assert.rejects(async () => {
    for await (
      const line of splitLines(executor.execute(["read"], { files: { "--config": "{}", "--catalog": "{}" } }))
    ) {
      lines.push(line);
    }
  }, (e: SubprocessFailedError) => e instanceof SubprocessFailedError && /upstream said 500/.test(e.message));
  const [trace] = parse(lines);
  assert.equal(trace.type, "TRACE");
  assert.equal((trace.trace as { error: { message: string } }).error.message, "upstream said 500");
  assert.match(executor.lastLogLines()[0], /source-numbers read failed: upstream said 500/);
});

Deno.test("InProcessExecutor abort interrupts a connector stuck awaiting", async () => {
  const stuck: InProcessConnector = {
    ...numbers(),
    async *read() {
      yield { type: "RECORD", record: { stream: "n", data: {}, emitted_at: 0 } };
      await new Promise(() => {}); // never settles
    },
  };
  const controller = new AbortController();
  const reason = new Error("stop");
  await assert.rejects(async () => {
    for await (
      const _ of splitLines(new InProcessExecutor(stuck).execute(["read"], {
        files: { "--config": "{}", "--catalog": "{}" },
        signal: controller.signal,
      }))
    ) {
      controller.abort(reason);
    }
  }, (e) => e === reason);
});

Deno.test("InProcessExecutor rejects an unknown verb and a missing config", async () => {
  const executor = new InProcessExecutor(numbers());
  await assert.rejects(Array.fromAsync(splitLines(executor.execute(["sync"]))), InvalidArgumentError);
  await assert.rejects(Array.fromAsync(splitLines(executor.execute(["check"]))), /without '--config'/);
  await assert.rejects(
    Array.fromAsync(splitLines(executor.execute(["check"], { files: { "--config": "{" } }))),
    /not JSON/,
  );
});
