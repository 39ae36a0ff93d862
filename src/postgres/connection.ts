/**
 * Connecting to PostgreSQL: options or a `postgres://` URL become the driver's settings, the
 * password is registered as a secret (masked in every message), and the driver's failures become
 * typed errors that say what to do.
 *
 * The driver is `pg` (node-postgres) with `pg-copy-streams` for `COPY … FROM STDIN`: the most used
 * PostgreSQL client for JavaScript, pure JavaScript, running unchanged in Node and in Deno (through
 * Deno's Node compatibility), with TLS options passed to the TLS socket as they are. Its COPY
 * stream reports a server's refusal as an error on the stream (postgres.js, the other candidate,
 * leaves a failed COPY hanging, its issue #1173). Both are imported on first connect, so a bundle
 * that never connects (a browser page) never loads them.
 *
 * @module
 */
import {
  CacheConnectionError,
  CachePermissionError,
  InvalidArgumentError,
  RuntimeCapabilityError,
} from "../errors.ts";
import { maskSecrets, registerSecret } from "../secrets.ts";

/**
 * A result row. The driver's values are typed by the query that made them, which the compiler
 * cannot see: callers convert what they read.
 */
// deno-lint-ignore no-explicit-any
export type PgRow = Record<string, any>;

/** The part of a query result the cache reads. */
export interface PgResult {
  rows: PgRow[];
  rowCount: number | null;
  fields: { name: string; dataTypeID: number; dataTypeModifier: number }[];
}

/** A query as an object: text, values, row mode (`array` for rows as arrays), value parsers. */
export interface PgQuery {
  text: string;
  values?: unknown[];
  rowMode?: "array";
  types?: { getTypeParser: () => (value: string) => unknown };
}

/**
 * The part of the driver's (`pg`'s) pool and client the cache uses. Declared here, not taken from
 * `@types/pg`: a Deno project importing the JSR package has the driver's code but not its types.
 */
interface PgQueryable {
  query(query: string | PgQuery, values?: unknown[]): Promise<PgResult>;
}

/** A pool of connections to one database. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** One connection taken from the pool (give it back with `release()`; `release(true)` closes it). */
export interface PgClient extends PgQueryable {
  release(destroy?: boolean | Error): void;
  on(event: "error", listener: (error: Error) => void): unknown;
  listenerCount(event: "error"): number;
}

/**
 * TLS for the connection: `false`/`"disable"` (none), `"prefer"` (TLS when the server offers it,
 * unverified), `"require"` (TLS, unverified), `"verify-ca"` (TLS, certificate chain verified),
 * `"verify-full"` (TLS, certificate and host name verified against the system CAs), or options
 * for the TLS socket (`ca`, `cert`, `key`, `servername`, `rejectUnauthorized`) for a private CA
 * or client certificates.
 *
 * @example A private certificate authority
 * ```ts
 * import type { PostgresSsl } from "./connection.ts";
 * const ssl: PostgresSsl = { ca: "-----BEGIN CERTIFICATE-----\n...", rejectUnauthorized: true };
 * if (typeof ssl !== "object") throw new Error();
 * ```
 */
export type PostgresSsl =
  | boolean
  | "disable"
  | "prefer"
  | "require"
  | "verify-ca"
  | "verify-full"
  | { ca?: string; cert?: string; key?: string; servername?: string; rejectUnauthorized?: boolean };

/**
 * Where and how to connect: a URL, separate fields, or a URL with fields that override it.
 *
 * @example A URL, with the password kept out of it
 * ```ts
 * import type { PostgresConnectionOptions } from "./connection.ts";
 * const options: PostgresConnectionOptions = { url: "postgres://airbyte@db:5432/warehouse", password: "s3cret", ssl: "require" };
 * if (options.ssl !== "require") throw new Error();
 * ```
 */
export interface PostgresConnectionOptions {
  /**
   * `postgres://user:password@host:port/database?sslmode=require&application_name=x`. A unix
   * socket: `postgres://user@/database?host=/run/postgresql`. Percent-encode special characters
   * in the user name and password. (`PostgresCache` also reads `schema=name`.)
   */
  url?: string;
  /** A host name or address, or the directory of the server's unix socket. @default "localhost" */
  host?: string;
  /** The server's port. @default 5432 */
  port?: number;
  /** The database to use. @default the user name */
  database?: string;
  /** The user to log in as. @default "postgres" */
  user?: string;
  /** The user's password: never printed (messages show `****`). */
  password?: string;
  /** TLS; overrides the URL's `sslmode`. @default false (the URL's `sslmode` when given) */
  ssl?: PostgresSsl;
  /** Shown in `pg_stat_activity`. @default "airbyte-ts" */
  applicationName?: string;
  /** Give up connecting after this many seconds. @default 30 */
  connectTimeoutSeconds?: number;
}

/** Connection settings after the URL and the options were merged. */
export interface ResolvedConnection {
  /** A host name or address, or a directory holding the server's unix socket. */
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  ssl: PostgresSsl;
  applicationName: string;
  connectTimeoutSeconds: number;
  /** The URL to show users: the password replaced by `****`. */
  location: string;
}

const SSL_MODES = new Set(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]);

/**
 * Merge a URL and options into connection settings, registering the password as a secret.
 * Throws `InvalidArgumentError` (with the password masked) for a URL that cannot be read.
 *
 * @example The password never shows in `location`
 * ```ts
 * import { resolveConnection } from "./connection.ts";
 * const c = resolveConnection({ url: "postgres://ada:s3cr%40t@db.example:6543/warehouse?sslmode=require" });
 * if (c.password !== "s3cr@t" || c.port !== 6543 || c.ssl !== "require") throw new Error();
 * if (c.location !== "postgres://ada:****@db.example:6543/warehouse") throw new Error(c.location);
 * ```
 */
export function resolveConnection(options: PostgresConnectionOptions): ResolvedConnection {
  let fromUrl: Partial<ResolvedConnection> & { query?: URLSearchParams } = {};
  if (options.url !== undefined) fromUrl = parseUrl(options.url);
  const query = fromUrl.query ?? new URLSearchParams();
  const password = options.password ?? fromUrl.password ?? "";
  registerSecret(password);
  const user = options.user ?? fromUrl.user ?? "postgres";
  const host = options.host ?? query.get("host") ?? fromUrl.host ?? "localhost";
  const portText = options.port ?? query.get("port") ?? fromUrl.port ?? 5432;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`Cannot connect to PostgreSQL on port '${portText}': not a port number.`, {
      guidance: "Give a port between 1 and 65535 (PostgreSQL's default is 5432).",
    });
  }
  const sslmode = query.get("sslmode");
  if (sslmode !== null && !SSL_MODES.has(sslmode)) {
    throw new InvalidArgumentError(`Cannot use sslmode '${sslmode}'.`, {
      guidance: `Use one of ${[...SSL_MODES].map((m) => `'${m}'`).join(", ")}.`,
    });
  }
  const ssl: PostgresSsl = options.ssl ??
    (sslmode === null || sslmode === "disable"
      ? false
      : sslmode === "allow"
      ? "prefer"
      : sslmode as PostgresSsl);
  const database = options.database ?? fromUrl.database ?? user;
  const socket = host.startsWith("/");
  const location = socket
    ? `postgres://${encodeURIComponent(user)}${password ? ":****" : ""}@/${
      encodeURIComponent(database)
    }?host=${encodeURIComponent(host)}&port=${port}`
    : `postgres://${encodeURIComponent(user)}${password ? ":****" : ""}@${
      host.includes(":") ? `[${host}]` : host
    }:${port}/${encodeURIComponent(database)}`;
  return {
    host,
    port,
    database,
    user,
    password,
    ssl,
    applicationName: options.applicationName ?? query.get("application_name") ?? "airbyte-ts",
    connectTimeoutSeconds: options.connectTimeoutSeconds ?? Number(query.get("connect_timeout") ?? 30),
    location,
  };
}

function parseUrl(url: string): Partial<ResolvedConnection> & { query: URLSearchParams } {
  // Register the password before anything can fail, so a bad URL is reported masked.
  const credentials = /^[a-z]+:\/\/([^@/?#]*)@/i.exec(url);
  if (credentials) {
    const colon = credentials[1].indexOf(":");
    if (colon >= 0) {
      const raw = credentials[1].slice(colon + 1);
      registerSecret(raw);
      try {
        registerSecret(decodeURIComponent(raw));
      } catch { /* not percent-encoded properly: the raw text is registered */ }
    }
  }
  const bad = (why: string) =>
    new InvalidArgumentError(`Cannot read the PostgreSQL URL '${maskSecrets(url)}': ${why}.`, {
      guidance:
        "Write it as postgres://user:password@host:5432/database (percent-encode special characters in the password).",
    });
  if (!/^postgres(ql)?:\/\//i.test(url)) throw bad("it must start with 'postgres://' or 'postgresql://'");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad("it is not a valid URL");
  }
  let user: string | undefined, password: string | undefined, database: string | undefined;
  try {
    user = parsed.username ? decodeURIComponent(parsed.username) : undefined;
    password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
    database = parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : undefined;
  } catch {
    throw bad("a percent-escape in it is malformed");
  }
  if (database?.includes("/")) throw bad("the database name (the path) has a '/' in it");
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    user,
    password,
    database,
    host: host || undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    query: parsed.searchParams,
  };
}

interface Driver {
  pg: { Pool: new (config: Record<string, unknown>) => PgPool };
  copyFrom: (text: string) => CopyFromStream;
}

/** The part of pg-copy-streams' COPY FROM stream that is used (a Node `Writable`). */
export interface CopyFromStream {
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array): void;
  once(event: "drain" | "finish" | "error", listener: (error?: unknown) => void): void;
  destroy(error?: Error): void;
  rowCount: number;
}

let driver: Promise<Driver> | undefined;

/**
 * The driver's modules: the name a project's `node_modules` or import map resolves, and the npm
 * package at the version package.json pins, for a Deno project that took this package from JSR and
 * has no name of its own for it. Held in variables: a bundler follows `import("pg")` and would pull
 * the driver (and Node's `net`, `tls`, `stream`) into a browser or edge bundle; an import whose name
 * it cannot read is left to run time, where only a cache that connects makes it.
 */
export const DRIVER_MODULES: readonly (readonly [name: string, pinned: string])[] = [
  ["pg", "npm:pg@8.23.1"],
  ["pg-copy-streams", "npm:pg-copy-streams@7.0.0"],
];

async function importDriverModule([name, pinned]: readonly [string, string]): Promise<unknown> {
  try {
    return await import(name);
  } catch (error) {
    try {
      return await import(pinned);
    } catch {
      throw error;
    }
  }
}

/** The driver modules, loaded once (CommonJS modules: their exports are the default export). */
export function loadDriver(): Promise<Driver> {
  driver ??= Promise.all(DRIVER_MODULES.map(importDriverModule)).then(([pgModule, copyModule]) => ({
    pg: ((pgModule as { default?: Driver["pg"] }).default ?? pgModule) as Driver["pg"],
    copyFrom: ((copyModule as { default?: { from: unknown } }).default ?? copyModule as { from: unknown })
      .from as Driver["copyFrom"],
  }), (error) => {
    driver = undefined;
    throw new RuntimeCapabilityError(
      "RUNTIME_UNSUPPORTED",
      `Cannot load the PostgreSQL driver (npm packages 'pg' and 'pg-copy-streams'): ${
        (error as Error)?.message ?? error
      }`,
      {
        guidance:
          "PostgresCache runs in Node, Deno and Bun, which can open TCP connections; install airbyte-ts with its dependencies there. Browsers and edge runtimes cannot reach PostgreSQL: use DuckDBCache.",
        cause: error,
      },
    );
  });
  return driver;
}

/** TLS settings for the driver from the resolved `ssl`. */
function tlsOptions(ssl: PostgresSsl): false | Record<string, unknown> {
  if (ssl === false || ssl === "disable") return false;
  if (ssl === true || ssl === "require" || ssl === "prefer") return { rejectUnauthorized: false };
  // verify-ca checks the chain but not the host name (libpq's meaning).
  if (ssl === "verify-ca") return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  if (ssl === "verify-full") return { rejectUnauthorized: true };
  return { ...ssl };
}

/**
 * A connection pool for the resolved settings, proven by one round trip (so a wrong password
 * or an unreachable server fails here, as a typed error).
 *
 * @example Connect and ask something
 * ```ts ignore
 * const pool = await connectPostgres(resolveConnection({ url: Deno.env.get("PG_URL") }), { max: 4 });
 * console.log((await pool.query("select 1 as one")).rows);
 * await pool.end();
 * ```
 */
export async function connectPostgres(
  connection: ResolvedConnection,
  options: { max?: number; settings?: Record<string, string> } = {},
): Promise<PgPool> {
  const { pg } = await loadDriver();
  const settings = startupOptions(options.settings ?? {});
  const open = async (ssl: false | Record<string, unknown>) => {
    const pool = new pg.Pool({
      ...(settings ? { options: settings } : {}),
      host: connection.host,
      port: connection.port,
      database: connection.database,
      user: connection.user,
      password: connection.password,
      ssl: ssl as never,
      max: options.max ?? 4,
      connectionTimeoutMillis: connection.connectTimeoutSeconds * 1000,
      idleTimeoutMillis: 30_000,
      application_name: connection.applicationName,
    });
    // A server that ends an idle connection makes the pool emit 'error'; the next query on it
    // fails and is reported there. Without a listener the event would end the process.
    pool.on("error", () => {});
    try {
      await pool.query("select 1");
      return pool;
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
  };
  const ssl = tlsOptions(connection.ssl);
  try {
    return await open(ssl);
  } catch (error) {
    // sslmode=prefer: TLS when offered, else plain.
    if (connection.ssl === "prefer" && /does not support SSL/i.test(String((error as Error)?.message))) {
      try {
        return await open(false);
      } catch (plain) {
        throw postgresError(plain, connection, "connect to");
      }
    }
    throw postgresError(error, connection, "connect to");
  }
}

/**
 * Server settings for every connection, sent at login (`-c name=value`, as libpq's `options`):
 * the server splits the text at unescaped whitespace, so spaces and backslashes in values are
 * escaped with a backslash.
 */
function startupOptions(settings: Record<string, string>): string | undefined {
  const escape = (text: string) => text.replace(/[\\\s]/g, (c) => `\\${c}`);
  const parts = Object.entries(settings).map(([name, value]) => `-c ${escape(name)}=${escape(value)}`);
  return parts.length ? parts.join(" ") : undefined;
}

/**
 * A connection of its own from the pool (for a transaction or a session lock). A server that
 * ends it makes the client emit 'error', which would end the process without a listener: the
 * listener here ignores it, and the next query on the client fails with the reason.
 *
 * @example
 * ```ts ignore
 * const client = await checkout(pool);
 * try { await client.query("BEGIN"); … } finally { client.release(); }
 * ```
 */
export async function checkout(pool: PgPool): Promise<PgClient> {
  const client = await pool.connect();
  if (client.listenerCount("error") === 0) client.on("error", () => {});
  return client;
}

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ECONNRESET",
  "ENOENT", // a unix socket that is not there
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/**
 * A driver failure as a typed error: `CacheConnectionError` (with a `reason`) for logging in and
 * reaching the server, `CachePermissionError` for a missing privilege; anything else is returned
 * as it was (a SQL error is the caller's to wrap). Messages name the masked location, never the
 * password.
 *
 * @param action What was being done, e.g. "connect to" or "create schema 'x' in".
 *
 * @example A refused connection
 * ```ts
 * import { postgresError, resolveConnection } from "./connection.ts";
 * const c = resolveConnection({ url: "postgres://u:pw123@127.0.0.1:1/db" });
 * const e = postgresError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), c, "connect to");
 * if (!e.message.includes("postgres://u:****@127.0.0.1:1/db") || e.message.includes("pw123")) throw new Error();
 * ```
 */
export function postgresError(error: unknown, connection: ResolvedConnection, action: string): Error {
  const e = error as { code?: string; message?: string; severity?: string } | undefined;
  const code = e?.code ?? "";
  const detail = maskSecrets(String(e?.message ?? error));
  const where = `'${connection.location}'`;
  const context = { location: connection.location, code };
  if (code === "28P01" || code === "28000") {
    return new CacheConnectionError(
      "authentication_failed",
      `Cannot ${action} PostgreSQL at ${where}: the server refused the login of '${connection.user}' (${detail}).`,
      {
        guidance: "Check the user name and password (in the URL or the `password` option).",
        context,
        cause: error,
      },
    );
  }
  if (code === "3D000") {
    return new CacheConnectionError(
      "database_not_found",
      `Cannot ${action} PostgreSQL at ${where}: database '${connection.database}' does not exist.`,
      {
        guidance: `Create it first (CREATE DATABASE "${connection.database}") or name another one.`,
        context,
        cause: error,
      },
    );
  }
  if (code === "42501") {
    return new CachePermissionError(
      `Cannot ${action} PostgreSQL at ${where}: ${detail}.`,
      { guidance: `${grantFor(detail, connection)}, or use another user.`, context, cause: error },
    );
  }
  if (UNREACHABLE.has(code) || /^(E[A-Z]+|CONNECT_TIMEOUT)$/.test(code) && !/^ERR_/.test(code)) {
    return new CacheConnectionError(
      "unreachable",
      `Cannot ${action} PostgreSQL at ${where}: the server cannot be reached (${detail}).`,
      {
        guidance:
          "Check the host and port, that the server is running, and that it accepts connections from here.",
        context,
        cause: error,
      },
    );
  }
  if (/ssl|tls|certificate|self.signed/i.test(`${code} ${detail}`)) {
    return new CacheConnectionError(
      "tls",
      `Cannot ${action} PostgreSQL at ${where}: the TLS handshake failed (${detail}).`,
      {
        guidance:
          "Check the `ssl` option or the URL's sslmode: the server may not offer TLS, or its certificate is not trusted (pass `ssl: { ca }`).",
        context,
        cause: error,
      },
    );
  }
  if (/^(08|28|53|57P0)/.test(code)) {
    return new CacheConnectionError(
      "rejected",
      `Cannot ${action} PostgreSQL at ${where}: ${detail}.`,
      { guidance: "The server refused the connection; see its message.", context, cause: error },
    );
  }
  return error instanceof Error ? error : new Error(detail);
}

/** The GRANT that lifts a "permission denied for …" refusal, as a sentence start. */
function grantFor(detail: string, connection: ResolvedConnection): string {
  const user = `"${connection.user.replaceAll('"', '""')}"`;
  const schema = /permission denied for schema (\S+)/.exec(detail)?.[1];
  if (schema) {
    return `Let ${user} use and create in the schema: GRANT USAGE, CREATE ON SCHEMA "${schema}" TO ${user}`;
  }
  const table = /permission denied for (?:table|relation) (\S+)/.exec(detail)?.[1];
  if (table) {
    return `Let ${user} write the table: GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${user} ` +
      "(or make it the table's owner: replacing a table needs ownership)";
  }
  if (/must be owner/.test(detail)) return `Make ${user} the owner of the object named above`;
  return `Grant ${user} the privilege (for a cache schema: GRANT CREATE ON DATABASE "${connection.database}" TO ${user}, ` +
    "or create the schema for it and make it the owner)";
}
