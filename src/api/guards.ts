import type { Process, ProcessStatus } from "./types.js";

const STATUSES: readonly string[] = ["starting", "running", "completed", "failed", "killed", "error"] satisfies readonly ProcessStatus[];

/** Whether a value is a process's status (as the SDK's isProcessStatus). */
export function isProcessStatus(value: string): value is ProcessStatus {
  return STATUSES.includes(value);
}

/** Whether a value looks like a Process: an id, a command, a status (as the SDK's isProcess). */
export function isProcess(value: unknown): value is Process {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.id === "string" && typeof candidate.command === "string" && typeof candidate.status === "string";
}
