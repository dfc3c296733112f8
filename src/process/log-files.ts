import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { SbxError } from "../errors.js";

/**
 * Reading a service's log back: `api.log` and its rotated files (`api.log.1` newer than
 * `api.log.2`, …; see rotating-file.ts), as one sequence of lines, a block at a time, so that
 * memory does not grow with the log. Each file is read up to the size it had when opened: lines
 * written while it is read belong to a later read (or to `sbx logs -f`).
 */

const BLOCK = 64 * 1024;
const NEWLINE = 10;

/** One file of a log, open for reading. */
interface OpenFile {
  fd: number;
  /** Its size when opened: reading stops there. */
  size: number;
}

/** A position in a log: a file (0 the oldest) and a byte offset in it. */
export interface LogPosition {
  file: number;
  offset: number;
}

/** A service's log files, oldest first, open for reading. Close it when done. */
export class RotatedLog {
  private constructor(private readonly files: readonly OpenFile[]) {}

  /**
   * Opens `path` and its rotated files. They are opened newest first and a file met twice is
   * skipped: a rotation while they are opened (`api.log` becoming `api.log.1` between two opens)
   * then costs at worst the lines written since, never a file read twice or out of order.
   */
  static open(path: string): RotatedLog {
    const files: OpenFile[] = [];
    const seen = new Set<string>();
    try {
      for (let n = 0; ; n++) {
        const fd = openIfAny(n === 0 ? path : `${path}.${n}`);
        if (fd === undefined) {
          // The current file may be missing for a moment, during a rotation; a gap after it ends the set.
          if (n === 0) continue;
          break;
        }
        const stats = fstatSync(fd);
        const identity = `${stats.dev}:${stats.ino}`;
        if (seen.has(identity) || !stats.isFile()) {
          closeSync(fd);
          continue;
        }
        seen.add(identity);
        files.push({ fd, size: stats.size });
      }
    } catch (error) {
      for (const file of files) closeSync(file.fd);
      throw error;
    }
    return new RotatedLog(files.reverse());
  }

  /** Where the last `count` lines begin, found by reading backwards from the end a block at a time. */
  tailStart(count: number): LogPosition {
    if (count <= 0) return this.end();
    const buffer = Buffer.allocUnsafe(BLOCK);
    let remaining = count;
    for (let f = this.files.length - 1; f >= 0; f--) {
      const { fd, size } = this.files[f] as OpenFile;
      let blockEnd = size;
      while (blockEnd > 0) {
        const length = Math.min(BLOCK, blockEnd);
        const blockStart = blockEnd - length;
        readFully(fd, buffer, length, blockStart);
        let at = length - 1;
        // The file's last newline ends its last line; it starts none.
        if (blockEnd === size && buffer[at] === NEWLINE) at--;
        while (at >= 0) {
          const newline = buffer.lastIndexOf(NEWLINE, at);
          if (newline === -1) break;
          if (--remaining === 0) return { file: f, offset: blockStart + newline + 1 };
          at = newline - 1;
        }
        blockEnd = blockStart;
      }
      // The file's first line.
      if (size > 0 && --remaining === 0) return { file: f, offset: 0 };
    }
    return { file: 0, offset: 0 };
  }

  /** Every line from `from` (the first by default) to the end, without its newline; a last line without one too. */
  *lines(from: LogPosition = { file: 0, offset: 0 }): Generator<string> {
    const buffer = Buffer.allocUnsafe(BLOCK);
    for (let f = from.file; f < this.files.length; f++) {
      const { fd, size } = this.files[f] as OpenFile;
      const decoder = new StringDecoder("utf8");
      let position = f === from.file ? from.offset : 0;
      let text = "";
      while (position < size) {
        const length = readFully(fd, buffer, Math.min(BLOCK, size - position), position);
        if (length === 0) break;
        position += length;
        text += decoder.write(buffer.subarray(0, length));
        let start = 0;
        for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
          yield text.slice(start, newline);
          start = newline + 1;
        }
        text = text.slice(start);
      }
      text += decoder.end();
      if (text !== "") yield text;
    }
  }

  close(): void {
    for (const file of this.files) closeSync(file.fd);
  }

  private end(): LogPosition {
    const last = this.files.length - 1;
    return last < 0 ? { file: 0, offset: 0 } : { file: last, offset: (this.files[last] as OpenFile).size };
  }
}

// Not through a link, which sbx never writes (private-files.ts); a FIFO must not block the open (it is then skipped: not a file).
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function openIfAny(path: string): number | undefined {
  try {
    return openSync(path, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw new SbxError("UNSAFE_PATH", `refusing to read ${path}: it is a symbolic link, which sbx never writes; remove it`);
    throw new SbxError("FILE_ERROR", `cannot read ${path}: ${(error as Error).message}`, {}, { cause: error });
  }
}

/** Reads `length` bytes at `position`, or up to the file's end; returns how many were read. */
function readFully(fd: number, buffer: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}
