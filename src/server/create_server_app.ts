/**
 * The remote executor server as a fetch handler (a Hono app): routes, origin and token checks,
 * limits, and the runs it admits. {@linkcode serve} puts it on a port; anything that serves a
 * fetch handler can host it.
 *
 * Routes (all but `/health` need `Authorization: Bearer <token>`):
 * - `GET /health` → `{"status":"ok"}` (503 `draining` during shutdown)
 * - `GET /v1/connectors` → the allowlisted connector names
 * - `POST /v1/connectors/<name>/<verb>` → a run; see `src/executors/remote/_wire.ts`
 * - `POST /v1/runs/<id>/input` → a chunk of a `write` run's input
 * - `DELETE /v1/runs/<id>` → end a run now
 *
 * @module
 */
import { Hono } from "npm:hono@4.13.19";
import type { Context } from "npm:hono@4.13.19";
import { cors } from "npm:hono@4.13.19/cors";
import { timingSafeEqual } from "npm:hono@4.13.19/utils/buffer";
import { InvalidArgumentError, RemoteRefusedError } from "../errors.ts";
import {
  CONNECTOR_NAME,
  errorToWire,
  INPUT_MODE_HEADER,
  LAST_HEADER,
  RUN_HEADER,
  SEQ_HEADER,
  type Verb,
  VERBS,
} from "../executors/remote/_wire.ts";
import { buildExecutors, defaultExecutorFactory } from "./_connector_executors.ts";
import { ConfigSecrets } from "./_config_secrets.ts";
import { InputChunks } from "./_input_chunks.ts";
import { lines, parseRunRequest, readAll, readHead, tooLarge } from "./_request_body.ts";
import { type RunOutcome, ServerRun } from "./_server_run.ts";
import type { ExecutorFactory } from "./executor_factory.ts";
import type { ServerConfig } from "./server_config.ts";

/** The shortest token the server accepts: a guessable token is no protection. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Options for {@linkcode createServerApp}.
 *
 * @example A token and a log that keeps lines
 * ```ts
 * import type { ServerAppOptions } from "./create_server_app.ts";
 * const lines: string[] = [];
 * const options: ServerAppOptions = { token: "a-long-enough-test-token", log: (l) => lines.push(l) };
 * if (options.token.length < 16) throw new Error();
 * ```
 */
export interface ServerAppOptions {
  /** The bearer token clients must send (at least 16 characters). */
  token: string;
  /** Where log lines go (one per refusal and per run; never a request body). @default stderr */
  log?: (line: string) => void;
  /**
   * Builds each connector's executor from its allowlist entry. The default runs `pipUrl` entries in
   * a venv, `localExecutable` entries as processes and `image` entries through the Docker Engine
   * API; pass your own to run them differently.
   */
  executorFactory?: ExecutorFactory;
}

/**
 * Counters a server keeps, for tests, health pages and logs.
 *
 * @example A refused request is counted by status
 * ```ts
 * import { createServerApp, parseServerConfig } from "../../mod.ts";
 * const app = createServerApp(
 *   parseServerConfig({ connectors: { "source-x": { localExecutable: "/bin/true" } } }),
 *   { token: "a-long-enough-test-token", log: () => {} },
 * );
 * await app.fetch(new Request("http://localhost/v1/connectors", { headers: { authorization: "Bearer nope" } }));
 * if (app.stats().refused[403] !== 1 || app.stats().runsStarted !== 0) throw new Error();
 * ```
 */
export interface ServerStats {
  /** Runs admitted (a connector was or will be started for each). */
  runsStarted: number;
  /** Runs that have ended. */
  runsEnded: number;
  /** Requests refused, by HTTP status. */
  refused: Record<number, number>;
}

/**
 * The server's request handler plus the controls `serve` needs to drain it.
 *
 * @example Answer a health check without a port
 * ```ts
 * import { createServerApp, parseServerConfig } from "../../mod.ts";
 * const app = createServerApp(
 *   parseServerConfig({ connectors: { "source-x": { localExecutable: "/bin/true" } } }),
 *   { token: "a-long-enough-test-token", log: () => {} },
 * );
 * const response = await app.fetch(new Request("http://localhost/health"));
 * if (response.status !== 200) throw new Error(String(response.status));
 * ```
 */
export interface ServerApp {
  /** Handle one HTTP request. */
  fetch(request: Request): Promise<Response>;
  /** Runs admitted and not yet ended. */
  readonly activeRuns: number;
  /** True once {@linkcode ServerApp.drain} was called. */
  readonly draining: boolean;
  /** A snapshot of the counters. */
  stats(): ServerStats;
  /**
   * Stop admitting runs (new ones get 503), wait up to `graceMs` for the running ones, then end
   * the rest (their clients get a 503 refusal as the run's error). Resolves when every run has
   * ended.
   */
  drain(graceMs: number): Promise<void>;
}

/** Headers browsers may send, and the one they may read, across origins. */
const ALLOW_HEADERS = ["authorization", "content-type", INPUT_MODE_HEADER, SEQ_HEADER, LAST_HEADER];

/**
 * Build the server's request handler from a validated configuration.
 *
 * @param config The configuration, from {@linkcode parseServerConfig} or {@linkcode loadServerConfig}.
 * @param options The token and optional log sink and executor factory.
 * @returns The handler with its drain controls.
 * @throws {InvalidArgumentError} when the token is too short.
 *
 * @example Refuse a request without a token
 * ```ts
 * import { createServerApp, parseServerConfig } from "../../mod.ts";
 * const app = createServerApp(
 *   parseServerConfig({ connectors: { "source-x": { localExecutable: "/bin/true" } } }),
 *   { token: "a-long-enough-test-token", log: () => {} },
 * );
 * const response = await app.fetch(new Request("http://localhost/v1/connectors/source-x/spec", { method: "POST" }));
 * if (response.status !== 401) throw new Error(String(response.status));
 * ```
 */
export function createServerApp(config: ServerConfig, options: ServerAppOptions): ServerApp {
  if (typeof options.token !== "string" || options.token.length < MIN_TOKEN_LENGTH) {
    throw new InvalidArgumentError(
      `Cannot serve with a token shorter than ${MIN_TOKEN_LENGTH} characters.`,
      {
        guidance:
          `Set '${config.tokenEnv}' to a long random value, e.g. the output of 'openssl rand -hex 32'.`,
      },
    );
  }
  const sink = options.log ?? ((line: string) => console.error(`${new Date().toISOString()} ${line}`));
  // A log that cannot be written (stderr closed) must not fail the requests it describes.
  const log = (line: string) => {
    try {
      sink(line);
    } catch { /* dropped */ }
  };
  const executors = buildExecutors(
    config.connectors,
    options.executorFactory ?? defaultExecutorFactory,
    config.logDir,
  );
  const limits = config.limits;
  const secrets = new ConfigSecrets();
  const runs = new Map<string, ServerRun>();
  const stats: ServerStats = { runsStarted: 0, runsEnded: 0, refused: {} };
  let admitted = 0;
  let draining = false;
  const allowedOrigins = new Set(config.corsOrigins);
  const token = options.token;

  const refuse = (c: Context, error: RemoteRefusedError, headers: Record<string, string> = {}): Response => {
    stats.refused[error.status] = (stats.refused[error.status] ?? 0) + 1;
    log(`refused ${c.req.method} ${new URL(c.req.url).pathname} ${error.status} ${error.reason}`);
    return new Response(JSON.stringify({ error: errorToWire(error) }), {
      status: error.status,
      headers: { "content-type": "application/json", ...headers },
    });
  };

  const app = new Hono();

  // A browser origin not on the list is refused outright (not only denied the CORS headers), so a
  // page elsewhere cannot start runs through a simple request.
  app.use("*", async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      return refuse(
        c,
        new RemoteRefusedError(403, "origin_not_allowed", `Cannot serve pages from origin '${origin}'.`, {
          guidance: "Add the origin to 'corsOrigins' in the server configuration.",
        }),
      );
    }
    await next();
  });
  app.use(
    "*",
    cors({
      origin: [...allowedOrigins],
      allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
      allowHeaders: ALLOW_HEADERS,
      exposeHeaders: [RUN_HEADER],
      maxAge: 600,
    }),
  );

  app.get("/health", (c) => c.json({ status: draining ? "draining" : "ok" }, draining ? 503 : 200));

  // Everything else needs the token.
  app.use("/v1/*", async (c, next) => {
    const header = c.req.header("authorization");
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      return refuse(
        c,
        new RemoteRefusedError(401, "unauthorized", "Cannot run without a bearer token.", {
          guidance: "Send 'Authorization: Bearer <token>' (RemoteExecutor's 'token' option).",
        }),
        { "www-authenticate": 'Bearer realm="airbyte-ts"' },
      );
    }
    if (!(await timingSafeEqual(match[1], token))) {
      return refuse(
        c,
        new RemoteRefusedError(
          403,
          "forbidden",
          "Cannot run with this token: the server does not accept it.",
          {
            guidance: `Use the token the server was started with (its '${config.tokenEnv}').`,
          },
        ),
      );
    }
    await next();
  });

  app.get("/v1/connectors", (c) => c.json({ connectors: [...executors.keys()] }));

  app.post("/v1/connectors/:name/:verb", async (c) => {
    const name = c.req.param("name");
    const verb = c.req.param("verb") as Verb;
    if (!CONNECTOR_NAME.test(name)) {
      return refuse(
        c,
        new RemoteRefusedError(400, "bad_connector_name", "Cannot run a connector by that name.", {
          guidance:
            "Connector names hold letters, digits, '_', '-' and single dots only, e.g. 'source-faker'.",
        }),
      );
    }
    const executor = executors.get(name);
    if (!executor) {
      return refuse(
        c,
        new RemoteRefusedError(
          404,
          "connector_not_allowed",
          `Cannot run '${name}': this server does not offer it.`,
          {
            guidance: "Ask for a connector from the server's allowlist (GET /v1/connectors), " +
              "or add it to 'connectors' in the server configuration.",
          },
        ),
      );
    }
    if (!VERBS.includes(verb)) {
      return refuse(
        c,
        new RemoteRefusedError(404, "bad_request", `Cannot run '${verb}': it is not a connector verb.`, {
          guidance: `Use one of ${VERBS.map((v) => `'${v}'`).join(", ")}.`,
        }),
      );
    }
    if (draining) return refuse(c, drainingRefusal(), { "retry-after": "30" });
    if (admitted >= limits.concurrentRuns) {
      return refuse(
        c,
        new RemoteRefusedError(
          429,
          "busy",
          `Cannot start another run: ${limits.concurrentRuns} are running.`,
          {
            guidance:
              "Try again when a run has finished, or raise 'limits.concurrentRuns' in the server configuration.",
          },
        ),
        { "retry-after": "5" },
      );
    }
    const chunked = c.req.header(INPUT_MODE_HEADER) === "chunks";
    const streamsInput = verb === "write" && !chunked;
    const declared = Number(c.req.header("content-length") ?? NaN);
    if (!streamsInput && declared > limits.requestBytes) {
      return refuse(c, tooLarge("a run request", limits.requestBytes, "requestBytes"));
    }
    // Hold a slot while the request is read, so a burst cannot read more bodies than it may run.
    admitted++;
    let files: Record<string, string>;
    let stdin: AsyncIterable<string> | undefined;
    let input: InputChunks | undefined;
    try {
      const { head, rest } = await readHead(c.req.raw.body, limits.requestBytes);
      files = parseRunRequest(head, verb);
      if (verb === "write") {
        if (chunked) {
          input = new InputChunks();
          stdin = input.lines();
        } else stdin = lines(rest, limits.inputChunkBytes);
      }
    } catch (error) {
      admitted--;
      if (error instanceof RemoteRefusedError) return refuse(c, error);
      throw error;
    }
    const id = crypto.randomUUID();
    const run: ServerRun = new ServerRun({
      id,
      connector: name,
      verb,
      executor,
      files,
      stdin,
      input,
      timeoutMs: limits.runTimeoutSeconds * 1000,
      prepare: files["--config"] === undefined
        ? undefined
        : (signal) => secrets.register(name, executor, files["--config"], signal),
      onEnd: (outcome) => {
        admitted--;
        runs.delete(id);
        stats.runsEnded++;
        log(describeEnd(run, outcome));
      },
    });
    runs.set(id, run);
    stats.runsStarted++;
    log(`run ${id} ${name} ${verb} started${chunked ? " (input in chunks)" : ""}`);
    // A client that disconnects cancels the body (Deno.serve and @hono/node-server both do), which
    // ends the run.
    return new Response(run.body(), {
      status: 200,
      headers: {
        "content-type": "application/x-ndjson",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        [RUN_HEADER]: id,
      },
    });
  });

  app.post("/v1/runs/:id/input", async (c) => {
    const run = runs.get(c.req.param("id"));
    if (!run?.input) return refuse(c, runNotFound(c.req.param("id")));
    const seq = Number(c.req.header(SEQ_HEADER));
    if (!Number.isInteger(seq) || seq < 0) {
      return refuse(
        c,
        new RemoteRefusedError(
          400,
          "bad_request",
          `Cannot take an input chunk without a valid '${SEQ_HEADER}'.`,
        ),
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await readAll(c.req.raw.body, limits.inputChunkBytes);
    } catch (error) {
      if (error instanceof RemoteRefusedError) return refuse(c, error);
      throw error;
    }
    const text = new TextDecoder().decode(bytes);
    const chunkLines = text === "" ? [] : text.split("\n");
    if (chunkLines.length && chunkLines[chunkLines.length - 1] === "") chunkLines.pop();
    try {
      await run.input.push(seq, chunkLines, c.req.header(LAST_HEADER) === "1");
    } catch (error) {
      if (error instanceof RemoteRefusedError) return refuse(c, error);
      // The run ended while the chunk waited: its own stream tells the client why.
      return refuse(c, runNotFound(run.id));
    }
    return c.body(null, 204);
  });

  app.delete("/v1/runs/:id", (c) => {
    const run = runs.get(c.req.param("id"));
    if (!run) return refuse(c, runNotFound(c.req.param("id")));
    run.cancelByClient();
    return c.body(null, 204);
  });

  app.notFound((c) =>
    refuse(
      c,
      new RemoteRefusedError(
        404,
        "bad_request",
        `Cannot find '${new URL(c.req.url).pathname}' on this server.`,
        {
          guidance: "Runs are 'POST /v1/connectors/<name>/<verb>'.",
        },
      ),
    )
  );
  app.onError((error, c) => {
    if (error instanceof RemoteRefusedError) return refuse(c, error);
    log(`error ${c.req.method} ${new URL(c.req.url).pathname}: ${(error as Error)?.message ?? error}`);
    return refuse(
      c,
      new RemoteRefusedError(500, "server_error", "The server failed to handle the request.", {
        guidance: "See the server's log.",
      }),
    );
  });

  return {
    fetch: async (request) => await app.fetch(request),
    get activeRuns() {
      return admitted;
    },
    get draining() {
      return draining;
    },
    stats: () => structuredClone(stats),
    drain: async (graceMs) => {
      draining = true;
      const pending = () => Promise.all([...runs.values()].map((r) => r.ended));
      log(`draining: ${runs.size} run(s) get ${Math.round(graceMs / 1000)} s to finish`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<"grace">((resolve) =>
        timer = setTimeout(() => resolve("grace"), graceMs)
      );
      const outcome = await Promise.race([pending().then(() => "done" as const), graceOver]);
      clearTimeout(timer);
      if (outcome === "grace") {
        for (const run of runs.values()) run.abort(drainingRefusal());
        await pending();
      }
    },
  };
}

function drainingRefusal(): RemoteRefusedError {
  return new RemoteRefusedError(503, "draining", "The server is shutting down and takes no new runs.", {
    guidance: "Run again once the server is back (incremental reads continue from their last state).",
  });
}

function runNotFound(id: string): RemoteRefusedError {
  return new RemoteRefusedError(404, "run_not_found", `Cannot find run '${id}': it ended or never existed.`, {
    guidance: "Post input only while the run's response is still streaming.",
  });
}

function describeEnd(run: ServerRun, outcome: RunOutcome): string {
  const how = outcome.ok ? "ok" : outcome.clientGone ? "client gone" : `failed ${outcome.code}`;
  return `run ${run.id} ${run.connector} ${run.verb} ${how} in ${outcome.millis} ms, ${outcome.bytesOut} bytes out`;
}
