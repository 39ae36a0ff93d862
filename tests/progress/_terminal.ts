// A tiny terminal model for checking what a live display leaves on screen: it understands \r, \n,
// ESC[nA (cursor up), ESC[2K (erase line) and ESC[0J (erase below), and takes writes one by one.
export class TerminalModel {
  #screen: string[] = [""];
  #row = 0;
  #col = 0;

  write(text: string): void {
    const screen = this.#screen;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\x1b") {
        const match = /^\[(\d*)([A-Za-z])/.exec(text.slice(i + 1, i + 12))!;
        const n = Number(match[1] || "0");
        if (match[2] === "A") this.#row = Math.max(0, this.#row - n);
        else if (match[2] === "K" && n === 2) screen[this.#row] = "";
        else if (match[2] === "J" && n === 0) {
          screen[this.#row] = screen[this.#row].slice(0, this.#col);
          screen.length = this.#row + 1;
        }
        i += match[0].length;
      } else if (ch === "\r") this.#col = 0;
      else if (ch === "\n") {
        this.#row++;
        this.#col = 0;
        if (screen.length <= this.#row) screen.push("");
      } else {
        const line = screen[this.#row].padEnd(this.#col);
        screen[this.#row] = line.slice(0, this.#col) + ch + line.slice(this.#col + 1);
        this.#col++;
      }
    }
  }

  /** The lines on screen (without the empty line the cursor sits on at the end). */
  get lines(): string[] {
    return this.#screen.filter((l, i) => l !== "" || i < this.#screen.length - 1);
  }
}

/** The screen after all of `writes`. */
export function screenOf(writes: string[]): string[] {
  const terminal = new TerminalModel();
  for (const text of writes) terminal.write(text);
  return terminal.lines;
}
