import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { CliIo } from "../io.js";

/** What a shell answers for a command it cannot find, or find but not run. */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;

export interface ForegroundTarget {
  cwd: string;
  env: Record<string, string>;
  user?: { uid: number; gid: number } | null;
}

/**
 * Runs a program on this terminal (its input and output this command's) and resolves with its
 * exit code as a shell gives it: 128 + the signal's number when a signal ended it, 127 when it is
 * not found, 126 when it cannot be run. Ctrl-C reaches it through the terminal's process group:
 * its exit, not the signal, ends this command.
 */
export function runInForeground(command: string, program: string, args: readonly string[], target: ForegroundTarget, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    const user = target.user ? { uid: target.user.uid, gid: target.user.gid } : {};
    const child = spawn(program, args, { cwd: target.cwd, env: target.env, stdio: "inherit", ...user });
    const ignore = (): void => {};
    const signals = ["SIGINT", "SIGQUIT"] as const;
    for (const signal of signals) process.on(signal, ignore);
    const done = (code: number): void => {
      for (const signal of signals) process.off(signal, ignore);
      resolve(code);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      io.stderr.write(`sbx ${command}: ${program}: ${error.code === "ENOENT" ? `not found (in ${target.cwd}, on the service's PATH)` : error.message}\n`);
      done(error.code === "ENOENT" ? NOT_FOUND : NOT_EXECUTABLE);
    });
    child.once("exit", (code, signal) => done(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
}
