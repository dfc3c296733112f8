import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";

export type EnvFileResult = { ok: true; variables: Record<string, string> } | { ok: false; message: string };

/** Reads a dotenv file; a missing file is an error unless it is optional. */
export function readEnvFile(path: string, options: { required: boolean }): EnvFileResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !options.required) return { ok: true, variables: {} };
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    return { ok: false, message: `cannot read env file ${path}: ${reason}` };
  }
  return { ok: true, variables: parseDotenv(text) };
}

/** The variables of `.env` beside the manifest, used for interpolation only; none when it is absent. */
export function readInterpolationEnv(projectDir: string, fileName: string): EnvFileResult {
  return readEnvFile(resolve(projectDir, fileName), { required: false });
}
