/**
 * One writer per stream table at a time, across processes and hosts: a session-level advisory
 * lock keyed by the table's qualified name, held by the write session's own connection. A second
 * writer is told who holds it (backend pid, application, client address, since when) and waits;
 * the lock goes away with the holder's connection, so a killed writer never leaves it behind.
 *
 * @module
 */
import type { PgClient } from "./connection.ts";
import { CacheError } from "../errors.ts";
import { ADVISORY_NAMESPACE } from "./internal_tables.ts";

/**
 * Who holds a stream table's write lock, as `pg_stat_activity` tells.
 *
 * @example What a waiting read is told
 * ```ts
 * import type { LockHolder } from "./stream_lock.ts";
 * const holder: LockHolder = { pid: 4242, applicationName: "airbyte-ts", clientAddress: "10.0.0.7", since: null };
 * if (holder.pid !== 4242) throw new Error();
 * ```
 */
export interface LockHolder {
  /** The holder's PostgreSQL backend process id (`pg_stat_activity.pid`). */
  pid: number;
  /** The application name its connection gave (`airbyte-ts` unless set). */
  applicationName: string;
  /** Where it connects from; null on a unix socket. */
  clientAddress: string | null;
  /** When its connection began. */
  since: Date | null;
}

/** Options for {@linkcode lockStreamTable}. */
export interface StreamLockOptions {
  /** Told once when the lock is taken by someone else, before waiting. */
  onWait?: (holder: LockHolder | undefined, message: string) => void;
  /** Give up after this long, with a `CacheError` naming the holder. @default wait forever */
  timeoutMs?: number;
}

/** The lock's second key: a stable 31-bit hash of the qualified table name (PostgreSQL's `hashtext`). */
async function lockKey(client: PgClient, schema: string, table: string): Promise<number> {
  const { rows } = await client.query("SELECT hashtext($1) & 2147483647 AS key", [`${schema}.${table}`]);
  return Number(rows[0].key);
}

/**
 * Takes the write lock of `schema.table` on `client`, waiting (and saying so through `onWait`)
 * while another session holds it. Resolves with a function that releases it.
 *
 * @example
 * ```ts ignore
 * const release = await lockStreamTable(client, "public", "users", { onWait: (_, m) => console.warn(m) });
 * try { ... } finally { await release(); }
 * ```
 */
export async function lockStreamTable(
  client: PgClient,
  schema: string,
  table: string,
  options: StreamLockOptions = {},
): Promise<() => Promise<void>> {
  const key = await lockKey(client, schema, table);
  const release = async () => {
    await client.query("SELECT pg_advisory_unlock($1, $2)", [ADVISORY_NAMESPACE, key]);
  };
  const tried = await client.query("SELECT pg_try_advisory_lock($1, $2) AS ok", [ADVISORY_NAMESPACE, key]);
  if (tried.rows[0].ok) return release;
  const holder = await lockHolder(client, key);
  const who = holder
    ? `PostgreSQL backend pid ${holder.pid}${
      holder.applicationName ? ` ('${holder.applicationName}'` : " ("
    }` +
      `${holder.clientAddress ? ` from ${holder.clientAddress}` : " on a local socket"}` +
      `${holder.since ? `, connected since ${holder.since.toISOString()}` : ""})`
    : "another session";
  options.onWait?.(
    holder,
    `Waiting for table "${schema}"."${table}": ${who} is writing it. This write starts when that one ends.`,
  );
  if (options.timeoutMs !== undefined) {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(options.timeoutMs))}`);
  }
  try {
    await client.query("SELECT pg_advisory_lock($1, $2)", [ADVISORY_NAMESPACE, key]);
  } catch (error) {
    if ((error as { code?: string }).code !== "55P03") throw error;
    throw new CacheError(
      `Cannot write table "${schema}"."${table}": ${who} kept writing it for ${options.timeoutMs} ms.`,
      {
        guidance:
          "Wait for the other read to finish (or end it), then run this one again; or give a longer timeout.",
        context: { holderPid: holder?.pid },
        cause: error,
      },
    );
  } finally {
    if (options.timeoutMs !== undefined) await client.query("RESET lock_timeout").catch(() => {});
  }
  return release;
}

async function lockHolder(client: PgClient, key: number): Promise<LockHolder | undefined> {
  const { rows } = await client.query(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int8::oid AND l.objid = $2::int8::oid
        AND l.objsubid = 2`,
    [ADVISORY_NAMESPACE, key],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    pid: Number(row.pid),
    applicationName: String(row.application_name ?? ""),
    clientAddress: row.client_addr ?? null,
    since: row.backend_start ? new Date(row.backend_start) : null,
  };
}
