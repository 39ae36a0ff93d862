/**
 * The DuckDB cache's state: source state (what reads committed with their records), destination
 * state (the source states a destination confirmed) and delivery marks (how far each stream was
 * confirmed). It is the cache's `StateProvider`/`StateWriter` pair; a destination's marks and
 * states are recorded in one transaction.
 *
 * @module
 */
import { literal, qualified } from "../cache/sql_quote.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import { stateKey, streamsOfState } from "../state/state_key.ts";
import { type StateProvider, StaticInputState } from "../state/state_provider.ts";
import { CacheStateWriter } from "../cache/cache_state_writer.ts";
import type { EngineQueue } from "./engine_queue.ts";
import { INTERNAL_TABLES, internalSchemaFor } from "./internal_tables.ts";

/**
 * Reads and writes the cache's state tables.
 *
 * @example
 * ```ts ignore
 * const store = new StateStore(queue, "main");
 * const provider = await store.provider("source-faker");
 * ```
 */
export class StateStore {
  readonly #queue: EngineQueue;
  readonly #state: string;
  readonly #destinationState: string;
  readonly #delivery: string;

  constructor(queue: EngineQueue, schemaName: string) {
    this.#queue = queue;
    const internal = internalSchemaFor(schemaName);
    this.#state = qualified(internal, INTERNAL_TABLES.state);
    this.#destinationState = qualified(internal, INTERNAL_TABLES.destinationState);
    this.#delivery = qualified(internal, INTERNAL_TABLES.delivery);
  }

  /** The source's stored state, or with `destinationName` the states that destination confirmed. */
  async provider(sourceName: string, destinationName?: string): Promise<StateProvider> {
    const t = await this.#queue.sql(
      destinationName === undefined
        ? `SELECT state_json FROM ${this.#state} WHERE source_name = ${
          literal(sourceName)
        } ORDER BY state_key`
        : `SELECT state_json FROM ${this.#destinationState} WHERE source_name = ${literal(sourceName)} ` +
          `AND destination_name = ${literal(destinationName)} ORDER BY state_key`,
    );
    return new StaticInputState(t.toArray().map((r) => JSON.parse(String(r.state_json))));
  }

  /** A writer that stores states here (source state, or a destination's confirmed state). */
  writer(sourceName: string, destinationName?: string): CacheStateWriter {
    return new CacheStateWriter((message) => {
      const sql = this.upsertSql(sourceName, message, destinationName);
      return this.#queue.exclusive((c) => c.exec(sql));
    });
  }

  /** SQL that upserts one state message; write sessions run it inside their data transaction. */
  upsertSql(sourceName: string, message: AirbyteStateMessage, destinationName?: string): string {
    const key = literal(stateKey(message));
    const json = literal(JSON.stringify(message));
    const type = literal(message.type ?? "LEGACY");
    if (destinationName === undefined) {
      return `INSERT OR REPLACE INTO ${this.#state} VALUES (${
        literal(sourceName)
      }, ${key}, ${type}, ${json}, now())`;
    }
    return `INSERT OR REPLACE INTO ${this.#destinationState} VALUES ` +
      `(${literal(sourceName)}, ${literal(destinationName)}, ${key}, ${type}, ${json}, now())`;
  }

  /** How far each stream of `sourceName` has been delivered to `destinationName` (last `_airbyte_raw_id`). */
  async deliveryMarks(sourceName: string, destinationName: string): Promise<Map<string, string>> {
    const t = await this.#queue.sql(
      `SELECT stream_name, last_raw_id FROM ${this.#delivery} WHERE source_name = ${literal(sourceName)} ` +
        `AND destination_name = ${literal(destinationName)}`,
    );
    return new Map(t.toArray().map((r) => [String(r.stream_name), String(r.last_raw_id)]));
  }

  /** Record delivery marks and confirmed states, atomically. */
  recordDelivery(
    sourceName: string,
    destinationName: string,
    marks: Map<string, string>,
    states: AirbyteStateMessage[],
  ): Promise<void> {
    return this.#queue.exclusive(async (connection) => {
      await connection.exec("BEGIN TRANSACTION");
      try {
        for (const [stream, rawId] of marks) {
          await connection.exec(
            `INSERT OR REPLACE INTO ${this.#delivery} VALUES (${literal(sourceName)}, ` +
              `${literal(destinationName)}, ${literal(stream)}, ${literal(rawId)}, now())`,
          );
        }
        for (const state of states) await connection.exec(this.upsertSql(sourceName, state, destinationName));
        await connection.exec("COMMIT");
      } catch (error) {
        await connection.exec("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  /** Delete stored source state for the given streams (all when omitted). */
  async clear(sourceName: string, streams?: string[]): Promise<void> {
    const provider = await this.provider(sourceName);
    const doomed = provider.stateMessages.filter((m) =>
      !streams || m.type !== "STREAM" || streamsOfState(m).some((s) => streams.includes(s))
    );
    await this.#queue.exclusive(async (connection) => {
      for (const m of doomed) {
        await connection.exec(
          `DELETE FROM ${this.#state} WHERE source_name = ${literal(sourceName)} ` +
            `AND state_key = ${literal(stateKey(m))}`,
        );
      }
    });
  }
}
