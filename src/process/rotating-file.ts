/** What a rotating file needs of node:fs: the main thread gives its own, the log file thread requires it. */
export interface RotatingFileIo {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  fstatSync(fd: number): { size: number };
}

/** Where a rotating file stands, to hand it from one thread to another. */
export interface RotatingFileState {
  /** Its open descriptor; null when the last reopening failed (the next write tries again). */
  fd: number | null;
  /** Bytes in the current file. */
  size: number;
  /** Whether a failed write left a line without its end: the next write ends it first. */
  torn: boolean;
}

/**
 * A log file that is rotated by size, as compose's json-file driver does: once the next line
 * would take `api.log` past `maxSize` bytes, `api.log.1` becomes `api.log.2` and so on, the
 * oldest (`api.log.{maxFiles-1}`) is dropped, `api.log` becomes `api.log.1` and a new `api.log`
 * is opened. Whole lines only: a line never straddles two files, and one longer than `maxSize`
 * gets a file of its own. Only one thread owns a file at a time (see log-file-writer.ts), so that
 * the rotations fall between the writes in their order.
 *
 * Self-contained (no imports, no module constants): the log file thread runs this very class's
 * source, with node:fs and an `open` of its own.
 */
export class RotatingFile {
  private fd: number | null;
  private size: number;
  private torn: boolean;

  constructor(
    private readonly io: RotatingFileIo,
    /** Opens `path` to append to it (creating it), returning the descriptor. */
    private readonly open: (path: string) => number,
    readonly path: string,
    state: RotatingFileState,
    private readonly maxSize: number,
    private readonly maxFiles: number,
  ) {
    this.fd = state.fd;
    this.size = state.size;
    this.torn = state.torn;
  }

  /** Appends `text`, whole lines ended by "\n", rotating before a line that would not fit. Throws what failed; the rest of `text` is then lost. */
  append(text: string): void {
    if (this.fd === null) this.reopen();
    if (this.torn) {
      this.writeAll(Buffer.from("\n"), 0, 1);
      this.torn = false;
    }
    const bytes = Buffer.from(text, "utf8");
    let start = 0;
    while (start < bytes.length) {
      let end = bytes.length;
      if (this.size + (end - start) > this.maxSize) {
        const room = this.maxSize - this.size;
        // The end of the last line that fits in what is left of this file.
        let cut = room > 0 ? bytes.lastIndexOf(10, start + room - 1) : -1;
        if (cut < start) {
          if (this.size > 0) {
            this.rotate();
            continue;
          }
          // A line longer than a whole file: alone in a file of its own, never cut.
          cut = bytes.indexOf(10, start);
          if (cut === -1) cut = bytes.length - 1;
        }
        end = cut + 1;
      }
      this.writeAll(bytes, start, end);
      start = end;
    }
  }

  /** Gives the file up to another owner: this object is not to be used again. */
  handOver(): RotatingFileState {
    const state = { fd: this.fd, size: this.size, torn: this.torn };
    this.fd = null;
    return state;
  }

  /** Opens its path anew (the file was deleted or moved away): later writes go to the file found there now. Throws what failed. */
  reopenPath(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) {
      try {
        this.io.closeSync(fd);
      } catch {}
    }
    this.reopen();
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.io.closeSync(fd);
  }

  private writeAll(bytes: Uint8Array, start: number, end: number): void {
    let offset = start;
    try {
      while (offset < end) {
        const written = this.io.writeSync(this.fd as number, bytes, offset, end - offset);
        offset += written;
        this.size += written;
      }
    } catch (error) {
      // Part of a line may be in the file (a disk that filled up half-way through a write).
      if (offset > start && bytes[offset - 1] !== 10) this.torn = true;
      throw error;
    }
  }

  private rotate(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) {
      try {
        this.io.closeSync(fd);
      } catch {}
    }
    const numbered = (n: number): string => (n === 0 ? this.path : `${this.path}.${n}`);
    /** Whether it was done: false when the file was not there. */
    const unlessMissing = (action: () => void): boolean => {
      try {
        action();
        return true;
      } catch (error) {
        if ((error as { code?: string }).code !== "ENOENT") throw error;
        return false;
      }
    };
    // maxFiles files in all: the current one and maxFiles - 1 older ones. Those past them (left
    // by a larger max_files) go too.
    unlessMissing(() => this.io.unlinkSync(numbered(this.maxFiles - 1)));
    for (let n = this.maxFiles; unlessMissing(() => this.io.unlinkSync(numbered(n))); n++);
    for (let n = this.maxFiles - 2; n >= 0; n--) unlessMissing(() => this.io.renameSync(numbered(n), numbered(n + 1)));
    this.reopen();
  }

  private reopen(): void {
    const fd = this.open(this.path);
    this.fd = fd;
    // Empty after a rotation; not so if the rotation failed half-way and the old file is still there.
    this.size = this.io.fstatSync(fd).size;
    this.torn = false;
  }
}
