/**
 * The PostgreSQL cache's state: source state (what reads committed with their records),
 * destination state (the source states a destination confirmed) and delivery marks (how far
 * each stream was confirmed), in the shared internal tables, keyed by the cache's schema. A
 * destination's marks and states are recorded in one transaction; a read's states are written on
 * the read's own connection, inside the transaction that commits its records.
 *
 * @module
 */
import { CacheStateWriter } from "../cache/cache_state_writer.ts";
import type { AirbyteStateMessage } from "../protocol/messages.ts";
import { stateKey, streamsOfState } from "../state/state_key.ts";
import { type StateProvider, StaticInputState } from "../state/state_provider.ts";
import type { PgClient } from "./connection.ts";
import { DELIVERY_TABLE, DESTINATION_STATE_TABLE, internalTable, STATE_TABLE } from "./internal_tables.ts";
import type { PostgresDatabase } from "./postgres_database.ts";

const STATE = internalTable(STATE_TABLE);
const DESTINATION_STATE = internalTable(DESTINATION_STATE_TABLE);
const DELIVERY = internalTable(DELIVERY_TABLE);

/**
 * Reads and writes the cache's state tables.
 *
 * @example
 * ```ts ignore
 * const store = new StateStore(db);
 * const provider = await store.provider("source-faker");
 * ```
 */
export class StateStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /** The source's stored state, or with `destinationName` the states that destination confirmed. */
  async provider(sourceName: string, destinationName?: string): Promise<StateProvider> {
    const schema = this.#db.schemaName;
    const { rows } = destinationName === undefined
      ? await this.#db.query(
        `SELECT state_json FROM ${STATE} WHERE schema_name = $1 AND source_name = $2 ORDER BY state_key`,
        [schema, sourceName],
      )
      : await this.#db.query(
        `SELECT state_json FROM ${DESTINATION_STATE} WHERE schema_name = $1 AND source_name = $2 ` +
          `AND destination_name = $3 ORDER BY state_key`,
        [schema, sourceName, destinationName],
      );
    return new StaticInputState(rows.map((r) => JSON.parse(String(r.state_json))));
  }

  /** A writer that stores states here (source state, or a destination's confirmed state). */
  writer(sourceName: string, destinationName?: string): CacheStateWriter {
    return new CacheStateWriter((message) =>
      this.#db.transaction(
        (client) => this.upsert(client, sourceName, message, destinationName),
        "store state in",
      )
    );
  }

  /** Upsert one state message on `client` (inside its transaction, if one is open). */
  async upsert(
    client: PgClient,
    sourceName: string,
    message: AirbyteStateMessage,
    destinationName?: string,
  ): Promise<void> {
    const values = [
      this.#db.schemaName,
      sourceName,
      stateKey(message),
      message.type ?? "LEGACY",
      JSON.stringify(message),
    ];
    if (destinationName === undefined) {
      await client.query(
        `INSERT INTO ${STATE} (schema_name, source_name, state_key, state_type, state_json, updated_at) ` +
          `VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (schema_name, source_name, state_key) ` +
          `DO UPDATE SET state_type = excluded.state_type, state_json = excluded.state_json, updated_at = now()`,
        values,
      );
    } else {
      await client.query(
        `INSERT INTO ${DESTINATION_STATE} (schema_name, source_name, state_key, state_type, state_json, ` +
          `destination_name, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now()) ` +
          `ON CONFLICT (schema_name, source_name, destination_name, state_key) ` +
          `DO UPDATE SET state_type = excluded.state_type, state_json = excluded.state_json, updated_at = now()`,
        [...values, destinationName],
      );
    }
  }

  /** How far each stream of `sourceName` has been delivered to `destinationName` (last `_airbyte_raw_id`). */
  async deliveryMarks(sourceName: string, destinationName: string): Promise<Map<string, string>> {
    const { rows } = await this.#db.query(
      `SELECT stream_name, last_raw_id FROM ${DELIVERY} WHERE schema_name = $1 AND source_name = $2 ` +
        `AND destination_name = $3`,
      [this.#db.schemaName, sourceName, destinationName],
    );
    return new Map(rows.map((r) => [String(r.stream_name), String(r.last_raw_id)]));
  }

  /** Record delivery marks and confirmed states, atomically. */
  recordDelivery(
    sourceName: string,
    destinationName: string,
    marks: Map<string, string>,
    states: AirbyteStateMessage[],
  ): Promise<void> {
    return this.#db.transaction(async (client) => {
      for (const [stream, rawId] of marks) {
        await client.query(
          `INSERT INTO ${DELIVERY} (schema_name, source_name, destination_name, stream_name, last_raw_id, ` +
            `updated_at) VALUES ($1, $2, $3, $4, $5, now()) ` +
            `ON CONFLICT (schema_name, source_name, destination_name, stream_name) ` +
            `DO UPDATE SET last_raw_id = excluded.last_raw_id, updated_at = now()`,
          [this.#db.schemaName, sourceName, destinationName, stream, rawId],
        );
      }
      for (const state of states) await this.upsert(client, sourceName, state, destinationName);
    }, "record a delivery in");
  }

  /** Delete stored source state for the given streams (all when omitted). */
  async clear(sourceName: string, streams?: string[]): Promise<void> {
    const provider = await this.provider(sourceName);
    const doomed = provider.stateMessages.filter((m) =>
      !streams || m.type !== "STREAM" || streamsOfState(m).some((s) => streams.includes(s))
    );
    if (!doomed.length) return;
    await this.#db.query(
      `DELETE FROM ${STATE} WHERE schema_name = $1 AND source_name = $2 AND state_key = ANY($3)`,
      [this.#db.schemaName, sourceName, doomed.map(stateKey)],
    );
  }
}
