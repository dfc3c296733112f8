import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";

const FLUSH_AT = 256 * 1024;

/**
 * Appends text to a file in batches: one write per event-loop turn instead of one per line, so a
 * burst of a million lines costs a few hundred writes. `close()` resolves once all is on disk.
 */
export class LogFileWriter {
  private readonly stream: WriteStream;
  private pending: string[] = [];
  private pendingLength = 0;
  private scheduled = false;
  private failed?: Error;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: "a" });
    // A full disk must not crash the supervisor: the lines still reach the terminal and the tail.
    this.stream.on("error", (error) => (this.failed = error));
  }

  write(text: string): void {
    if (this.failed) return;
    this.pending.push(text);
    this.pendingLength += text.length;
    // A burst that never yields to the event loop must not pile up in memory.
    if (this.pendingLength >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.failed) return;
    const text = this.pending.join("");
    this.pending = [];
    this.pendingLength = 0;
    this.stream.write(text);
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      if (this.stream.closed) resolve();
      else this.stream.end(() => resolve());
    });
  }

  /** Why writing stopped, if it did. */
  get error(): Error | undefined {
    return this.failed;
  }
}
