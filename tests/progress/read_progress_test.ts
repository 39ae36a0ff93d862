// Progress through Source.read() with a real connector (airbyte-source-faker 7.2.1, which sends
// STREAM_STATUS and ESTIMATE traces): the read loop must hand every TRACE body to the tracker.
// The read loop passes each TRACE to the tracker after reporting the records counted so far, so a
// completed stream shows all its records.
import assert from "node:assert/strict";
import { DuckDBCache } from "../../mod.ts";
import type { ProgressEvent } from "../../src/progress/progress_event.ts";
import { faker } from "../_support.ts";

Deno.test({
  name: "Source.read reports faker's streams done as the connector completes them, with percent and ETA",
  fn: async () => {
    const source = await faker({ count: 2000, seed: 1, parallelism: 1 });
    await using cache = new DuckDBCache({ path: ":memory:" });
    const events: ProgressEvent[] = [];
    await source.read({ cache, streams: "*", progress: (event) => void events.push(event) });
    const done = events.filter((e) => e.kind === "stream_done");
    assert.deepEqual(done.map((e) => e.stream), ["products", "users", "purchases"]);
    const productsDone = done[0];
    assert.equal(productsDone.streams.products.records, 100, "every products record counted at COMPLETE");
    assert.equal(productsDone.streams.users.done, false, "products completes while users has yet to");
    assert.ok(
      events.some((e) => e.streams.users?.percent !== undefined && e.streams.users.etaMs !== undefined),
      "users' percent and ETA from faker's ESTIMATE",
    );
    const end = events.at(-1)!;
    assert.equal(end.kind, "done");
    assert.equal(end.streams.users.rowEstimate, 2000);
    assert.ok(end.streams.products.elapsedMs < end.elapsedMs, "products' clock stopped at its COMPLETE");
  },
});
