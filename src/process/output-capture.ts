import { Observable, Subject } from "rxjs";
import { defaults } from "../defaults.js";
import { TextStore } from "./text-store.js";

export type OutputStream = "stdout" | "stderr";

/** One chunk as it was read, numbered across both streams (seq 1, 2, …): where its text lies in its stream. */
interface Chunk {
  stream: OutputStream;
  time: number;
  /** Both streams' offsets before it: how far a reader that has everything before it has read each. */
  outStart: number;
  errStart: number;
  length: number;
}

/** What a reader is given: text of one stream read together (up to chunk `seq`), or chunks no longer held. */
export type OutputItem =
  | { kind: "text"; stream: OutputStream; text: string; time: number; seq: number }
  | { kind: "gap"; from: number; to: number; skipped: number };

/**
 * A process's output exactly as it wrote it: each stream's text apart, each with its own bound
 * (its newest `maxBytes` bytes), so that a flood on one never pushes the other out; and the
 * order the chunks came in across both, numbered, for readers that follow it and resume after a
 * chunk (its seq). The numbering of the newest `maxChunks` chunks is kept; a reader that resumes
 * after older ones, or whose next text is no longer held, is told which chunks it missed.
 */
export class OutputCapture {
  private readonly stores: Record<OutputStream, TextStore>;
  private chunks: (Chunk | undefined)[] = [];
  private head = 0;
  private firstSeq = 1;
  private seq = 0;
  private readonly appended = new Subject<void>();

  /** Tells each chunk appended, after it is. */
  readonly appended$: Observable<void> = this.appended.asObservable();

  constructor(
    readonly maxBytes: number = defaults.processOutputBytes,
    readonly maxChunks: number = defaults.processOutputChunks,
  ) {
    this.stores = { stdout: new TextStore(maxBytes), stderr: new TextStore(maxBytes) };
  }

  append(stream: OutputStream, text: string, time = Date.now()): void {
    if (text === "") return;
    const { stdout, stderr } = this.stores;
    this.chunks.push({ stream, time, outStart: stdout.end, errStart: stderr.end, length: text.length });
    this.stores[stream].append(text);
    this.seq++;
    if (this.chunks.length - this.head > this.maxChunks) {
      this.chunks[this.head++] = undefined;
      this.firstSeq++;
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    if (this.appended.observed) this.appended.next();
  }

  /** What the stream wrote, its newest `maxBytes` bytes. */
  text(stream: OutputStream): string {
    return this.stores[stream].text();
  }

  /** The seq of the last chunk (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Whether output after chunk `after` is no longer all held: a reader there has lost some. */
  lostAfter(after: number): boolean {
    const next = after + 1;
    if (next > this.seq) return false;
    if (next < this.firstSeq) return true;
    const chunk = this.chunkAt(next);
    return chunk.outStart < this.stores.stdout.start || chunk.errStart < this.stores.stderr.start;
  }

  /**
   * What came after chunk `after`, in order, about `maxChars` characters at most (a chunk is never
   * cut): consecutive chunks of one stream joined, and chunks no longer held as gaps.
   */
  read(after: number, maxChars = Number.POSITIVE_INFINITY): { items: OutputItem[]; seq: number } {
    const items: OutputItem[] = [];
    let seq = Math.max(0, Math.min(after, this.seq));
    const gap = (through: number): void => {
      const last = items.at(-1);
      if (last?.kind === "gap" && last.to === seq) {
        last.to = through;
        last.skipped += through - seq;
      } else items.push({ kind: "gap", from: seq + 1, to: through, skipped: through - seq });
      seq = through;
    };
    if (seq + 1 < this.firstSeq && seq < this.seq) gap(this.firstSeq - 1);
    let chars = 0;
    while (seq < this.seq && chars < maxChars) {
      const chunk = this.chunkAt(seq + 1);
      const store = this.stores[chunk.stream];
      const start = chunk.stream === "stdout" ? chunk.outStart : chunk.errStart;
      if (start < store.start) {
        gap(seq + 1);
        continue;
      }
      const text = store.slice(start, start + chunk.length);
      const last = items.at(-1);
      seq++;
      chars += text.length;
      if (last?.kind === "text" && last.stream === chunk.stream) {
        last.text += text;
        last.seq = seq;
        last.time = chunk.time;
      } else items.push({ kind: "text", stream: chunk.stream, text, time: chunk.time, seq });
    }
    return { items, seq };
  }

  /** Ends the notifications. */
  close(): void {
    this.appended.complete();
  }

  private chunkAt(seq: number): Chunk {
    return this.chunks[this.head + seq - this.firstSeq] as Chunk;
  }
}
