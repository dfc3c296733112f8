import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/program.js";
import type { CliIo } from "../../src/cli/io.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as `sbx ...args` in `cwd`, capturing its output. */
export async function sbx(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env,
    cwd,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

/** The bundled CLI, which bin/sbx (the bin that package.json names) runs with Node.js. */
export const binPath = fileURLToPath(new URL("../../dist/cli/sbx.cjs", import.meta.url));

/** Runs the built `sbx` binary as a user would, in a child process. */
export function sbxBinary(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): CliResult {
  const result = spawnSync(process.execPath, [binPath, ...args], { cwd, env, encoding: "utf8", timeout: 20_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
