import { closeSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { LineBlock } from "./line-block.js";
import { FloodMeter, logFileThread } from "./log-file-thread.js";
import { ensurePrivateDirectory, openPrivateAppend } from "./private-files.js";

const FLUSH_AT = 256 * 1024;

/** Over this many bytes a second, over all log files, the writing goes to the log file thread. */
const FLOOD_BYTES_PER_SECOND = 1024 * 1024;
const sharedMeter = new FloodMeter(FLOOD_BYTES_PER_SECOND);
let threadUnavailable = false;

export interface LogFileWriterOptions {
  /** What decides when a flood begins (tests give their own). */
  meter?: FloodMeter;
  /** Opens the file to append to; by default privately, refusing links (tests open devices such as /dev/full). */
  open?: (path: string) => number;
}

function openLogFile(path: string): number {
  ensurePrivateDirectory(dirname(path));
  return openPrivateAppend(path);
}

/**
 * Appends text to a file in batches: one write per event-loop turn (or per 256 KiB) instead of one
 * per line. The writes are synchronous: memory stays bounded by the batch, and nothing is left
 * queued when the file is closed. Under a flood (megabytes a second) the lines go to a thread
 * that writes them (log-file-thread.ts), in the same order; close() waits for it.
 */
export class LogFileWriter {
  private fd: number | undefined;
  private pending = "";
  private scheduled = false;
  private failed?: Error;
  private threaded = false;
  private readonly meter: FloodMeter;

  constructor(
    readonly path: string,
    options: LogFileWriterOptions = {},
  ) {
    this.fd = (options.open ?? openLogFile)(path);
    this.meter = options.meter ?? sharedMeter;
  }

  write(text: string): void {
    if (this.failed || this.fd === undefined) return;
    if (this.useThread()) {
      logFileThread().write(this.fd, text);
      return;
    }
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Each line after `prefix`, ended by a newline. */
  writeLines(prefix: string, lines: LineBlock): void {
    if (this.failed || this.fd === undefined || lines.count === 0) return;
    if (this.useThread()) logFileThread().writeLines(this.fd, prefix, lines.text);
    else this.write(lines.prefixed(prefix));
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending === "" || this.failed || this.fd === undefined) return;
    const text = this.pending;
    this.pending = "";
    this.meter.add(text.length);
    try {
      writeSync(this.fd, text);
    } catch (error) {
      // A full disk must not crash the supervisor: the lines still reach the terminal and the tail.
      this.failed = error as Error;
    }
  }

  async close(): Promise<void> {
    this.flush();
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    if (this.threaded) {
      const error = await logFileThread().sync(fd);
      if (error !== undefined) this.failed ??= new Error(error);
    }
    closeSync(fd);
  }

  /** Why writing stopped, if it did. */
  get error(): Error | undefined {
    return this.failed;
  }

  /** Whether writes go to the thread: from the first write after a flood began, what is pending written first. */
  private useThread(): boolean {
    if (this.threaded) return true;
    if (!this.meter.isFlooded || threadUnavailable) return false;
    let thread: ReturnType<typeof logFileThread>;
    try {
      thread = logFileThread();
    } catch {
      // No thread to be had (a limit on threads): the writes stay on this one, as before a flood.
      threadUnavailable = true;
      return false;
    }
    this.flush();
    this.threaded = true;
    thread.watch(this.fd as number, (error) => (this.failed ??= new Error(error)));
    return true;
  }
}
