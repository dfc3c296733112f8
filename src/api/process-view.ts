import type { ProcessView } from "../protocol/views.js";
import type { Process } from "./types.js";

export type { ProcessView };

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
