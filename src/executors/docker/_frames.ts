/**
 * Splits an attached container's output into stdout and stderr. Without a TTY the engine sends
 * frames: an 8-byte header (stream 0/1/2, three zero bytes, payload size as big-endian uint32)
 * then the payload. With a TTY (or some engines' quirks) the bytes come raw. The mode is read
 * from the first bytes, never from Content-Type (podman and Docker disagree on it).
 *
 * Payloads are passed on as they arrive, also a frame's first half, as views into the chunk read
 * (no copy): stdout is a byte stream whose lines are split later.
 *
 * @module
 */

/** The payload pieces found in one chunk. */
export interface DemuxedChunk {
  stdout: Uint8Array[];
  stderr: Uint8Array[];
}

const HEADER_BYTES = 8;

/**
 * A streaming demultiplexer for the attach stream.
 *
 * @example Two frames, split across chunks
 * ```ts
 * import { FrameDemuxer } from "./_frames.ts";
 * const frame = (stream: number, text: string) => {
 *   const payload = new TextEncoder().encode(text);
 *   const out = new Uint8Array(8 + payload.length);
 *   out[0] = stream;
 *   new DataView(out.buffer).setUint32(4, payload.length);
 *   out.set(payload, 8);
 *   return out;
 * };
 * const bytes = new Uint8Array([...frame(1, "out\n"), ...frame(2, "err\n")]);
 * const demuxer = new FrameDemuxer();
 * const a = demuxer.push(bytes.subarray(0, 10));
 * const b = demuxer.push(bytes.subarray(10));
 * const text = (parts: Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p)).join("");
 * if (text([...a.stdout, ...b.stdout]) !== "out\n" || text(b.stderr) !== "err\n") throw new Error();
 * ```
 */
export class FrameDemuxer {
  /** `undefined` until the first 8 bytes have been seen. */
  #framed?: boolean;
  /** Header bytes gathered so far (a header may straddle two chunks). */
  #header = new Uint8Array(HEADER_BYTES);
  #headerFilled = 0;
  /** Payload bytes still due for the current frame, and its stream. */
  #remaining = 0;
  #stream = 1;

  /** Whether the stream is framed; `undefined` before enough bytes have arrived to tell. */
  get framed(): boolean | undefined {
    return this.#framed;
  }

  /**
   * Take the next chunk read from the attach stream.
   *
   * @param chunk Bytes as read from the socket.
   * @returns The stdout and stderr payload pieces in it, in order within each stream.
   */
  push(chunk: Uint8Array): DemuxedChunk {
    const out: DemuxedChunk = { stdout: [], stderr: [] };
    let offset = 0;
    if (this.#framed === undefined) {
      // Decide on the first 8 bytes: 0/1/2 followed by three zero bytes is a frame header.
      const take = Math.min(HEADER_BYTES - this.#headerFilled, chunk.length);
      this.#header.set(chunk.subarray(0, take), this.#headerFilled);
      this.#headerFilled += take;
      if (this.#headerFilled < HEADER_BYTES) return out;
      const h = this.#header;
      this.#framed = h[0] <= 2 && h[1] === 0 && h[2] === 0 && h[3] === 0;
      if (!this.#framed) {
        out.stdout.push(h.slice(), ...(take < chunk.length ? [chunk.subarray(take)] : []));
        return out;
      }
      this.#startFrame();
      offset = take;
    }
    if (!this.#framed) {
      if (chunk.length > 0) out.stdout.push(chunk);
      return out;
    }
    while (offset < chunk.length) {
      if (this.#remaining > 0) {
        const end = Math.min(chunk.length, offset + this.#remaining);
        (this.#stream === 2 ? out.stderr : out.stdout).push(chunk.subarray(offset, end));
        this.#remaining -= end - offset;
        offset = end;
        continue;
      }
      const take = Math.min(HEADER_BYTES - this.#headerFilled, chunk.length - offset);
      this.#header.set(chunk.subarray(offset, offset + take), this.#headerFilled);
      this.#headerFilled += take;
      offset += take;
      if (this.#headerFilled === HEADER_BYTES) this.#startFrame();
    }
    return out;
  }

  /**
   * The stream has ended: bytes held back while deciding the mode (fewer than 8 in all) are
   * stdout. A frame cut short is simply over.
   */
  end(): DemuxedChunk {
    const out: DemuxedChunk = { stdout: [], stderr: [] };
    if (this.#framed === undefined && this.#headerFilled > 0) {
      out.stdout.push(this.#header.slice(0, this.#headerFilled));
    }
    this.#headerFilled = 0;
    return out;
  }

  #startFrame(): void {
    const h = this.#header;
    // Stream 0 (stdin) never carries output; treat it as stdout rather than drop bytes.
    this.#stream = h[0] === 2 ? 2 : 1;
    this.#remaining = ((h[4] << 24) >>> 0) + (h[5] << 16) + (h[6] << 8) + h[7];
    this.#headerFilled = 0;
  }
}
