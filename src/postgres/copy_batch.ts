/**
 * One Arrow batch into a PostgreSQL table with `COPY … FROM STDIN WITH (FORMAT binary)`: the
 * bulk path of every write into a `PostgresCache` (no row-by-row INSERTs).
 *
 * @module
 */
import * as arrow from "npm:apache-arrow@17.0.0";
import { type CopyFromStream, loadDriver, type PgClient } from "./connection.ts";
import { BinaryCopyEncoder, type CopyColumn } from "./copy_encoder.ts";
import { ident } from "../cache/sql_quote.ts";

/**
 * Copies the rows of an Arrow batch (IPC stream bytes, or a decoded table) into `table` (already
 * quoted, e.g. `"schema"."users"`) over `client`, a connection of its own (inside the caller's
 * transaction, if one is open on it). Chunks are written as the socket takes them, so memory
 * stays at about a chunk beyond the batch itself. Resolves with the number of rows the server
 * stored; rejects with the server's error (the COPY is then undone).
 *
 * @example Copy a builder's batch
 * ```ts ignore
 * const columns = specs.map((c) => ({ name: c.name, property: c.property, pgType: pgTypeOf(c) }));
 * await copyArrowBatch(client, '"public"."users"', columns, builder.finish());
 * ```
 */
export async function copyArrowBatch(
  client: PgClient,
  table: string,
  columns: CopyColumn[],
  batch: Uint8Array | arrow.Table,
): Promise<number> {
  const data = batch instanceof Uint8Array ? arrow.tableFromIPC(batch) : batch;
  if (data.numRows === 0) return 0;
  const { copyFrom } = await loadDriver();
  const encoder = new BinaryCopyEncoder(columns);
  const list = columns.map((c) => ident(c.name)).join(", ");
  const stream = client.query(
    copyFrom(`COPY ${table} (${list}) FROM STDIN WITH (FORMAT binary)`) as never,
  ) as unknown as CopyFromStream;
  const state: { failure?: { error: unknown } } = {};
  let wake: (() => void) | undefined;
  const done = new Promise<void>((resolve, reject) => {
    stream.once("finish", () => resolve());
    stream.once("error", (error) => {
      state.failure = { error };
      wake?.();
      reject(error);
    });
  });
  done.catch(() => {}); // awaited below
  try {
    const check = () => {
      if (state.failure) throw state.failure.error;
    };
    const write = async (chunk: Uint8Array) => {
      check();
      if (stream.write(chunk)) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        stream.once("drain", () => resolve());
      });
      wake = undefined;
      check();
    };
    await write(encoder.header());
    for (const chunk of encoder.encode(data)) await write(chunk);
    stream.end(encoder.trailer());
  } catch (error) {
    // Sends CopyFail unless the server already refused: the COPY stores nothing either way.
    if (!state.failure) stream.destroy(error instanceof Error ? error : new Error(String(error)));
    await done.catch(() => {});
    throw state.failure ? state.failure.error : error;
  }
  await done;
  return stream.rowCount;
}
