import { chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, writeFileSync, type Stats } from "node:fs";
import { join } from "node:path";
import { SbxError } from "../errors.js";

/**
 * The files sbx keeps beside a project hold what its services print: tokens, connection strings.
 * They are its owner's alone whatever the umask (directories 0700, files 0600), wider modes left
 * by an older sbx or by hand are tightened, and nothing is written through a link planted in
 * their place: a link, or anything that is not a plain file or directory, is refused by name.
 */

const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;

// Append, create, and refuse a symbolic link as the last component (O_NOFOLLOW: ELOOP). O_NONBLOCK
// makes a FIFO planted there fail at once (ENXIO) instead of blocking until someone reads it; on a
// regular file it changes nothing.
export const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const GITIGNORE = "# Written by sbx: logs and runtime state, never to be committed.\n*\n";

/** Creates `.sbx/` beside the manifest (0700, with a .gitignore of its own so that nothing in it gets committed); returns its path. */
export function ensureStateDirectory(projectDir: string): string {
  const dir = join(projectDir, ".sbx");
  ensurePrivateDirectory(dir);
  try {
    // O_EXCL: an existing .gitignore is left alone, and a link planted there is not followed.
    writeFileSync(join(dir, ".gitignore"), GITIGNORE, { flag: "wx", mode: FILE_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw fileError(join(dir, ".gitignore"), error);
  }
  return dir;
}

/** Makes sure `dir` is a real directory of ours with mode 0700: created if missing, tightened if wider. */
export function ensurePrivateDirectory(dir: string): void {
  let stats = lstatIfAny(dir);
  if (stats === undefined) {
    try {
      mkdirSync(dir, { recursive: true, mode: DIRECTORY_MODE });
    } catch (error) {
      throw fileError(dir, error);
    }
    stats = lstatSync(dir);
  }
  if (stats.isSymbolicLink()) throw refused(dir, `it is a symbolic link (to ${linkTarget(dir)})`);
  if (!stats.isDirectory()) throw refused(dir, "it is not a directory");
  // The mode asked of mkdir went through the umask; and a directory made earlier may be wider.
  if ((stats.mode & 0o777) !== DIRECTORY_MODE && ownedByUs(stats)) chmodSync(dir, DIRECTORY_MODE);
}

/**
 * Opens a log file to append to it: created 0600, tightened to 0600 if it exists with a wider
 * mode; a symbolic link, a FIFO, a device or a directory in its place is refused.
 */
export function openPrivateAppend(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, APPEND_FLAGS, FILE_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw refused(path, `it is a symbolic link (to ${linkTarget(path)})`);
    if (code === "ENXIO" || code === "EISDIR") throw refused(path, "it is not a regular file");
    throw fileError(path, error);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw refused(path, "it is not a regular file");
  }
  if ((stats.mode & 0o777) !== FILE_MODE && ownedByUs(stats)) fchmodSync(fd, FILE_MODE);
  return fd;
}

function lstatIfAny(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(path, error);
  }
}

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "somewhere else";
  }
}

/** A file of another user is not ours to change: the state file's checks deal with it. */
function ownedByUs(stats: Stats): boolean {
  return process.getuid === undefined || stats.uid === process.getuid();
}

function refused(path: string, why: string): SbxError {
  return new SbxError("UNSAFE_PATH", `refusing to write ${path}: ${why}; sbx writes only files and directories of its own there, so remove it`);
}

function fileError(path: string, error: unknown): SbxError {
  return new SbxError("FILE_ERROR", `cannot write ${path}: ${(error as Error).message}`, {}, { cause: error });
}
