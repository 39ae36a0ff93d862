// Reading a run's request body within the server's limits: the run request (its first line, or
// the whole body) is read up to `requestBytes`, and a `write` run's input lines that follow it
// are handed on as they stream in, each line at most `inputChunkBytes` long.
import { RemoteRefusedError } from "../errors.ts";
import { FILE_FIELDS, type Verb, VERB_FIELDS } from "../executors/remote/_wire.ts";
import { LineSplitter } from "../protocol/line_splitter.ts";

const NEWLINE = 10;

/** The run request's text and the body bytes after it. */
export interface SplitBody {
  head: Uint8Array;
  rest: AsyncIterable<Uint8Array>;
}

/** 413 for a run request over `maxBytes`. */
export function tooLarge(what: string, maxBytes: number, limit: string): RemoteRefusedError {
  return new RemoteRefusedError(413, "too_large", `Cannot accept ${what} larger than ${maxBytes} bytes.`, {
    guidance:
      `Send less (fewer streams, a smaller state), or raise 'limits.${limit}' in the server configuration.`,
  });
}

/** 400 for a run request that cannot be used. */
export function badRequest(message: string, guidance?: string): RemoteRefusedError {
  return new RemoteRefusedError(400, "bad_request", message, {
    guidance: guidance ?? 'Send the run request as one JSON object: {"config":…,"catalog":…,"state":…}.',
  });
}

/**
 * Read the body up to its first newline (or its end), refusing more than `maxBytes` before it.
 * The rest is left unread for the caller to stream.
 */
export async function readHead(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<SplitBody> {
  if (!body) return { head: new Uint8Array(0), rest: empty() };
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      reader.releaseLock();
      return { head: concat(parts, size), rest: empty() };
    }
    const newline = value.indexOf(NEWLINE);
    const take = newline === -1 ? value : value.subarray(0, newline);
    size += take.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge("a run request", maxBytes, "requestBytes");
    }
    parts.push(take);
    if (newline !== -1) {
      return { head: concat(parts, size), rest: remaining(reader, value.subarray(newline + 1)) };
    }
  }
}

/** Decode a run request and check it against what the verb needs: flag → file content. */
export function parseRunRequest(head: Uint8Array, verb: Verb): Record<string, string> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(head).trim();
  } catch {
    throw badRequest("Cannot read the run request: it is not UTF-8 text.");
  }
  let request: unknown = {};
  if (text !== "") {
    try {
      request = JSON.parse(text);
    } catch (error) {
      throw badRequest(`Cannot parse the run request as JSON: ${(error as Error).message}.`);
    }
  }
  if (!request || typeof request !== "object" || Array.isArray(request)) {
    throw badRequest("Cannot use the run request: it must be a JSON object.");
  }
  const fields = VERB_FIELDS[verb];
  const given = Object.keys(request);
  const unexpected = given.filter((k) => !fields.allowed.includes(k));
  if (unexpected.length) {
    throw badRequest(
      `Cannot use ${unexpected.map((k) => `'${k}'`).join(", ")} in a '${verb}' request.`,
      `A '${verb}' request takes ${
        fields.allowed.length ? fields.allowed.map((k) => `'${k}'`).join(", ") : "no fields"
      }.`,
    );
  }
  const missing = fields.required.filter((k) => (request as Record<string, unknown>)[k] === undefined);
  if (missing.length) {
    throw badRequest(`Cannot run '${verb}' without ${missing.map((k) => `'${k}'`).join(" and ")}.`);
  }
  const files: Record<string, string> = {};
  for (const key of given as (keyof typeof FILE_FIELDS)[]) {
    const value = (request as Record<string, unknown>)[key];
    const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
    if (key === "state" ? !(isObject || Array.isArray(value)) : !isObject) {
      throw badRequest(
        `Cannot use '${key}': it must be a JSON ${key === "state" ? "array or object" : "object"}.`,
      );
    }
    if (key === "catalog" && !Array.isArray((value as { streams?: unknown }).streams)) {
      throw badRequest("Cannot use 'catalog': it must be a configured catalog with a 'streams' array.");
    }
    files[FILE_FIELDS[key]] = JSON.stringify(value);
  }
  return files;
}

/** Lines of a byte stream; a line longer than `maxLineBytes` ends it with a 413 refusal. */
export async function* lines(
  source: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<string> {
  let oversized: number | undefined;
  const splitter = new LineSplitter({ maxLineBytes, onOversizedLine: (info) => oversized ??= info.bytes });
  const out: string[] = [];
  for await (const chunk of source) {
    splitter.push(chunk, out);
    if (oversized !== undefined) throw tooLarge("an input line", maxLineBytes, "inputChunkBytes");
    if (out.length) {
      yield* out;
      out.length = 0;
    }
  }
  splitter.flush(out);
  if (oversized !== undefined) throw tooLarge("an input line", maxLineBytes, "inputChunkBytes");
  yield* out;
}

/** Read a whole (small) body, refusing more than `maxBytes`. */
export async function readAll(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(parts, size);
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge("an input chunk", maxBytes, "inputChunkBytes");
    }
    parts.push(value);
  }
}

async function* remaining(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
): AsyncGenerator<Uint8Array> {
  try {
    if (first.length) yield first;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

// deno-lint-ignore require-yield
async function* empty(): AsyncGenerator<Uint8Array> {
  return;
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
