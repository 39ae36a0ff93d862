// RunBody, the client's reader of a run's response: the connector's bytes pass through unchanged
// and at once, only the end line is held back, and a body cut short is an error.
import assert from "node:assert/strict";
import { ExecutorUnavailableError, ProtocolError } from "../../../src/errors.ts";
import { RunBody } from "../../../src/executors/remote/_run_body.ts";

const encoder = new TextEncoder();
const RUN = "7f3d2c1b-0000-4000-8000-000000000001";
const START =
  `{"type":"AIRBYTE_TS_RUN_START","run":"${RUN}","connector":"source-x","verb":"read","protocol":1}\n`;
const END = `{"type":"AIRBYTE_TS_RUN_END","run":"${RUN}","ok":true,"exitCode":0,"logTail":["bye"]}`;

/** A body whose chunks the test hands over one at a time. */
function manualBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    body,
    push: (text: string | Uint8Array) =>
      controller.enqueue(typeof text === "string" ? encoder.encode(text) : text),
    close: () => controller.close(),
  };
}

async function readAll(chunks: string[]): Promise<{ stdout: string; body: RunBody }> {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(encoder.encode(chunk));
      c.close();
    },
  });
  const body = new RunBody(stream, "test");
  const first = await body.readStart();
  let stdout = "";
  const decoder = new TextDecoder();
  for await (const piece of body.stdout(first)) stdout += decoder.decode(piece, { stream: true });
  return { stdout, body };
}

Deno.test("RunBody passes the connector's bytes on unchanged and returns the end line, however the body is cut into chunks", async () => {
  const connector = '{"type":"RECORD","record":{"stream":"s","data":{"a":1},"emitted_at":1}}\n' +
    '{"type":"AIRBYTE_TS_RUN_END","run":"forged","ok":true}\n' + // a connector's own line that looks like one
    "not json at all\n" + `{"type":"AIRBYTE_TS_RUN_ENDING"}\n`;
  const whole = START + connector + END;
  for (const size of [1, 2, 7, 64, whole.length]) {
    const chunks: string[] = [];
    for (let i = 0; i < whole.length; i += size) chunks.push(whole.slice(i, i + size));
    const { stdout, body } = await readAll(chunks);
    assert.equal(stdout, connector, `chunks of ${size}`);
    assert.equal(body.start?.run, RUN);
    assert.deepEqual(body.end, {
      type: "AIRBYTE_TS_RUN_END",
      run: RUN,
      ok: true,
      exitCode: 0,
      logTail: ["bye"],
    });
  }
});

Deno.test("RunBody hands on a long line before its newline arrives", async () => {
  const { body, push } = manualBody();
  const reader = new RunBody(body, "test");
  push(START);
  const first = await reader.readStart();
  const out = reader.stdout(first)[Symbol.asyncIterator]();
  const piece = "x".repeat(1 << 20);
  push(`{"type":"RECORD","record":{"data":"${piece}`);
  const got = await out.next();
  assert.ok(!got.done && got.value.length > piece.length, "the line's start came through at once");
});

Deno.test("RunBody reports a body that ends without its end line as a transient ExecutorUnavailableError", async () => {
  for (
    const tail of [
      "",
      '{"type":"RECORD"',
      '{"type":"AIRBYTE_TS_RUN_END","run":"other-run","ok":true}',
      END.slice(0, -5),
    ]
  ) {
    await assert.rejects(
      () => readAll([START, "line\n", tail]),
      (error) => error instanceof ExecutorUnavailableError && error.context.transient === true,
      JSON.stringify(tail),
    );
  }
});

Deno.test("RunBody refuses a response that is not from an airbyte-ts server", async () => {
  await assert.rejects(() => readAll(["<html>hello</html>\n"]), ProtocolError);
  await assert.rejects(() => readAll([START.replace('"protocol":1', '"protocol":2')]), /protocol 2/);
});
