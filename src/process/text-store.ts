/** A chunk this short is added to the piece before it while that one is short too. */
const SMALL_CHUNK = 1024;
/** A piece that small chunks are added to stops growing at this length. */
const SMALL_PIECE = 4096;

/**
 * The text one stream of a process wrote, exactly, its newest `maxBytes` bytes (as UTF-8) at most.
 * Every character has an offset, counted from the stream's first one, that never changes: a
 * reader asks for the text between two offsets, and is told when its start is no longer held.
 *
 * Text is kept in the pieces it came in; a run of small chunks (a process that writes a byte at
 * a time) is joined into pieces of a few KiB, so that the count of pieces stays a few per KiB
 * held. Whole pieces are dropped, oldest first, while the rest still holds `maxBytes`; `text()`
 * cuts the oldest one to the exact bound.
 */
export class TextStore {
  private pieces: string[] = [];
  private starts: number[] = [];
  private sizes: number[] = [];
  private head = 0;
  private endOffset = 0;
  private heldBytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Adds text; returns its offset. */
  append(text: string): number {
    const start = this.endOffset;
    if (text === "") return start;
    const bytes = Buffer.byteLength(text);
    const last = this.pieces.length - 1;
    if (last >= this.head && text.length < SMALL_CHUNK && (this.pieces[last] as string).length < SMALL_PIECE) {
      this.pieces[last] += text;
      this.sizes[last] = (this.sizes[last] as number) + bytes;
    } else {
      this.pieces.push(text);
      this.starts.push(start);
      this.sizes.push(bytes);
    }
    this.endOffset += text.length;
    this.heldBytes += bytes;
    while (this.head < this.pieces.length - 1 && this.heldBytes - (this.sizes[this.head] as number) >= this.maxBytes) {
      this.heldBytes -= this.sizes[this.head] as number;
      this.pieces[this.head] = "";
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.pieces.length) {
      this.pieces = this.pieces.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return start;
  }

  /** The offset after the last character written. */
  get end(): number {
    return this.endOffset;
  }

  /** The offset of the oldest character held: text before it is gone. */
  get start(): number {
    return this.head < this.pieces.length ? (this.starts[this.head] as number) : this.endOffset;
  }

  /** The text from offset `from` (at least `start`) to `to`. */
  slice(from: number, to: number): string {
    if (from < this.start) throw new RangeError(`offset ${from} is no longer held (the oldest is ${this.start})`);
    if (to <= from) return "";
    let at = this.pieceAt(from);
    let out = "";
    for (; at < this.pieces.length && (this.starts[at] as number) < to; at++) {
      const pieceStart = this.starts[at] as number;
      out += (this.pieces[at] as string).slice(Math.max(0, from - pieceStart), to - pieceStart);
    }
    return out;
  }

  /** Everything held, cut to the newest `maxBytes` bytes (never inside a character). */
  text(): string {
    const held = this.pieces.slice(this.head);
    const excess = this.heldBytes - this.maxBytes;
    if (excess <= 0 || held.length === 0) return held.join("");
    const oldest = Buffer.from(held[0] as string);
    let cut = excess;
    // Not in the middle of a character: skip the rest of one cut in two.
    while (cut < oldest.length && ((oldest[cut] as number) & 0xc0) === 0x80) cut++;
    held[0] = oldest.toString("utf8", cut);
    return held.join("");
  }

  /** The index of the piece holding `offset`. */
  private pieceAt(offset: number): number {
    let low = this.head;
    let high = this.pieces.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
