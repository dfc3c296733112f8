import { constants } from "node:os";
import type { ExitStatus } from "./spawn-command.js";

/**
 * Why a child ended: on its own (`exited`, with its code), by a signal someone else sent
 * (`signalled`), or because its runner ended it — its timeout (`timed-out`) or a stop asked for
 * (`stopped`) — however it then exited. What a status means is decided from this, never from words.
 */
export type EndKind = "exited" | "signalled" | "timed-out" | "stopped";

export interface ChildEnd {
  kind: EndKind;
  /** As Node.js reported it. */
  status: ExitStatus;
  /** As a shell reports it: the process's own code, or 128 + the signal's number (143 for SIGTERM, 137 for SIGKILL). */
  exitCode: number;
}

/** 128 + the signal's number: the exit code a shell gives a process that a signal ended. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** The shell's exit code for an exit status. */
export function shellExitCode(status: ExitStatus): number {
  if (status.exitCode !== null) return status.exitCode;
  return status.signal === null ? 1 : signalExitCode(status.signal);
}

export function childEnd(status: ExitStatus, endedBy: "timed-out" | "stopped" | undefined): ChildEnd {
  const kind: EndKind = endedBy ?? (status.signal !== null ? "signalled" : "exited");
  return { kind, status, exitCode: shellExitCode(status) };
}
