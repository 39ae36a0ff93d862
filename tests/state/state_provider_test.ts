import assert from "node:assert/strict";
import { JoinedStateProvider, NoOpStateWriter, StaticInputState, StdOutStateWriter } from "../../mod.ts";

const stream = (name: string, cursor: number) => ({
  type: "STREAM" as const,
  stream: { stream_descriptor: { name }, stream_state: { cursor } },
});
const global = {
  type: "GLOBAL" as const,
  global: {
    shared_state: { lsn: 9 },
    stream_states: [{ stream_descriptor: { name: "a" }, stream_state: { cursor: 1 } }],
  },
};

Deno.test("StaticInputState keeps the last state per stream and lists known streams, GLOBAL ones included", () => {
  const p = new StaticInputState([stream("a", 1), stream("a", 2), stream("b", 3), global]);
  assert.equal(p.stateMessages.length, 3);
  assert.deepEqual((p.getStreamState("a")!.stream as any).stream_state, { cursor: 2 });
  assert.deepEqual([...p.knownStreams].sort(), ["a", "b"]);
});

Deno.test("StaticInputState.getStateInput limits STREAM states to the streams read and keeps GLOBAL state", () => {
  const p = new StaticInputState([stream("a", 1), stream("b", 3), global]);
  const input = p.getStateInput(["b"]);
  assert.deepEqual(input.map((m) => m.type), ["STREAM", "GLOBAL"]);
  assert.equal((input[0].stream as any).stream_descriptor.name, "b");
});

Deno.test("JoinedStateProvider lets the primary win per stream and the secondary fill gaps", () => {
  const joined = new JoinedStateProvider(
    new StaticInputState([stream("a", 10)]),
    new StaticInputState([stream("a", 1), stream("b", 2)]),
  );
  assert.deepEqual((joined.getStreamState("a")!.stream as any).stream_state, { cursor: 10 });
  assert.deepEqual((joined.getStreamState("b")!.stream as any).stream_state, { cursor: 2 });
  assert.equal(joined.stateMessages.length, 2);
});

Deno.test("state writers record the latest state and StdOutStateWriter prints STATE messages", async () => {
  const lines: string[] = [];
  const out = new StdOutStateWriter((l) => lines.push(l));
  await out.writeState(stream("a", 1));
  await out.writeState(stream("a", 2));
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[1]), { type: "STATE", state: stream("a", 2) });
  assert.equal(out.stateMessages.length, 1);
  const noop = new NoOpStateWriter();
  await noop.writeState({ type: "LEGACY", data: { x: 1 } });
  assert.equal(noop.getStateInput().length, 1);
});
