import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SbxError } from "../errors.js";

/** Unix socket paths are limited to about 108 bytes; a deep project directory goes to the temp directory instead. */
const MAX_SOCKET_PATH = 100;

/**
 * Where the control socket of the project in `projectDir` lives: `.sbx/sbx.sock`, or for a
 * directory so deep that the path would pass the limit, a file named after the directory's hash in
 * a directory of the current user's own under the temp directory (the temp directory is shared
 * with every other user, who must not be able to place or replace it).
 */
export function socketPathFor(projectDir: string): string {
  const preferred = join(projectDir, ".sbx", "sbx.sock");
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  const hash = createHash("sha256").update(projectDir).digest("hex").slice(0, 16);
  return join(tmpdir(), `sbx-${process.getuid?.() ?? "user"}`, `${hash}.sock`);
}

/** Makes the temp directory that holds a deep project's socket: the user's own, 0700, never someone else's. */
export function ensureSocketDirectory(socketPath: string, projectDir: string): void {
  const directory = dirname(socketPath);
  if (directory === join(projectDir, ".sbx")) return;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const stats = lstatSync(directory);
  const uid = process.getuid?.();
  if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) {
    throw new SbxError("STATE_UNTRUSTED", `${directory}, where sbx puts the control socket of ${projectDir}, is not a directory of yours: remove it`);
  }
  if ((stats.mode & 0o077) !== 0) chmodSync(directory, 0o700);
}
