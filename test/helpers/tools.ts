import { execFileSync } from "node:child_process";

/** Whether a program is installed here (CI installs the ones the tests need: see .ci/run). */
export function installed(program: string, versionFlag = "--version"): boolean {
  try {
    execFileSync(program, [versionFlag], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
