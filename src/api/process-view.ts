import type { Process, ProcessStatus } from "./types.js";

/** A process as the control API sends it. */
export interface ProcessView {
  id: string;
  pid: number | null;
  command: string;
  status: ProcessStatus;
  exitCode: number | null;
  /** ISO time. */
  startTime: string;
}

export function processView(process: Process): ProcessView {
  return {
    id: process.id,
    pid: process.pid ?? null,
    command: process.command,
    status: process.status,
    exitCode: process.exitCode,
    startTime: process.startTime.toISOString(),
  };
}
