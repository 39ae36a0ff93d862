/**
 * Flatten an async iterable of arrays into an async iterator of items, by hand.
 *
 * Why not `for (const x of batch) yield x` in an async generator: each async-generator step
 * costs several promise hops. Measured in Deno 2.9 over 2M items in batches of 160:
 * `yield*` 570 ms, a `for`/`yield` loop 320 ms, this iterator 100 ms (the batches alone
 * 10 ms). On the record hot path that difference is a sizeable share of the budget.
 *
 * @module
 */

/**
 * An async iterator (that is also its own async iterable, like a generator) over the items of
 * `batches`. Returning early (`break` in `for await`) closes `batches`.
 *
 * @example Flatten batches, skipping empty ones
 * ```ts
 * import { flattenBatches } from "./_flatten_batches.ts";
 * async function* batches() { yield [1, 2]; yield []; yield [3]; }
 * const items: number[] = [];
 * for await (const item of flattenBatches(batches())) items.push(item);
 * if (items.join() !== "1,2,3") throw new Error();
 * ```
 */
export function flattenBatches<T>(batches: AsyncIterable<T[]>): AsyncIterableIterator<T> {
  let source: AsyncIterator<T[]> | undefined;
  let batch: T[] = [];
  let index = 0;
  let finished = false;

  const done = (): IteratorResult<T> => ({ value: undefined, done: true });

  async function nextFromSource(): Promise<IteratorResult<T>> {
    source ??= batches[Symbol.asyncIterator]();
    for (;;) {
      const result = await source.next();
      if (result.done) {
        finished = true;
        return done();
      }
      if (result.value.length > 0) {
        batch = result.value;
        index = 1;
        return { value: batch[0], done: false };
      }
    }
  }

  return {
    next(): Promise<IteratorResult<T>> {
      if (index < batch.length) return Promise.resolve({ value: batch[index++], done: false });
      if (finished) return Promise.resolve(done());
      return nextFromSource();
    },
    async return(): Promise<IteratorResult<T>> {
      batch = [];
      index = 0;
      if (!finished) {
        finished = true;
        await source?.return?.();
      }
      return done();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
