/**
 * Complete lines read together (one chunk of a pipe), kept as the one string they came in: their
 * texts joined by "\n", without the last newline. A flood of a million lines is read, written to
 * the terminal and to the log file without a string per line: that is made only for whoever
 * reads lines one by one (a log check, a follower, the tail).
 */
export class LineBlock {
  private split?: readonly string[];

  private constructor(
    /** The lines joined by "\n"; "" for no line, and for one empty line. */
    readonly text: string,
    /** How many lines. */
    readonly count: number,
  ) {}

  static readonly empty = new LineBlock("", 0);

  /** The lines of `text`, given without their last newline and with "\r\n" already made "\n". */
  static fromJoined(text: string, count: number): LineBlock {
    return count === 0 ? LineBlock.empty : new LineBlock(text, count);
  }

  static of(lines: readonly string[]): LineBlock {
    if (lines.length === 0) return LineBlock.empty;
    const block = new LineBlock(lines.join("\n"), lines.length);
    block.split = lines;
    return block;
  }

  get lines(): readonly string[] {
    this.split ??= this.count === 0 ? [] : this.text.split("\n");
    return this.split;
  }

  /** Each line after `prefix` and ended by a newline, as one string. */
  prefixed(prefix: string): string {
    return this.count === 0 ? "" : prefixLines(this.text, prefix);
  }
}

/**
 * Lines joined by "\n" (at least one), each put after `prefix` and ended by a newline. Self-contained:
 * the log file thread runs this very function's source.
 */
export function prefixLines(text: string, prefix: string): string {
  // In a replacement string `$` is special ($&, $1): doubled, it stands for itself.
  return prefix + text.replaceAll("\n", "\n" + prefix.replaceAll("$", "$$$$")) + "\n";
}
