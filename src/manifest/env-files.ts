import { resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { decodeUtf8, readRegularFile } from "./read-file.js";

export type EnvFileResult = { ok: true; variables: Record<string, string> } | { ok: false; message: string };

/**
 * Reads a dotenv file; a missing file is an error unless it is optional. Anything that is not a
 * regular file (a FIFO, a device, a directory) is an error even when optional: it is there, and
 * reading it would block or never end.
 */
export function readEnvFile(path: string, options: { required: boolean }): EnvFileResult {
  const read = readRegularFile(path);
  if (!read.ok) {
    if (read.code === "ENOENT" && !options.required) return { ok: true, variables: {} };
    return { ok: false, message: `cannot read env file ${path}: ${read.reason}` };
  }
  const decoded = decodeUtf8(read.bytes);
  if (!decoded.ok) {
    return { ok: false, message: `cannot read env file ${path}: byte ${decoded.byte} at line ${decoded.line}, column ${decoded.column} is not UTF-8` };
  }
  const variables = parseDotenv(decoded.text);
  for (const [name, value] of Object.entries(variables)) {
    if (value.includes("\0")) return { ok: false, message: `env file ${path}: the value of ${name} holds a NUL character, which no variable can carry` };
  }
  return { ok: true, variables };
}

/** The variables of `.env` beside the manifest, used for interpolation only; none when it is absent. */
export function readInterpolationEnv(projectDir: string, fileName: string): EnvFileResult {
  return readEnvFile(resolve(projectDir, fileName), { required: false });
}
