import { isUtf8 } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from "node:fs";

export type FileRead = { ok: true; bytes: Buffer } | { ok: false; code: string | undefined; reason: string };

/**
 * The bytes of a regular file. A FIFO, a device, a socket or a directory is refused by what it
 * is, never read: a FIFO with no writer blocks `open` forever and /dev/zero never ends. The file
 * is opened without blocking and judged on the open descriptor, so it cannot be swapped between
 * the check and the read.
 */
export function readRegularFile(path: string): FileRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    return failure(path, error);
  }
  try {
    const kind = nonFileKind(fstatSync(fd));
    if (kind) return { ok: false, code: "ENOTFILE", reason: `it is ${kind}, not a file` };
    return { ok: true, bytes: readFileSync(fd) };
  } catch (error) {
    return failure(path, error);
  } finally {
    closeSync(fd);
  }
}

/** What a path is when it is not a regular file (`a FIFO (named pipe)`), following links; undefined for a file or nothing. */
export function nonFileKindAt(path: string): string | undefined {
  try {
    return nonFileKind(statSync(path));
  } catch {
    return undefined;
  }
}

function nonFileKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

function failure(path: string, error: unknown): FileRead {
  const code = (error as NodeJS.ErrnoException).code;
  // A socket cannot be opened at all (ENXIO): say what it is rather than "no such device".
  const kind = code === "ENOENT" ? undefined : nonFileKindAt(path);
  if (kind) return { ok: false, code: "ENOTFILE", reason: `it is ${kind}, not a file` };
  const reasons: Record<string, string> = { ENOENT: "no such file", EACCES: "permission denied" };
  return { ok: false, code, reason: (code && reasons[code]) ?? (error as Error).message };
}

export type Utf8Text = { ok: true; text: string } | { ok: false; line: number; column: number; /** As written in a message: `0xff`. */ byte: string };

/** The bytes as text, or where the first byte that is not UTF-8 lies (1-based line and column, in characters). */
export function decodeUtf8(bytes: Buffer): Utf8Text {
  const text = bytes.toString("utf8");
  if (isUtf8(bytes)) return { ok: true, text };
  // Each byte that is not UTF-8 decodes to U+FFFD; so does a real U+FFFD, which is written EF BF BD.
  // Everything before the first false one decoded faithfully, so its length in bytes is its offset.
  for (let at = text.indexOf("\uFFFD"); at !== -1; at = text.indexOf("\uFFFD", at + 1)) {
    const offset = Buffer.byteLength(text.slice(0, at));
    if (bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd) continue;
    const before = text.slice(0, at);
    const lineStart = before.lastIndexOf("\n") + 1;
    return { ok: false, line: before.split("\n").length, column: at - lineStart + 1, byte: `0x${(bytes[offset] as number).toString(16).padStart(2, "0")}` };
  }
  return { ok: true, text };
}
