import assert from "node:assert/strict";
import {
  byteChunks,
  LineSpans,
  LineSplitter,
  LineSplitterStream,
  type OversizedLineInfo,
  splitLineBatches,
  splitLines,
} from "../../src/protocol/line_splitter.ts";
import { parseMessageLine } from "../../src/protocol/message_parser.ts";

const encoder = new TextEncoder();

async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === "string" ? encoder.encode(part) : part;
}

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of source) lines.push(line);
  return lines;
}

/** Split `bytes` into chunks at the given offsets. */
function cutAt(bytes: Uint8Array, ...offsets: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of [...offsets, bytes.length]) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }
  return chunks;
}

Deno.test("splitLines joins a line split across chunks", async () => {
  const lines = await collect(splitLines(chunksOf('{"a":', "1}\n{", '"b":2}\n')));
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}']);
});

Deno.test("splitLines joins a line split across many chunks", async () => {
  const lines = await collect(splitLines(chunksOf("ab", "cd", "ef", "gh\nij", "kl\n")));
  assert.deepEqual(lines, ["abcdefgh", "ijkl"]);
});

Deno.test("splitLines decodes multi-byte characters cut at every byte boundary", async () => {
  const text = "héllo €uro 𝄞 ok\nzweite Zeile 行\r\n🙂\n";
  const expected = ["héllo €uro 𝄞 ok", "zweite Zeile 行", "🙂"];
  const bytes = encoder.encode(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const lines = await collect(splitLines(chunksOf(...cutAt(bytes, cut))));
    assert.deepEqual(lines, expected, `cut at byte ${cut}`);
  }
  for (let a = 1; a < bytes.length; a += 3) {
    const lines = await collect(splitLines(chunksOf(...cutAt(bytes, a, Math.min(a + 2, bytes.length)))));
    assert.deepEqual(lines, expected, `cuts at bytes ${a} and ${a + 2}`);
  }
  const oneByteChunks = [...bytes].map((b) => new Uint8Array([b]));
  assert.deepEqual(await collect(splitLines(chunksOf(...oneByteChunks))), expected);
});

Deno.test("splitLines strips CRLF, even when CR and LF arrive in different chunks", async () => {
  assert.deepEqual(await collect(splitLines(chunksOf("a\r\nb\r\n"))), ["a", "b"]);
  assert.deepEqual(await collect(splitLines(chunksOf("a\r", "\nb\r", "\n"))), ["a", "b"]);
});

Deno.test("splitLines yields a last line without newline", async () => {
  assert.deepEqual(await collect(splitLines(chunksOf("a\nb"))), ["a", "b"]);
  assert.deepEqual(await collect(splitLines(chunksOf("only"))), ["only"]);
  assert.deepEqual(await collect(splitLines(chunksOf("a\n"))), ["a"]);
});

Deno.test("splitLines keeps empty lines and yields nothing for empty input", async () => {
  assert.deepEqual(await collect(splitLines(chunksOf("a\n\n\nb\n"))), ["a", "", "", "b"]);
  assert.deepEqual(await collect(splitLines(chunksOf())), []);
  assert.deepEqual(await collect(splitLines(chunksOf("", new Uint8Array(0)))), []);
});

Deno.test("splitLines drops a leading byte order mark only", async () => {
  const bom = "\uFEFF";
  assert.deepEqual(await collect(splitLines(chunksOf(`${bom}a\n${bom}b\n`))), ["a", `${bom}b`]);
});

Deno.test("splitLines turns invalid UTF-8 into replacement characters", async () => {
  const lines = await collect(splitLines(chunksOf(new Uint8Array([0x61, 0xff, 0x62, 0x0a]))));
  assert.deepEqual(lines, ["a\uFFFDb"]);
});

Deno.test("splitLines copes with a producer that reuses its buffer", async () => {
  async function* reusing(): AsyncGenerator<Uint8Array> {
    const buffer = new Uint8Array(4);
    for (const part of ["abc", "d\nef", "gh\n"]) {
      buffer.fill(0x7a);
      const bytes = encoder.encode(part);
      buffer.set(bytes);
      yield buffer.subarray(0, bytes.length);
    }
  }
  assert.deepEqual(await collect(splitLines(reusing())), ["abcd", "efgh"]);
});

Deno.test("splitLines reads a ReadableStream", async () => {
  const stream = new Blob(["x\n", "y\r\n", "z"]).stream();
  assert.deepEqual(await collect(splitLines(stream)), ["x", "y", "z"]);
});

Deno.test("splitLines passes a 64 MiB line through intact", async () => {
  const size = 64 * 1024 * 1024;
  const prefix = encoder.encode('{"type":"RECORD","record":{"stream":"big","emitted_at":1,"data":{"blob":"');
  const suffix = encoder.encode('"}}}\n{"type":"STATE","state":{"data":{}}}\n');
  const line = new Uint8Array(size);
  line.fill(0x61); // "a"
  line.set(prefix, 0);
  line.set(suffix, size - suffix.length);
  const chunkBytes = 64 * 1024;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < size; offset += chunkBytes) {
      yield line.subarray(offset, offset + chunkBytes);
    }
  }
  const lines = await collect(splitLines(chunks()));
  assert.equal(lines.length, 2);
  const bigLineBytes = size - suffix.length + 4; // the suffix's first line ends after `"}}}`
  assert.equal(lines[0].length, bigLineBytes);
  const outcome = parseMessageLine(lines[0]);
  assert.ok(outcome.ok && outcome.message.type === "RECORD");
  assert.equal((outcome.message.record.data.blob as string).length, bigLineBytes - prefix.length - 4);
  assert.equal(lines[1], '{"type":"STATE","state":{"data":{}}}');
});

Deno.test("splitLines skips an oversized line, reports it, and keeps reading", async () => {
  const reports: OversizedLineInfo[] = [];
  const big = "B" + "x".repeat(10_239);
  const text = `first\n${big}\nthird\nfourth`;
  const bytes = encoder.encode(text);
  // Chunk sizes that put the oversized line across many chunks, and alone inside one.
  for (const chunkSize of [7, 100, 4096, bytes.length]) {
    reports.length = 0;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
    const lines = await collect(
      splitLines(chunksOf(...chunks), { maxLineBytes: 1024, onOversizedLine: (info) => reports.push(info) }),
    );
    assert.deepEqual(lines, ["first", "third", "fourth"], `chunk size ${chunkSize}`);
    assert.equal(reports.length, 1, `chunk size ${chunkSize}`);
    assert.equal(reports[0].bytes, 10_240);
    assert.ok(reports[0].head.startsWith("Bxxx"));
    assert.ok(reports[0].head.length <= 200);
  }
});

Deno.test("splitLines reports an oversized last line without newline", async () => {
  const reports: OversizedLineInfo[] = [];
  const lines = await collect(
    splitLines(chunksOf("ok\n", "y".repeat(50), "y".repeat(50)), {
      maxLineBytes: 60,
      onOversizedLine: (info) => reports.push(info),
    }),
  );
  assert.deepEqual(lines, ["ok"]);
  assert.deepEqual(reports.map((r) => r.bytes), [100]);
});

Deno.test("splitLines keeps a line of exactly maxLineBytes", async () => {
  const reports: OversizedLineInfo[] = [];
  const options = { maxLineBytes: 10, onOversizedLine: (info: OversizedLineInfo) => reports.push(info) };
  const exact = "0123456789";
  assert.deepEqual(await collect(splitLines(chunksOf(`${exact}\n`), options)), [exact]);
  assert.deepEqual(await collect(splitLines(chunksOf("01234", "56789", "\n"), options)), [exact]);
  assert.deepEqual(await collect(splitLines(chunksOf(`${exact}0\n`), options)), []);
  assert.equal(reports.length, 1);
});

Deno.test("splitLines drops an oversized line without holding it, even from a reused buffer", async () => {
  const reports: OversizedLineInfo[] = [];
  const chunk = new Uint8Array(64 * 1024).fill(0x71);
  async function* source(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 1024; i++) yield chunk; // 64 MiB without a newline
    yield encoder.encode("\nafter\n");
  }
  const lines = await collect(
    splitLines(source(), { maxLineBytes: 1024 * 1024, onOversizedLine: (info) => reports.push(info) }),
  );
  assert.deepEqual(lines, ["after"]);
  assert.deepEqual(reports.map((r) => r.bytes), [64 * 1024 * 1024]);
});

Deno.test("splitLines warns on console by default for an oversized line", async () => {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    const lines = await collect(splitLines(chunksOf("z".repeat(40), "\nnext\n"), { maxLineBytes: 16 }));
    assert.deepEqual(lines, ["next"]);
  } finally {
    console.warn = original;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Skipping a line of 40 bytes/);
});

Deno.test("splitLines cancels a ReadableStream when the consumer stops early", async () => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(encoder.encode("line\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const line of splitLines(stream)) {
    assert.equal(line, "line");
    break;
  }
  assert.ok(cancelled);
});

Deno.test("byteChunks releases a fully read ReadableStream", async () => {
  const stream = new Blob(["abc"]).stream();
  let total = 0;
  for await (const chunk of byteChunks(stream)) total += chunk.length;
  assert.equal(total, 3);
  assert.equal(stream.locked, false);
});

Deno.test("splitLineBatches yields the lines each chunk completes", async () => {
  const batches: string[][] = [];
  for await (const batch of splitLineBatches(chunksOf("a\nb\nc", "d\n", "e"))) batches.push(batch);
  assert.deepEqual(batches, [["a", "b"], ["cd"], ["e"]]);
});

Deno.test("LineSplitter appends to a given array", () => {
  const splitter = new LineSplitter();
  const out: string[] = ["kept"];
  splitter.push(encoder.encode("a\nb"), out);
  splitter.flush(out);
  assert.deepEqual(out, ["kept", "a", "b"]);
  assert.deepEqual(splitter.flush(), []);
});

Deno.test("LineSplitterStream splits bytes piped through it", async () => {
  const lines = new Blob(["h\u00e9\n", "w\u00f6rld\r\n", "end"]).stream().pipeThrough(
    new LineSplitterStream(),
  );
  assert.deepEqual(await collect(lines), ["hé", "wörld", "end"]);
});

/** Every line `pushSpans` + `flushSpans` give for `chunks`, decoded. */
function spanLines(splitter: LineSplitter, chunks: Uint8Array[]): string[] {
  const spans = new LineSpans();
  const decoder = new TextDecoder();
  const lines: string[] = [];
  const take = () => {
    for (let k = 0; k < spans.count; k++) lines.push(spans.text(k, decoder));
  };
  for (const chunk of chunks) {
    splitter.pushSpans(chunk, spans);
    take();
  }
  splitter.flushSpans(spans);
  take();
  return lines;
}

Deno.test("LineSplitter.pushSpans gives the same lines as push, for any cut of the bytes", () => {
  const text = '\ufeff{"a":1}\r\nh\u00e9 \u{1F600}\n\n{"b":"x"}\r\nlast';
  const bytes = encoder.encode(text);
  const expected = ['{"a":1}', "h\u00e9 \u{1F600}", "", '{"b":"x"}', "last"];
  for (let cut = 0; cut <= bytes.length; cut++) {
    for (const second of [cut, Math.min(bytes.length, cut + 3)]) {
      assert.deepEqual(
        spanLines(new LineSplitter(), cutAt(bytes, cut, second)),
        expected,
        `cut at ${cut}/${second}`,
      );
    }
  }
});

Deno.test("LineSplitter.pushSpans skips an oversized line, reports it, and keeps reading", () => {
  const reports: OversizedLineInfo[] = [];
  const splitter = new LineSplitter({ maxLineBytes: 10, onOversizedLine: (info) => reports.push(info) });
  const lines = spanLines(
    splitter,
    cutAt(encoder.encode("ok\n0123456789ABC\nfine\n0123456789XYZ-tail"), 5, 20),
  );
  assert.deepEqual(lines, ["ok", "fine"]);
  assert.deepEqual(reports.map((r) => r.bytes), [13, 18]);
  assert.ok(reports[0].head.startsWith("0123456789"));
});

Deno.test("LineSplitter.pushSpans spans point into the chunk without copying complete lines", () => {
  const chunk = encoder.encode("one\ntwo\n");
  const spans = new LineSplitter().pushSpans(chunk, new LineSpans());
  assert.equal(spans.count, 2);
  assert.equal(spans.buffers[1], chunk);
  assert.deepEqual([spans.starts[1], spans.ends[1]], [4, 7]);
});
