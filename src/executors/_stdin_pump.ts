/**
 * Feeding a connector's stdin (a destination's records) from an async source of lines, shared by
 * the executors that own a byte stream to the connector (a child process's stdin, a container's
 * attached connection).
 *
 * @module
 */

/** Stdin bytes gathered while a write is in flight before reading more input waits for it. */
const STDIN_BATCH_CHARS = 64 * 1024;

/** What the pump asks of the run it feeds. */
export interface StdinPumpRun {
  /** True once the run was stopped: the pump ends without writing more. */
  readonly stopped: () => boolean;
  /** The line source threw: the run keeps the error and stops. */
  readonly onSourceError: (error: unknown) => void;
}

/**
 * Write `source` lines to `writer` while the connector's stdout is being read. Lines are gathered
 * while a write is in flight and sent together, so a fast source makes few large writes and a slow
 * one gets each line through at once; at most one write plus one batch is held (back-pressure). A
 * connector that stops reading (or exits) only ends the pump: its exit status tells the story. At
 * the end the writer is closed, so the connector reads end-of-file.
 *
 * @example
 * ```ts
 * import { pumpStdinLines } from "./_stdin_pump.ts";
 * const chunks: string[] = [];
 * const stdin = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(new TextDecoder().decode(c)) });
 * async function* lines() { yield "a"; yield "b"; }
 * await pumpStdinLines(lines(), stdin.getWriter(), { stopped: () => false, onSourceError: () => {} });
 * if (chunks.join("") !== "a\nb\n") throw new Error(chunks.join(""));
 * ```
 */
export async function pumpStdinLines(
  source: AsyncIterable<string>,
  writer: WritableStreamDefaultWriter<Uint8Array>,
  run: StdinPumpRun,
): Promise<void> {
  const encoder = new TextEncoder();
  let broken = false;
  let pending: string[] = [];
  let pendingChars = 0;
  let inFlight: Promise<void> | undefined;
  const send = (): void => {
    const chunk = encoder.encode(pending.join(""));
    pending = [];
    pendingChars = 0;
    inFlight = writer.write(chunk).then(
      () => {
        inFlight = undefined;
        if (pendingChars > 0 && !broken) send();
      },
      () => {
        broken = true;
        inFlight = undefined;
      },
    );
  };
  try {
    for await (const line of source) {
      if (broken || run.stopped()) return;
      pending.push(line, "\n");
      pendingChars += line.length + 1;
      if (!inFlight) send();
      else if (pendingChars >= STDIN_BATCH_CHARS) await inFlight;
    }
  } catch (error) {
    if (!run.stopped()) run.onSourceError(error);
    return;
  }
  while (!broken && (inFlight || pendingChars > 0)) {
    if (!inFlight) send();
    await inFlight;
  }
  if (!broken && !run.stopped()) await writer.close().catch(() => {});
}
