import assert from "node:assert/strict";
import { AirbyteMessageIterator } from "../../src/protocol/message_iterator.ts";
import type { ParseFailure } from "../../src/protocol/message_parser.ts";
import type { AirbyteMessage } from "../../src/protocol/messages.ts";

const encoder = new TextEncoder();

const LINES = [
  '{"type":"LOG","log":{"level":"INFO","message":"Starting sync"}}',
  '{"type":"RECORD","record":{"stream":"users","data":{"id":1,"name":"Ada"},"emitted_at":1}}',
  "Traceback (most recent call last):",
  "",
  '{"type":"RECORD","record":{"stream":"users","data":{"id":2,"name":"Grace"},"emitted_at":2}}',
  '{"not":"airbyte"}',
  '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"id":2}},"x":1}}',
];

function expectMessages(messages: AirbyteMessage[]): void {
  assert.deepEqual(messages.map((m) => m.type), ["LOG", "RECORD", "RECORD", "STATE"]);
  assert.equal(JSON.stringify(messages[3]), LINES[6]);
}

function recordingOptions() {
  const failures: ParseFailure[] = [];
  return { failures, options: { onInvalidLine: (failure: ParseFailure) => failures.push(failure) } };
}

Deno.test("AirbyteMessageIterator.fromLines skips and reports lines that are not messages", async () => {
  const { failures, options } = recordingOptions();
  expectMessages(await AirbyteMessageIterator.fromLines(LINES, options).toArray());
  assert.deepEqual(failures.map((f) => f.reason), ["not_json", "not_airbyte"]);
  assert.equal(failures[0].excerpt, "Traceback (most recent call last):");
});

Deno.test("AirbyteMessageIterator.fromLines reads an async iterable of lines", async () => {
  async function* lines() {
    yield* LINES;
  }
  const { failures, options } = recordingOptions();
  expectMessages(await AirbyteMessageIterator.fromLines(lines(), options).toArray());
  assert.equal(failures.length, 2);
});

Deno.test("AirbyteMessageIterator.fromLines batches long inputs without losing order", async () => {
  const lines = Array.from(
    { length: 2000 },
    (_, i) => `{"type":"RECORD","record":{"stream":"s","data":{"i":${i}},"emitted_at":${i}}}`,
  );
  const messages = await AirbyteMessageIterator.fromLines(lines).toArray();
  assert.deepEqual(messages.map((m) => (m.type === "RECORD" ? m.record.data.i : -1)), lines.map((_, i) => i));
});

Deno.test("AirbyteMessageIterator.fromByteStream parses a chunked byte stream", async () => {
  const bytes = encoder.encode(LINES.join("\r\n"));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 13) controller.enqueue(bytes.slice(i, i + 13));
      controller.close();
    },
  });
  const { failures, options } = recordingOptions();
  expectMessages(await AirbyteMessageIterator.fromByteStream(stream, options).toArray());
  assert.equal(failures.length, 2);
});

Deno.test("AirbyteMessageIterator.fromByteStream reports oversized lines and goes on", async () => {
  const big = `{"type":"RECORD","record":{"stream":"s","data":{"b":"${"x".repeat(5000)}"},"emitted_at":1}}`;
  const sizes: number[] = [];
  const stream = new Blob([`${LINES[0]}\n${big}\n${LINES[1]}\n`]).stream();
  const messages = await AirbyteMessageIterator.fromByteStream(stream, {
    maxLineBytes: 1000,
    onOversizedLine: (info) => sizes.push(info.bytes),
  }).toArray();
  assert.deepEqual(messages.map((m) => m.type), ["LOG", "RECORD"]);
  assert.deepEqual(sizes, [big.length]);
});

Deno.test("AirbyteMessageIterator.batches yields arrays of messages", async () => {
  const stream = new Blob([LINES.join("\n")]).stream();
  const all: AirbyteMessage[] = [];
  for await (
    const batch of AirbyteMessageIterator.fromByteStream(stream, recordingOptions().options).batches()
  ) {
    assert.ok(Array.isArray(batch));
    all.push(...batch);
  }
  expectMessages(all);
});

Deno.test("AirbyteMessageIterator.fromFile reads a file, reopening it for each iteration", async () => {
  const dir = await Deno.makeTempDir({ prefix: "airbyte-ts-protocol-" });
  try {
    const path = `${dir}/messages.jsonl`;
    await Deno.writeTextFile(path, LINES.join("\n") + "\n");
    let opened = 0;
    const runtime = {
      async openReadStream(p: string): Promise<ReadableStream<Uint8Array>> {
        opened++;
        return (await Deno.open(p)).readable;
      },
    };
    const iterator = AirbyteMessageIterator.fromFile(path, runtime, recordingOptions().options);
    assert.equal(opened, 0, "the file is opened lazily");
    expectMessages(await iterator.toArray());
    expectMessages(await iterator.toArray());
    assert.equal(opened, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AirbyteMessageIterator.fromFile closes the file when the consumer stops early", async () => {
  const dir = await Deno.makeTempDir({ prefix: "airbyte-ts-protocol-" });
  try {
    const path = `${dir}/messages.jsonl`;
    await Deno.writeTextFile(path, LINES.join("\n").repeat(2000));
    let stream: ReadableStream<Uint8Array> | undefined;
    const runtime = {
      async openReadStream(p: string) {
        stream = (await Deno.open(p)).readable;
        return stream;
      },
    };
    for await (const message of AirbyteMessageIterator.fromFile(path, runtime, recordingOptions().options)) {
      assert.equal(message.type, "LOG");
      break;
    }
    assert.equal(stream?.locked, false, "the reader was released");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AirbyteMessageIterator.fromMessages wraps arrays and async iterables", async () => {
  const parsed = await AirbyteMessageIterator.fromLines(LINES, recordingOptions().options).toArray();
  const fromArray = AirbyteMessageIterator.fromMessages(parsed);
  expectMessages(await fromArray.toArray());
  expectMessages(await fromArray.toArray());
  async function* generate() {
    yield* parsed;
  }
  expectMessages(await AirbyteMessageIterator.fromMessages(generate()).toArray());
});

Deno.test("AirbyteMessageIterator warns on console by default, once per bad line", async () => {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    expectMessages(await AirbyteMessageIterator.fromLines(LINES).toArray());
  } finally {
    console.warn = original;
  }
  assert.equal(warnings.length, 2);
  assert.match(
    warnings[0],
    /^Skipping a line that is not JSON \(.*\): 'Traceback \(most recent call last\):'$/,
  );
  assert.match(warnings[1], /^Skipping a JSON line that is not an Airbyte message/);
});
