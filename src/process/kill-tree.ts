import { freshProcessList, hasProcTable, isRunning, listProcesses, ownStartTime, processesTagged, processesWithTags, processIn, processTreeOf, readProcess, type ProcessInfo, type Tags } from "./process-table.js";

export interface KillTreeOptions {
  /** Sent first to the group and every descendant. */
  signal: NodeJS.Signals;
  /** How long they may take to exit before SIGKILL; 0 sends SIGKILL straight away. */
  gracePeriodMs: number;
  /** Ends the grace period early when it aborts: a caller that keeps the time itself (on its own clock), or a forced stop. */
  graceOver?: AbortSignal;
  /** How often to look whether they are gone. */
  pollMs?: number;
  /** Settles when the leader exits, where the caller (its parent) hears of it: the tree is looked at then, not at the next poll. */
  leaderExited?: Promise<unknown>;
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
 * (setsid), and with `tag` every process that carries it: `signal` to all, then SIGKILL to whatever
 * is left after the grace period. Resolves once none of them runs, as a listing of /proc begun
 * after the last one went tells, telling whether SIGKILL was needed. Only processes found in the
 * tree or by the tag are signalled, each checked by its start time so that a reused pid is never hit.
 */
export async function killTree(pid: number, options: KillTreeOptions): Promise<{ forced: boolean }> {
  if (!hasProcTable) return mayBeSignalled(pid) ? killTreePortable(pid, options) : { forced: false };
  const poll = options.pollMs ?? 10;
  const leader = mayBeSignalled(pid) ? readProcess(pid) : undefined;
  const leaderIsOurs = leader !== undefined && (options.leaderStartTime === undefined || leader.startTime === options.leaderStartTime);
  // Taken before any signal: once the leader dies its children are re-parented and the tree is lost.
  const targets = new Map<number, ProcessInfo>();
  const track = (withTag = false, table = listProcesses()): void => {
    if (withTag && options.tag !== undefined) {
      for (const info of processesTagged(options.tag, table, options.tagIsOurs ? ownStartTime() : undefined)) if (!targets.has(info.pid) && info.state !== "Z") targets.set(info.pid, info);
    }
    // From the leader and from every process already tracked: one that was re-parented (its
    // parent died) still brings its own descendants along. A tracked pid now held by another
    // process (reused) must not bring that one's tree along.
    const roots: number[] = [];
    if (leaderIsOurs && processIn(table, pid) !== undefined) roots.push(pid);
    for (const info of targets.values()) if (processIn(table, info.pid)?.startTime === info.startTime) roots.push(info.pid);
    for (const info of processTreeOf(roots, table)) {
      if (!targets.has(info.pid) && info.state !== "Z") targets.set(info.pid, info);
    }
  };
  track(true);

  const signalGroup = (signal: NodeJS.Signals): void => {
    if (leaderIsOurs) sendSignal(-pid, signal);
  };
  // Those out of the group: a process that left it, or a descendant found by the tag.
  const signalOthers = (signal: NodeJS.Signals): void => {
    for (const info of targets.values()) {
      const now = readProcess(info.pid);
      if (now === undefined || now.state === "Z" || now.startTime !== info.startTime) continue;
      // The group's signal reached its members already: each signal wakes a process, and a
      // teardown of many services sends hundreds.
      if (leaderIsOurs && now.pgid === pid) continue;
      sendSignal(info.pid, signal);
    }
  };
  const signalAll = (signal: NodeJS.Signals): void => {
    signalGroup(signal);
    signalOthers(signal);
  };
  const alive = (): ProcessInfo[] => [...targets.values()].filter((info) => isRunning(info.pid, info.startTime));
  // Every one known is gone: a listing begun now says whether the tree is, for a process its
  // last one started a moment ago (out of the group, its parent dead) is in no listing shared
  // before. One found so is what the tree left behind, and gets `signal` now.
  const goneForGood = async (signal: NodeJS.Signals): Promise<boolean> => {
    track(true, await freshProcessList());
    const late = alive();
    for (const info of late) sendSignal(info.pid, signal);
    return late.length === 0;
  };

  // The leader's exit ends a wait for the next poll once: most trees are the leader alone.
  let exitHeard = options.leaderExited === undefined;
  const nextLook = (): Promise<unknown> => {
    if (exitHeard) return nextPoll(poll);
    return Promise.race([nextPoll(poll), options.leaderExited?.then(() => (exitHeard = true))]);
  };

  if (options.gracePeriodMs > 0 && options.signal !== "SIGKILL") {
    await signalTogether(() => signalGroup(options.signal), () => signalOthers(options.signal));
    const deadline = Date.now() + options.gracePeriodMs;
    for (let round = 1; Date.now() < deadline && options.graceOver?.aborted !== true; round++) {
      // Whether the known ones are gone is a few small reads; a process may also start children
      // while it shuts down, and finding those takes a scan of all of /proc: every fifth round.
      if (alive().length === 0) {
        if (await goneForGood(options.signal)) return { forced: false };
      } else if (round % 5 === 0) track();
      await nextLook();
    }
  }
  track(true);
  const hadToForce = alive().length > 0 && options.signal !== "SIGKILL";
  if (hadToForce || options.signal === "SIGKILL") await signalTogether(() => signalGroup("SIGKILL"), () => signalOthers("SIGKILL"));
  do {
    while (alive().length > 0) {
      await nextLook();
      track();
      signalAll("SIGKILL");
    }
  } while (!(await goneForGood("SIGKILL")));
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

interface BatchedKill {
  groups: () => void;
  others: () => void;
  done: (error?: Error) => void;
}

let signalBatch: BatchedKill[] | undefined;

/**
 * Sends a tree's first signals once every kill begun in this turn of the event loop has looked up
 * its tree, all of them in one go: first to each tree's process group (one system call each), then
 * to the processes out of their groups (a read of /proc each, to be sure of whom it signals). A
 * signalled process wakes to exit and takes a CPU from sbx: the 50 trees of a teardown, looked up
 * and signalled one after the other, had the looking up of the last ones compete with the exits
 * of the first ones, and the signals went out over 60 ms or more.
 */
function signalTogether(groups: () => void, others: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!signalBatch) {
      const batch: BatchedKill[] = (signalBatch = []);
      setImmediate(() => {
        signalBatch = undefined;
        const failed = new Map<BatchedKill, Error>();
        for (const phase of ["groups", "others"] as const) {
          for (const kill of batch) {
            if (failed.has(kill)) continue;
            try {
              kill[phase]();
            } catch (error) {
              failed.set(kill, error as Error);
            }
          }
        }
        for (const kill of batch) kill.done(failed.get(kill));
      });
    }
    signalBatch.push({ groups, others, done: (error) => (error ? reject(error) : resolve()) });
  });
}

const polls = new Map<number, Promise<void>>();

/**
 * The next look of every kill that polls each `ms`: they wake in the same turn of the event loop,
 * so that those whose trees are gone by then share one fresh listing of /proc (freshProcessList)
 * to be sure of it. With a timer each, the 50 kills of a teardown woke in as many turns, and made
 * a scan each.
 */
function nextPoll(ms: number): Promise<void> {
  let poll = polls.get(ms);
  if (!poll) {
    poll = new Promise((resolve) =>
      setTimeout(() => {
        polls.delete(ms);
        resolve();
      }, ms),
    );
    polls.set(ms, poll);
  }
  return poll;
}

/**
 * Where there is no /proc (macOS): tree-kill finds the descendants through `ps`. Loaded here
 * only: it loads node:child_process, which `sbx down` on Linux has no use for before its request.
 */
async function killTreePortable(pid: number, options: KillTreeOptions): Promise<{ forced: boolean }> {
  const { default: treeKill } = await import("tree-kill");
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
  // No tag to look for (a Sandbox that started no process, destroyed): no listing of /proc, which
  // comes at least 5 ms after the last one, on every supervisor's way out.
  if (!hasProcTable || ((selector.trees ?? []).length === 0 && selector.project === undefined && selector.dir === undefined)) return 0;
  const targets = new Map<number, ProcessInfo>();
  const track = (table = listProcesses()): void => {
    for (const info of processesWithTags((tags) => selects(selector, tags), table, selector.ours ? ownStartTime() : undefined)) if (!targets.has(info.pid) && info.state !== "Z") targets.set(info.pid, info);
  };
  const alive = (): ProcessInfo[] => [...targets.values()].filter((info) => isRunning(info.pid, info.startTime));
  // A listing begun after the call: one shared from before may predate a process that was just
  // started (by a service that was dying), and then the sweep would miss it.
  track(await freshProcessList());
  if (targets.size === 0) return 0;
  const signal = options.signal ?? "SIGTERM";
  const deadline = Date.now() + (signal === "SIGKILL" ? 0 : options.gracePeriodMs);
  const graceLeft = (): boolean => Date.now() < deadline && options.graceOver?.aborted !== true;
  for (let known = 0; known < targets.size; ) {
    // The first found get `signal`; those found later, what is left of the grace period.
    for (const info of alive()) sendSignal(info.pid, known === 0 || graceLeft() ? signal : "SIGKILL");
    known = targets.size;
    while (alive().length > 0 && graceLeft()) {
      await nextPoll(10);
      track();
    }
    while (alive().length > 0) {
      for (const info of alive()) sendSignal(info.pid, "SIGKILL");
      await nextPoll(10);
      track();
    }
    // Every one found is gone: what one of them started as it died is in a listing begun now.
    track(await freshProcessList());
  }
  return targets.size;
}

/**
 * Ends every process of a project whose supervisor died: `SIGTERM`, then SIGKILL to what is left
 * after the grace period. Only processes carrying the project's tag are touched.
 */
export function killProject(projectTag: string, gracePeriodMs: number): Promise<number> {
  return killTagged({ project: projectTag }, { gracePeriodMs });
}
