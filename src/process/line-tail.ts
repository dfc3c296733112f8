import { defaults } from "../defaults.js";
import { LineBlock } from "./line-block.js";
import type { LogLine } from "./log-line.js";

/** Lines read together: seq `firstSeq`, `firstSeq + 1`, …, their texts joined by "\n". */
interface Batch {
  stream: "stdout" | "stderr";
  time: number;
  firstSeq: number;
  count: number;
  /** Where its text starts in the tail's stream of bytes (see LineTail.written), and how many bytes it takes. */
  start: number;
  bytes: number;
  /** The text itself, for a batch bigger than the whole ring. */
  text?: string;
}

/**
 * The last `capacity` lines of one service, in at most `capacityBytes` bytes.
 *
 * Their text is copied into a ring of bytes outside the JavaScript heap, allocated once, and only
 * an index of the batches they were read in stays on it. Under a flood, a tail that held the
 * strings themselves kept every one long enough to be promoted to the old generation, where it
 * died: a flood of 100 services then took the heap to 2-3 times the tails' size before a full
 * collection. A copy lets the strings die young. Lines become strings and objects again only when
 * someone reads the tail.
 */
export class LineTail {
  private ring?: Buffer;
  /** Bytes written to the ring since the start, holes at its end included: a batch's `start` is its place in this stream. */
  private written = 0;
  /** Held batches from `head` on; the slots before it are emptied as their batches go. */
  private batches: (Batch | undefined)[] = [];
  private head = 0;
  private held = 0;

  constructor(
    readonly service: string,
    readonly capacity: number,
    readonly capacityBytes: number = defaults.logTailBytes,
  ) {}

  push(stream: "stdout" | "stderr", lines: LineBlock, time: number, firstSeq: number): void {
    if (lines.count === 0) return;
    const size = this.capacityBytes;
    const bytes = Buffer.byteLength(lines.text);
    const batch: Batch = { stream, time, firstSeq, count: lines.count, start: 0, bytes };
    if (bytes > size) {
      // Bigger than the ring: kept as it is, alone, until the next batch comes.
      batch.start = Math.ceil(this.written / size) * size;
      batch.text = lines.text;
      this.written = batch.start + size;
    } else {
      this.ring ??= Buffer.allocUnsafeSlow(size);
      // A batch is never cut at the ring's end: it goes to the start, leaving a hole.
      batch.start = (this.written % size) + bytes > size ? Math.ceil(this.written / size) * size : this.written;
      this.ring.write(lines.text, batch.start % size, "utf8");
      this.written = batch.start + bytes;
    }
    this.batches.push(batch);
    this.held += batch.count;
    // Whole batches go once their bytes are written over, or once the rest still holds `capacity`
    // lines (at most one batch too many); the newest always stays.
    for (let oldest = this.batches[this.head] as Batch; this.head < this.batches.length - 1; oldest = this.batches[this.head] as Batch) {
      if (this.held - oldest.count < this.capacity && oldest.start >= this.written - size) break;
      this.held -= oldest.count;
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
      const texts = LineBlock.fromJoined(this.textOf(batch), batch.count).lines;
      for (let i = skip; i < texts.length; i++) {
        out.push({ service: this.service, stream: batch.stream, text: texts[i] as string, time: batch.time, seq: batch.firstSeq + i });
      }
      skip = 0;
    }
    return out;
  }

  private textOf(batch: Batch): string {
    if (batch.text !== undefined) return batch.text;
    const at = batch.start % this.capacityBytes;
    return (this.ring as Buffer).toString("utf8", at, at + batch.bytes);
  }
}
