import type { LineBlock } from "./line-block.js";
import type { LogLine } from "./log-line.js";

/** Lines read together: seq `firstSeq`, `firstSeq + 1`, … */
interface Batch {
  stream: "stdout" | "stderr";
  time: number;
  firstSeq: number;
  lines: LineBlock;
}

/**
 * The last `capacity` lines of one service, kept as the blocks they were read in: a line becomes
 * a string and an object only when someone reads the tail. A flood of a million lines would otherwise make a
 * million objects to keep ten thousand, which was most of the engine's CPU for it.
 */
export class LineTail {
  private batches: Batch[] = [];
  /** Index of the oldest batch still held: batches before it are dropped in bulk. */
  private head = 0;
  private held = 0;

  constructor(
    readonly service: string,
    readonly capacity: number,
  ) {}

  push(stream: "stdout" | "stderr", lines: LineBlock, time: number, firstSeq: number): void {
    if (lines.count === 0) return;
    this.batches.push({ stream, time, firstSeq, lines });
    this.held += lines.count;
    // Whole batches go once the rest still holds `capacity` lines: at most one batch too many.
    while (this.held - (this.batches[this.head] as Batch).lines.count >= this.capacity) {
      this.held -= (this.batches[this.head] as Batch).lines.count;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  /** How many lines it holds (at most `capacity`). */
  get size(): number {
    return Math.min(this.held, this.capacity);
  }

  /** The last `n` lines (all it holds by default), oldest first. */
  last(n = this.capacity): LogLine[] {
    const take = Math.min(n, this.size);
    const out: LogLine[] = [];
    let skip = this.held - take;
    for (let b = this.head; b < this.batches.length; b++) {
      const batch = this.batches[b] as Batch;
      if (skip >= batch.lines.count) {
        skip -= batch.lines.count;
        continue;
      }
      const texts = batch.lines.lines;
      for (let i = skip; i < texts.length; i++) {
        out.push({ service: this.service, stream: batch.stream, text: texts[i] as string, time: batch.time, seq: batch.firstSeq + i });
      }
      skip = 0;
    }
    return out;
  }
}
