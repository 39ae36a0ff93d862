// Reading a run's response body (see _wire.ts): the start line, then the connector's stdout passed
// on chunk by chunk as it arrives, and the end line held back and returned. Only the bytes after
// the last newline are ever held, and only while they could still be the end line (they start like
// one), so a connector's long line streams through instead of piling up here.
import { ExecutorUnavailableError, ProtocolError } from "../../errors.ts";
import { END_TYPE, PROTOCOL_VERSION, type RunEnd, type RunStart, START_TYPE } from "./_wire.ts";

const NEWLINE = 10;
const END_PREFIX = new TextEncoder().encode(`{"type":"${END_TYPE}"`);
/** A start line longer than this is not from an airbyte-ts server. */
const MAX_START_LINE = 64 * 1024;

/** Reads one run's response body. */
export class RunBody {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #label: string;
  /** Bytes of the current, unfinished line while it might be the end line (they begin a line). */
  #held: Uint8Array[] = [];
  /** False while inside a line known not to be the end line (the end line begins a line). */
  #atLineStart = true;
  /** The start line, once read. */
  start?: RunStart;
  /** The end line, once the body has ended with one. */
  end?: RunEnd;

  constructor(body: ReadableStream<Uint8Array>, label: string) {
    this.#reader = body.getReader();
    this.#label = label;
  }

  /** Read and check the start line; the stdout bytes that came with it are returned. */
  async readStart(): Promise<Uint8Array[]> {
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await this.#reader.read();
      if (done) throw this.#cutOff();
      const newline = value.indexOf(NEWLINE);
      if (newline === -1) {
        parts.push(value);
        size += value.length;
        if (size > MAX_START_LINE) throw this.#notOurs("its first line is too long");
        continue;
      }
      parts.push(value.subarray(0, newline));
      const text = new TextDecoder().decode(concat(parts));
      let start: RunStart;
      try {
        start = JSON.parse(text);
      } catch {
        throw this.#notOurs("its first line is not JSON");
      }
      if (start?.type !== START_TYPE || typeof start.run !== "string") throw this.#notOurs("no run start");
      if (start.protocol !== PROTOCOL_VERSION) {
        throw new ProtocolError(
          `Cannot use the remote executor at ${this.#label}: it speaks protocol ${start.protocol}, this client ${PROTOCOL_VERSION}.`,
          { guidance: "Use the same airbyte-ts version on the server and the client." },
        );
      }
      this.start = start;
      return this.#take(value.subarray(newline + 1));
    }
  }

  /** The connector's stdout, chunk by chunk; `end` is set once this ends without throwing. */
  async *stdout(first: Uint8Array[]): AsyncGenerator<Uint8Array> {
    for (const piece of first) yield piece;
    for (;;) {
      const { done, value } = await this.#reader.read();
      if (done) break;
      for (const piece of this.#take(value)) yield piece;
    }
    this.end = this.#parseEnd();
  }

  /** Stop reading (early end or abort); the connection is released. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  /**
   * Split `chunk` into what can be passed on now and what might be the end line. A chunk is passed
   * on whole unless its last, unfinished line still starts like the end line (rare: a few bytes
   * after a newline), so the reader downstream gets the transport's chunks, not slivers of them.
   */
  #take(chunk: Uint8Array): Uint8Array[] {
    // Held bytes begin a line; with the new bytes they are decided now or held longer.
    if (this.#held.length && this.#heldBytes() >= END_PREFIX.length && chunk.indexOf(NEWLINE) === -1) {
      this.#held.push(chunk); // still the one line: gather it without copying
      return [];
    }
    const data = this.#held.length ? concat([...this.#held.splice(0), chunk]) : chunk;
    const last = data.lastIndexOf(NEWLINE);
    if (last === -1) {
      if (!this.#atLineStart) return [data]; // inside a line that is not the end line
      if (!startsLikeEnd(data)) {
        this.#atLineStart = false;
        return [data];
      }
      this.#held.push(data);
      return [];
    }
    const tail = data.subarray(last + 1);
    this.#atLineStart = true;
    if (tail.length === 0) return [data];
    if (!startsLikeEnd(tail)) {
      this.#atLineStart = false;
      return [data];
    }
    this.#held.push(tail);
    return [data.subarray(0, last + 1)];
  }

  #heldBytes(): number {
    let n = 0;
    for (const part of this.#held) n += part.length;
    return n;
  }

  #parseEnd(): RunEnd {
    if (!this.#held.length) throw this.#cutOff();
    let end: RunEnd;
    try {
      end = JSON.parse(new TextDecoder().decode(concat(this.#held)));
    } catch {
      throw this.#cutOff();
    }
    if (end?.type !== END_TYPE || end.run !== this.start?.run) throw this.#cutOff();
    return end;
  }

  #cutOff(): ExecutorUnavailableError {
    return new ExecutorUnavailableError(
      `Cannot finish the run on the remote executor at ${this.#label}: the response ended before the run's end.`,
      {
        guidance: "The server or the network dropped the connection. Run again; an incremental read " +
          "continues from the last state it committed.",
        context: { transient: true },
      },
    );
  }

  #notOurs(why: string): ProtocolError {
    return new ProtocolError(
      `Cannot use ${this.#label} as a remote executor: ${why}.`,
      { guidance: "Point 'remote.url' at an 'airbyte-ts serve' server." },
    );
  }
}

/** Do these bytes, the start of a line, begin the way the end line does (as far as they go)? */
function startsLikeEnd(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, END_PREFIX.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== END_PREFIX[i]) return false;
  return true;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
