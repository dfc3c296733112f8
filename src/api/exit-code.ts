import { constants } from "node:os";

/**
 * A process's exit code as the SDK gives it: its own, or for one a signal ended, 128 + the
 * signal's number, as a shell says it (143 for SIGTERM, 137 for SIGKILL).
 */
export function sdkExitCode(exitCode: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return exitCode ?? 1;
}
