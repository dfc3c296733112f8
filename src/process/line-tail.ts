import { defaults } from "../defaults.js";
import { LineBlock } from "./line-block.js";
import type { LogLine } from "./log-line.js";

/** Lines read together: seq `firstSeq`, `firstSeq + 1`, …, their texts joined by "\n". */
interface Batch {
  stream: "stdout" | "stderr";
  time: number;
  firstSeq: number;
  text: string;
  count: number;
}

/**
 * The last `capacity` lines of one service, kept as the blocks they were read in: a line becomes
 * a string and an object only when someone reads the tail. A flood of a million lines would otherwise make a
 * million objects to keep ten thousand, which was most of the engine's CPU for it.
 *
 * Bounded twice: by lines, and by characters (`capacityChars`), so that ten thousand lines of a
 * megabyte each are not ten gigabytes; the newest batch is kept whatever its size.
 */
export class LineTail {
  /** Held batches from `head` on; the slots before it are emptied as their batches go. */
  private batches: (Batch | undefined)[] = [];
  private head = 0;
  private held = 0;
  private heldChars = 0;

  constructor(
    readonly service: string,
    readonly capacity: number,
    readonly capacityChars: number = defaults.logTailChars,
  ) {}

  push(stream: "stdout" | "stderr", lines: LineBlock, time: number, firstSeq: number): void {
    if (lines.count === 0) return;
    // The text only, not the block: a block keeps its lines split once someone read them one by one.
    this.batches.push({ stream, time, firstSeq, text: lines.text, count: lines.count });
    this.held += lines.count;
    this.heldChars += lines.text.length;
    // Whole batches go once the rest still holds `capacity` lines (at most one batch too many), or
    // while they hold too many characters.
    for (let oldest = this.batches[this.head] as Batch; this.head < this.batches.length - 1; oldest = this.batches[this.head] as Batch) {
      if (this.held - oldest.count < this.capacity && this.heldChars <= this.capacityChars) break;
      this.held -= oldest.count;
      this.heldChars -= oldest.text.length;
      // An emptied slot: the array must not keep what the tail dropped.
      this.batches[this.head++] = undefined;
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
      if (skip >= batch.count) {
        skip -= batch.count;
        continue;
      }
      const texts = LineBlock.fromJoined(batch.text, batch.count).lines;
      for (let i = skip; i < texts.length; i++) {
        out.push({ service: this.service, stream: batch.stream, text: texts[i] as string, time: batch.time, seq: batch.firstSeq + i });
      }
      skip = 0;
    }
    return out;
  }
}
