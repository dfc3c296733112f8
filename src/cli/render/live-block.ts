/** A terminal to draw on: its width, and word when it changes. */
export interface LiveTerminal {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
  on?(event: "resize", listener: () => void): unknown;
  off?(event: "resize", listener: () => void): unknown;
}

/**
 * A few lines kept at the bottom of a terminal while text scrolls above them, as docker compose
 * and npm draw their progress: before each piece of text the block is erased (cursor up over
 * it, erase down), the text written, and the block drawn again below it, all in one write so that
 * it does not flicker. Each line is cut to the terminal's width, so that none wraps and the
 * cursor knows how far up to go; the block never takes more than the terminal's height less one.
 */
export class LiveBlock {
  private lines: string[] = [];
  /** How many rows the block takes on the screen now. */
  private drawn = 0;

  constructor(private readonly terminal: LiveTerminal) {}

  /** Text that scrolls above the block: whole lines, each ending with a newline. */
  write(text: string): void {
    if (this.drawn === 0) {
      this.terminal.write(text);
      return;
    }
    this.terminal.write(this.erase() + text + this.draw());
  }

  /** Sets the block's lines (none hides it) and redraws it. */
  set(lines: readonly string[]): void {
    this.lines = [...lines];
    const text = this.erase() + this.draw();
    if (text !== "") this.terminal.write(text);
  }

  /** Removes the block from the screen; the text above stays. */
  clear(): void {
    this.set([]);
  }

  private erase(): string {
    if (this.drawn === 0) return "";
    const text = `\r\x1b[${this.drawn}A\x1b[J`;
    this.drawn = 0;
    return text;
  }

  private draw(): string {
    if (this.lines.length === 0) return "";
    const width = Math.max(10, (this.terminal.columns ?? 80) - 1);
    const room = Math.max(1, (this.terminal.rows ?? 24) - 1);
    let lines = this.lines;
    if (lines.length > room) lines = [...lines.slice(0, room - 1), `… and ${lines.length - room + 1} more`];
    this.drawn = lines.length;
    return lines.map((line) => `${cut(line, width)}\n`).join("");
  }
}

/** A line cut to `width` columns, counting only what shows: colour sequences take none. */
export function cut(line: string, width: number): string {
  let shown = 0;
  let out = "";
  let coloured = false;
  // eslint-disable-next-line no-control-regex
  for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith("\x1b[")) {
      out += part;
      coloured = true;
      continue;
    }
    for (const char of part) {
      if (shown >= width) return coloured ? `${out}\x1b[0m` : out;
      out += char;
      shown++;
    }
  }
  return out;
}
