import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { SbxError } from "../errors.js";
import { stateDirectory, type ProjectHome } from "./project-home.js";

/** Unix socket paths are limited to about 108 bytes; a deep project directory goes to the temp directory instead. */
const MAX_SOCKET_PATH = 100;

/**
 * Where the control socket of the project at `home` lives: `sbx.sock` in its state directory, or
 * for a directory so deep that the path would pass the limit, a file named after the hash of the
 * directory (and of the project's name, when it was given one) in a directory of the current
 * user's own under the temp directory (the temp directory is shared with every other user, who
 * must not be able to place or replace it).
 */
export function socketPathFor(home: ProjectHome): string {
  const preferred = join(stateDirectory(home), "sbx.sock");
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  // The default project's hash is the directory's alone, as before projects had names.
  const key = home.name === undefined ? home.dir : `${home.dir}\0${home.name}`;
  // Loaded here, for a deep directory only: every command that finds a project (`sbx down`
  // before its request) reads this path, and node:crypto and node:os took 3 ms of its start.
  const { createHash } = process.getBuiltinModule("node:crypto");
  const { tmpdir } = process.getBuiltinModule("node:os");
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return join(tmpdir(), `sbx-${process.getuid?.() ?? "user"}`, `${hash}.sock`);
}

/** Makes the temp directory that holds a deep project's socket: the user's own, 0700, never someone else's. */
export function ensureSocketDirectory(socketPath: string, home: ProjectHome): void {
  const directory = dirname(socketPath);
  if (directory === stateDirectory(home)) return;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const stats = lstatSync(directory);
  const uid = process.getuid?.();
  if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) {
    throw new SbxError("STATE_UNTRUSTED", `${directory}, where sbx puts the control socket of ${home.dir}, is not a directory of yours: remove it`);
  }
  if ((stats.mode & 0o077) !== 0) chmodSync(directory, 0o700);
}
