import { readdirSync, readFileSync } from "node:fs";

/** One process as /proc tells it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  /** Clock ticks since boot at which it started: with the pid, it names a process for sure (pids are reused). */
  startTime: number;
  /** CPU time in clock ticks, user and system, its own and that of the children it has reaped. */
  cpuTicks: number;
  /** Resident memory in pages. */
  rssPages: number;
}

export const hasProcTable = (() => {
  try {
    readFileSync("/proc/self/stat");
    return true;
  } catch {
    return false;
  }
})();

/** /proc/PID/stat, or undefined when the process is gone. */
export function readProcess(pid: number): ProcessInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces or parentheses: read from the last one.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return {
    pid,
    state: fields[0] ?? "?",
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: Number(fields[19]),
    cpuTicks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
    rssPages: Number(fields[21]),
  };
}

/** Every process on the machine that /proc shows, read now (see perf/scan-cache.ts for the shared listing). */
export function scanProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const info = readProcess(pid);
    if (info) out.push(info);
  }
  return out;
}

