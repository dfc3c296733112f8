import treeKill from "tree-kill";
import { hasProcTable, isRunning, listProcesses, ownStartTime, processesTagged, processesWithTags, processTreeOf, readProcess, type ProcessInfo, type Tags } from "./process-table.js";

export interface KillTreeOptions {
  /** Sent first to the group and every descendant. */
  signal: NodeJS.Signals;
  /** How long they may take to exit before SIGKILL; 0 sends SIGKILL straight away. */
  gracePeriodMs: number;
  /** Ends the grace period early when it aborts: a caller that keeps the time itself (on its own clock), or a forced stop. */
  graceOver?: AbortSignal;
  /** How often to look whether they are gone. */
  pollMs?: number;
  /** The SBX_TREE_ID the tree's processes carry: finds descendants that escaped both group and tree. */
  tag?: string;
  /** The tag was minted by this process: only processes started since it can carry it (see ownStartTime). */
  tagIsOurs?: boolean;
  /**
   * The leader's start time as recorded earlier (by a supervisor that has since died): when the
   * pid now belongs to another process, neither it nor its group is touched; only the tag counts.
   */
  leaderStartTime?: number;
}

/**
 * Ends a process, its process group, and every descendant, including those that left the group
 * (setsid): `signal` to all, then SIGKILL to whatever is left after the grace period. Resolves once
 * none of them runs, telling whether SIGKILL was needed. Only processes found in the tree are
 * signalled, each checked by its start time so that a reused pid is never hit.
 */
export async function killTree(pid: number, options: KillTreeOptions): Promise<{ forced: boolean }> {
  if (!hasProcTable) return mayBeSignalled(pid) ? killTreePortable(pid, options) : { forced: false };
  const poll = options.pollMs ?? 10;
  const leader = mayBeSignalled(pid) ? readProcess(pid) : undefined;
  const leaderIsOurs = leader !== undefined && (options.leaderStartTime === undefined || leader.startTime === options.leaderStartTime);
  // Taken before any signal: once the leader dies its children are re-parented and the tree is lost.
  const targets = new Map<number, ProcessInfo>();
  const track = (withTag = false): void => {
    // From the leader and from every process already tracked: one that was re-parented (its
    // parent died) still brings its own descendants along.
    const table = listProcesses();
    if (withTag && options.tag !== undefined) {
      for (const info of processesTagged(options.tag, table, options.tagIsOurs ? ownStartTime() : undefined)) if (!targets.has(info.pid) && info.state !== "Z") targets.set(info.pid, info);
    }
    // A tracked pid now held by another process (reused) must not bring that one's tree along.
    const roots = table.filter((info) => (leaderIsOurs && info.pid === pid) || targets.get(info.pid)?.startTime === info.startTime).map((info) => info.pid);
    for (const info of processTreeOf(roots, table)) {
      if (!targets.has(info.pid) && info.state !== "Z") targets.set(info.pid, info);
    }
  };
  track(true);

  const signalAll = (signal: NodeJS.Signals): void => {
    if (leaderIsOurs) sendSignal(-pid, signal);
    for (const info of targets.values()) {
      const now = readProcess(info.pid);
      if (now === undefined || now.state === "Z" || now.startTime !== info.startTime) continue;
      // The group's signal reached its members already: each signal wakes a process, and a
      // teardown of many services sends hundreds.
      if (leaderIsOurs && now.pgid === pid) continue;
      sendSignal(info.pid, signal);
    }
  };
  const alive = (): ProcessInfo[] => [...targets.values()].filter((info) => isRunning(info.pid, info.startTime));

  if (options.gracePeriodMs > 0 && options.signal !== "SIGKILL") {
    signalAll(options.signal);
    const deadline = Date.now() + options.gracePeriodMs;
    for (let round = 1; Date.now() < deadline && options.graceOver?.aborted !== true; round++) {
      // Whether the known ones are gone is a few small reads; a process may also start children
      // while it shuts down, and finding those takes a scan of all of /proc: every fifth round.
      if (alive().length === 0) {
        track();
        if (alive().length === 0) return { forced: false };
      } else if (round % 5 === 0) track();
      await sleep(poll);
    }
  }
  track(true);
  if (alive().length === 0 && options.signal !== "SIGKILL") return { forced: false };
  const hadToForce = alive().length > 0 && options.signal !== "SIGKILL";
  signalAll("SIGKILL");
  while (alive().length > 0) {
    await sleep(poll);
    track();
    signalAll("SIGKILL");
  }
  return { forced: hadToForce };
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  if (!mayBeSignalled(pid)) return;
  try {
    process.kill(pid, signal);
  } catch (error) {
    // ESRCH: already gone. EPERM: not ours (a reused pid): leave it alone.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ESRCH" && code !== "EPERM") throw error;
  }
}

/**
 * Whether a pid (or, negative, a process group) names one process or group that is not sbx
 * itself. 0, 1 and -1 stand for many processes (our own group; init; every process we may
 * signal, the whole machine for root), and a pid read from a file may be any of them.
 */
export function mayBeSignalled(target: number): boolean {
  if (!Number.isSafeInteger(target)) return false;
  const pid = Math.abs(target);
  if (pid <= 1 || pid === process.pid) return false;
  return !(target < 0 && pid === ownProcessGroup());
}

let ownGroup: number | undefined;

function ownProcessGroup(): number | undefined {
  ownGroup ??= readProcess(process.pid)?.pgid;
  return ownGroup;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Where there is no /proc (macOS): tree-kill finds the descendants through `ps`. */
async function killTreePortable(pid: number, options: KillTreeOptions): Promise<{ forced: boolean }> {
  const kill = (signal: NodeJS.Signals): Promise<void> => new Promise((resolve) => treeKill(pid, signal, () => resolve()));
  const isAlive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  sendSignal(-pid, options.signal);
  await kill(options.signal);
  const deadline = Date.now() + options.gracePeriodMs;
  while (isAlive() && Date.now() < deadline && options.graceOver?.aborted !== true) await sleep(options.pollMs ?? 20);
  if (!isAlive()) return { forced: false };
  sendSignal(-pid, "SIGKILL");
  await kill("SIGKILL");
  while (isAlive()) await sleep(options.pollMs ?? 20);
  return { forced: options.signal !== "SIGKILL" };
}

/** Which tagged processes to end: those of any of these trees, of this project run, or of any run in this directory. */
export interface TagSelector {
  trees?: readonly string[];
  project?: string;
  dir?: string;
  /** The tags were minted by this process: only processes started since it can carry them (see ownStartTime). */
  ours?: boolean;
}

function selects(selector: TagSelector, tags: Tags): boolean {
  return (
    (tags.tree !== undefined && selector.trees?.includes(tags.tree) === true) ||
    (selector.project !== undefined && tags.project === selector.project) ||
    (selector.dir !== undefined && tags.dir === selector.dir)
  );
}

/**
 * Ends every process whose environment carries one of the tags selected: `signal` (SIGTERM by
 * default), then SIGKILL to what is left after the grace period. Only processes carrying the
 * tags are touched, each by its pid and start time. Resolves with how many there were.
 */
export async function killTagged(selector: TagSelector, options: { signal?: NodeJS.Signals; gracePeriodMs: number; graceOver?: AbortSignal }): Promise<number> {
  if (!hasProcTable) return 0;
  const targets = new Map<number, ProcessInfo>();
  const track = (): void => {
    for (const info of processesWithTags((tags) => selects(selector, tags), listProcesses(), selector.ours ? ownStartTime() : undefined)) if (!targets.has(info.pid) && info.state !== "Z") targets.set(info.pid, info);
  };
  const alive = (): ProcessInfo[] => [...targets.values()].filter((info) => isRunning(info.pid, info.startTime));
  track();
  const found = targets.size;
  if (found === 0) return 0;
  const signal = options.signal ?? "SIGTERM";
  for (const info of alive()) sendSignal(info.pid, signal);
  const deadline = Date.now() + (signal === "SIGKILL" ? 0 : options.gracePeriodMs);
  while (alive().length > 0 && Date.now() < deadline && options.graceOver?.aborted !== true) {
    await sleep(10);
    track();
  }
  while (alive().length > 0) {
    for (const info of alive()) sendSignal(info.pid, "SIGKILL");
    await sleep(10);
    track();
  }
  return found;
}

/**
 * Ends every process of a project whose supervisor died: `SIGTERM`, then SIGKILL to what is left
 * after the grace period. Only processes carrying the project's tag are touched.
 */
export function killProject(projectTag: string, gracePeriodMs: number): Promise<number> {
  return killTagged({ project: projectTag }, { gracePeriodMs });
}
