import * as fs from "node:fs";
import { dirname } from "node:path";
import type { LineBlock } from "./line-block.js";
import { FloodMeter, logFileThread } from "./perf/log-file-thread.js";
import { ensurePrivateDirectory, openPrivateAppend } from "./private-files.js";
import { RotatingFile } from "./rotating-file.js";

const FLUSH_AT = 256 * 1024;

/** Over this many bytes a second, over all log files, the writing goes to the log file thread. */
const FLOOD_BYTES_PER_SECOND = 1024 * 1024;
const sharedMeter = new FloodMeter(FLOOD_BYTES_PER_SECOND);
let threadUnavailable = false;

/** When a log file is rotated: past `maxSize` bytes, keeping `maxFiles` files in all. */
export interface LogRotationLimits {
  maxSize: number;
  maxFiles: number;
}

const NO_ROTATION: LogRotationLimits = { maxSize: Number.POSITIVE_INFINITY, maxFiles: 1 };

/** A write to a log file that failed: a full disk (ENOSPC), a file system gone read-only, … */
export interface LogWriteError {
  /** The log file. */
  path: string;
  /** The system's code (`ENOSPC`, `EIO`, …), or sbx's own (`UNSAFE_PATH` for a link planted in a rotated file's place). */
  code: string;
  message: string;
}

export interface LogFileWriterOptions {
  /** What decides when a flood begins (tests give their own). */
  meter?: FloodMeter;
  /** Opens the file to append to; by default privately, refusing links (tests open devices such as /dev/full). */
  open?: (path: string) => number;
  /** Rotate the file by size; by default it grows without limit. */
  rotation?: LogRotationLimits;
  /** Told of the first write that fails, once: the writer goes on trying the next ones. */
  onError?: (error: LogWriteError) => void;
}

function openLogFile(path: string): number {
  ensurePrivateDirectory(dirname(path));
  return openPrivateAppend(path);
}

/**
 * Appends text to a log file in batches: one write per event-loop turn (or per 256 KiB) instead
 * of one per line. The writes are synchronous: memory stays bounded by the batch, and nothing is
 * left queued when the file is closed. Under a flood (megabytes a second) the file goes to a
 * thread that writes it (log-file-thread.ts), in the same order; close() waits for it.
 *
 * The file is rotated by size (rotating-file.ts) by whichever thread owns it. A failed write does
 * not stop sbx: it is reported once (`onError`, `error`), the lines still reach the terminal and
 * the tail, and the next writes are tried, so that the log resumes once the disk has room again.
 */
export class LogFileWriter {
  /** The file while this thread writes it; undefined once the log file thread owns it, or once closed. */
  private file: RotatingFile | undefined;
  /** The file's id in the log file thread, once that owns it. */
  private threadId: number | undefined;
  private closed = false;
  private pending = "";
  private scheduled = false;
  private failure?: LogWriteError;
  private readonly meter: FloodMeter;
  private readonly rotation: LogRotationLimits;
  private readonly onError: ((error: LogWriteError) => void) | undefined;

  /** Throws (an SbxError naming the path) when the file cannot be opened or is not one sbx may write. */
  constructor(
    readonly path: string,
    options: LogFileWriterOptions = {},
  ) {
    const open = options.open ?? openLogFile;
    const fd = open(path);
    this.meter = options.meter ?? sharedMeter;
    this.rotation = options.rotation ?? NO_ROTATION;
    this.onError = options.onError;
    this.file = new RotatingFile(fs, open, path, { fd, size: fs.fstatSync(fd).size, torn: false }, this.rotation.maxSize, this.rotation.maxFiles);
  }

  write(text: string): void {
    if (this.closed) return;
    if (this.useThread()) {
      logFileThread().write(this.threadId as number, text);
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
    if (this.closed || lines.count === 0) return;
    if (this.useThread()) logFileThread().writeLines(this.threadId as number, prefix, lines.text);
    else this.write(lines.prefixed(prefix));
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending === "" || this.file === undefined) return;
    const text = this.pending;
    this.pending = "";
    this.meter.add(text.length);
    try {
      this.file.append(text);
    } catch (error) {
      // A full disk must not crash the supervisor: the lines still reach the terminal and the tail.
      this.report(errorCode(error), (error as Error).message);
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.closed) return;
    this.closed = true;
    if (this.threadId !== undefined) {
      await logFileThread().close(this.threadId);
      return;
    }
    const file = this.file;
    this.file = undefined;
    try {
      file?.close();
    } catch (error) {
      this.report(errorCode(error), (error as Error).message);
    }
  }

  /**
   * Opens the path anew (its directory made again if need be): the file was deleted while sbx
   * wrote it, with `.sbx`, and later lines would go to a file nobody can read.
   */
  reopen(): void {
    if (this.closed) return;
    try {
      ensurePrivateDirectory(dirname(this.path));
      if (this.threadId !== undefined) {
        logFileThread().reopen(this.threadId);
        return;
      }
      this.flush();
      this.file?.reopenPath();
      this.failure = undefined;
    } catch (error) {
      this.report(errorCode(error), (error as Error).message);
    }
  }

  /** The first write that failed, if one did. */
  get error(): LogWriteError | undefined {
    return this.failure;
  }

  private report(code: string, message: string): void {
    if (this.failure !== undefined) return;
    this.failure = { path: this.path, code, message };
    this.onError?.(this.failure);
  }

  /** Whether writes go to the thread: from the first write after a flood began, what is pending written first. */
  private useThread(): boolean {
    if (this.threadId !== undefined) return true;
    if (this.file === undefined || !this.meter.isFlooded || threadUnavailable) return false;
    let thread: ReturnType<typeof logFileThread>;
    try {
      thread = logFileThread();
    } catch {
      // No thread to be had (a limit on threads): the writes stay on this one, as before a flood.
      threadUnavailable = true;
      return false;
    }
    this.flush();
    const state = this.file.handOver();
    this.file = undefined;
    this.threadId = thread.adopt(this.path, state, this.rotation, (failure) => this.report(failure.code, failure.message));
    return true;
  }
}

/** The system's code of an error (`ENOSPC`), or sbx's own for an SbxError whose cause has none. */
function errorCode(error: unknown): string {
  const own = error as { code?: unknown; cause?: { code?: unknown } };
  const code = own.cause?.code ?? own.code;
  return typeof code === "string" ? code : "EIO";
}
