// The attach stream demultiplexer, on byte sequences as engines send them.
import assert from "node:assert/strict";
import { FrameDemuxer } from "../../../src/executors/docker/_frames.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function frame(stream: number, text: string): Uint8Array {
  const payload = encoder.encode(text);
  const out = new Uint8Array(8 + payload.length);
  out[0] = stream;
  new DataView(out.buffer).setUint32(4, payload.length);
  out.set(payload, 8);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Feed `bytes` in pieces of `size` and collect both streams as text. */
function demux(bytes: Uint8Array, size: number): { stdout: string; stderr: string; framed?: boolean } {
  const demuxer = new FrameDemuxer();
  let stdout = "";
  let stderr = "";
  const take = (parts: { stdout: Uint8Array[]; stderr: Uint8Array[] }) => {
    for (const p of parts.stdout) stdout += decoder.decode(p, { stream: true });
    for (const p of parts.stderr) stderr += decoder.decode(p);
  };
  for (let i = 0; i < bytes.length; i += size) take(demuxer.push(bytes.subarray(i, i + size)));
  take(demuxer.end());
  return { stdout, stderr, framed: demuxer.framed };
}

Deno.test("FrameDemuxer splits stdout and stderr frames whatever the chunk boundaries", () => {
  const bytes = concat(
    frame(1, "line one\n"),
    frame(2, "oops\n"),
    frame(1, "line two\n"),
    frame(2, "more\n"),
  );
  for (const size of [1, 3, 7, 8, 9, 16, 1000]) {
    assert.deepEqual(demux(bytes, size), {
      stdout: "line one\nline two\n",
      stderr: "oops\nmore\n",
      framed: true,
    }, `chunks of ${size}`);
  }
});

Deno.test("FrameDemuxer passes raw (TTY) output through as stdout, decided from the first bytes", () => {
  const raw = encoder.encode('{"type":"LOG"}\n{"type":"RECORD"}\n');
  for (const size of [1, 5, 100]) {
    assert.deepEqual(demux(raw, size), {
      stdout: '{"type":"LOG"}\n{"type":"RECORD"}\n',
      stderr: "",
      framed: false,
    });
  }
});

Deno.test("FrameDemuxer keeps fewer than 8 raw bytes and empty and huge frames", () => {
  assert.deepEqual(demux(encoder.encode("ok\n"), 2), { stdout: "ok\n", stderr: "", framed: undefined });
  const big = "x".repeat(300_000) + "\n";
  assert.equal(demux(concat(frame(1, ""), frame(1, big), frame(2, "")), 65536).stdout, big);
});

Deno.test("FrameDemuxer hands out views into the chunk, not copies", () => {
  const bytes = concat(frame(1, "abc"), frame(1, "def"));
  const parts = new FrameDemuxer().push(bytes);
  assert.equal(parts.stdout.length, 2);
  assert.equal(parts.stdout[0].buffer, bytes.buffer);
});
