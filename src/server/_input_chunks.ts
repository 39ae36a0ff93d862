// The stdin of a `write` run whose client posts its input in numbered chunks (browsers cannot
// stream a request body over HTTP/1.1). One chunk is held at a time: a post is answered once the
// connector's stdin has taken all of its lines, so a client that waits for each answer never gets
// ahead of the destination (back-pressure), and the server holds at most one chunk per run.
import { RemoteRefusedError } from "../errors.ts";
import { type Deferred, deferred } from "./_deferred.ts";

interface Pending {
  lines: string[];
  last: boolean;
  taken: Deferred<void>;
}

/** The queue between `POST /v1/runs/<id>/input` and the connector's stdin. */
export class InputChunks {
  #nextSeq = 0;
  #pending?: Pending;
  #wake?: Deferred<void>;
  #closed?: unknown;
  #ended = false;

  /**
   * Hand over chunk `seq`. Resolves once the connector's stdin has taken every line; rejects with
   * a 409 refusal for a chunk out of order or while another is held, and with the run's end
   * reason when the run ended first.
   */
  push(seq: number, lines: string[], last: boolean): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (this.#ended || this.#pending || seq !== this.#nextSeq) {
      return Promise.reject(
        new RemoteRefusedError(
          409,
          "bad_request",
          this.#ended
            ? "Cannot take more input: the last chunk was already posted."
            : `Cannot take input chunk ${seq}: the server expects chunk ${this.#nextSeq}, one at a time.`,
          { guidance: "Post chunks in order, each after the previous one was answered." },
        ),
      );
    }
    this.#nextSeq++;
    if (last) this.#ended = true;
    const pending: Pending = { lines, last, taken: deferred<void>() };
    this.#pending = pending;
    this.#wake?.resolve();
    return pending.taken.promise;
  }

  /** The run has ended: refuse further chunks and fail the one held. */
  close(reason: unknown): void {
    if (this.#closed !== undefined) return;
    this.#closed = reason;
    this.#pending?.taken.reject(reason);
    this.#pending = undefined;
    this.#wake?.resolve();
  }

  /** The connector's stdin: every line of every chunk, in order, until the last chunk. */
  async *lines(): AsyncGenerator<string> {
    for (;;) {
      while (!this.#pending) {
        if (this.#closed !== undefined) return;
        this.#wake = deferred<void>();
        await this.#wake.promise;
      }
      const pending = this.#pending;
      yield* pending.lines;
      // Taken: the next line asked for means the stdin pump has these.
      this.#pending = undefined;
      pending.taken.resolve();
      if (pending.last) return;
    }
  }
}
