import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { listProcesses, processesTagged, processTreeOf, type ProcessInfo } from "./process-table.js";

/** What one service's processes use, summed over its whole tree. */
export interface TreeUsage {
  /** CPU time in clock ticks (user and system, of the processes and of the children they reaped). */
  cpuTicks: number;
  rssBytes: number;
  processes: number;
  /** When the tree's root started, in clock ticks since boot; undefined when it is gone. */
  startTicks: number | undefined;
}

/**
 * Clock ticks a second in /proc's figures: USER_HZ, which Linux fixes at 100 for every
 * architecture's user-space interface whatever the kernel's own HZ.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

let pageSize: number | undefined;

/** The size of a memory page, asked once (4 KiB on x86-64; 16 or 64 KiB on some arm64 kernels). */
function memoryPageSize(): number {
  if (pageSize !== undefined) return pageSize;
  try {
    pageSize = Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()) || 4096;
  } catch {
    pageSize = 4096;
  }
  return pageSize;
}

/**
 * What the tree of a service's run uses: its process group leader and every descendant, with
 * those that left the tree but carry its tag (a daemon that double-forked), each counted once.
 */
export function treeUsage(pid: number, tag: string, table: readonly ProcessInfo[] = listProcesses()): TreeUsage {
  const members = new Map<number, ProcessInfo>();
  for (const info of processTreeOf(pid, table)) members.set(info.pid, info);
  for (const info of processesTagged(tag, table)) members.set(info.pid, info);
  let cpuTicks = 0;
  let rssPages = 0;
  for (const info of members.values()) {
    // A zombie's figures are already its parent's to count.
    if (info.state === "Z") continue;
    cpuTicks += info.cpuTicks;
    rssPages += info.rssPages;
  }
  return { cpuTicks, rssBytes: rssPages * memoryPageSize(), processes: members.size, startTicks: members.get(pid)?.startTime };
}

/** Clock ticks since boot, now (/proc/uptime): with a process's start time, how long it has run. */
export function ticksSinceBoot(): number {
  return Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * CLOCK_TICKS_PER_SECOND;
}
