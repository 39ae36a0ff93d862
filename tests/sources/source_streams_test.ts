// Stream selection takes names, one name, or "*": a single name is one stream, never its letters.
import assert from "node:assert/strict";
import { DuckDBCache, getSource, InvalidArgumentError, StreamNotFoundError } from "../../mod.ts";
import { counter, fixture } from "../_support.ts";

Deno.test("A single stream name selects that one stream, in getSource, selectStreams and read", async () => {
  const source = await getSource("source-counter", {
    localExecutable: fixture("source_counter.py"),
    config: { count: 3, second_stream: true },
    streams: "numbers",
  });
  await source.discover();
  assert.deepEqual(source.getSelectedStreams(), ["numbers"]);
  source.selectStreams("letters");
  assert.deepEqual(source.getSelectedStreams(), ["letters"]);
  await using cache = new DuckDBCache({ path: ":memory:" });
  const result = await source.read({ cache, progress: "none", streams: "numbers" });
  assert.deepEqual([...result.recordsPerStream.keys()], ["numbers"]);
  // A name that is not a stream is reported as one name, not as letters.
  assert.throws(() => source.selectStreams("sq"), (error: Error) => {
    assert.ok(error instanceof StreamNotFoundError, String(error));
    assert.match(error.message, /Cannot find stream 'sq'\./);
    return true;
  });
});

Deno.test('Stream choices that are neither names nor "*" fail with InvalidArgumentError', async () => {
  const source = await counter({ count: 1 });
  for (const bad of [[1], [""], { users: true }, null]) {
    assert.throws(() => source.selectStreams(bad as never), InvalidArgumentError, JSON.stringify(bad));
  }
});
