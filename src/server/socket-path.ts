import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stateDirectory } from "./state-file.js";

/** Unix socket paths are limited to about 108 bytes; a deep project directory goes to the temp directory instead. */
const MAX_SOCKET_PATH = 100;

export function socketPathFor(projectDir: string): string {
  const preferred = join(stateDirectory(projectDir), "sbx.sock");
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  const hash = createHash("sha256").update(projectDir).digest("hex").slice(0, 16);
  return join(tmpdir(), `sbx-${hash}.sock`);
}

