import { inspect, type InspectOptions } from "node:util";
import type { ProcessView } from "../protocol/views.js";
import type { Process, ProcessData } from "./types.js";

export type { ProcessView };

export function processView(process: Process): ProcessView {
  return {
    id: process.id,
    pid: process.pid ?? null,
    command: process.command,
    status: process.status,
    exitCode: process.exitCode,
    startTime: process.startTime.toISOString(),
    endTime: process.endTime?.toISOString() ?? null,
  };
}

/**
 * A process as plain data: what JSON.stringify and console.log show of it. Only these fields:
 * the objects behind a process (its environment, with whatever secrets it holds; the engine)
 * must never come out with it.
 */
export function processData(process: Process): ProcessData {
  return {
    id: process.id,
    pid: process.pid,
    command: process.command,
    status: process.status,
    exitCode: process.exitCode,
    startTime: process.startTime,
    ...(process.endTime === undefined ? {} : { endTime: process.endTime }),
  };
}

/** What console.log prints of a process: its class name and its plain data. */
export function inspectProcess(process: Process, options: InspectOptions): string {
  return `${process.constructor.name} ${inspect(processData(process), options)}`;
}
