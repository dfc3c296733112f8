import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";

const FLUSH_AT = 256 * 1024;

/**
 * Appends text to a file in batches: one write per event-loop turn (or per 256 KiB) instead of one
 * per line. The writes are synchronous: a burst of a million lines then costs a couple of hundred
 * page-cache writes of a fraction of a millisecond each, memory stays bounded by the batch, and
 * nothing is left queued when the file is closed.
 */
export class LogFileWriter {
  private fd: number | undefined;
  private pending = "";
  private scheduled = false;
  private failed?: Error;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "a");
  }

  write(text: string): void {
    if (this.failed || this.fd === undefined) return;
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending === "" || this.failed || this.fd === undefined) return;
    const text = this.pending;
    this.pending = "";
    try {
      writeSync(this.fd, text);
    } catch (error) {
      // A full disk must not crash the supervisor: the lines still reach the terminal and the tail.
      this.failed = error as Error;
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Why writing stopped, if it did. */
  get error(): Error | undefined {
    return this.failed;
  }
}
