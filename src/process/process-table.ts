import { readProcess, type ProcessInfo } from "./proc-stat.js";
import { listProcesses } from "./perf/scan-cache.js";
import { familyIndex } from "./perf/family-index.js";
import { tagIndex, treeIndex } from "./perf/tag-cache.js";
import type { Tags } from "./tags.js";

export { hasProcTable, readProcess, type ProcessInfo } from "./proc-stat.js";
export { forgetProcessScan, freshProcessList, listProcesses } from "./perf/scan-cache.js";
export { PROJECT_DIR_VARIABLE, PROJECT_TAG_VARIABLE, SUPERVISOR_VARIABLE, TREE_TAG_VARIABLE, type Tags } from "./tags.js";

/** Each of `roots`, their process groups, and every descendant of any of them, as of now. */
export function processTreeOf(roots: number | Iterable<number>, table: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const { byPid, children, groups } = familyIndex(table);
  const found = new Map<number, ProcessInfo>();
  const pending: ProcessInfo[] = [];
  for (const root of typeof roots === "number" ? [roots] : roots) {
    const info = byPid.get(root);
    if (info) pending.push(info);
    pending.push(...(groups.get(root) ?? []));
  }
  for (let info = pending.pop(); info !== undefined; info = pending.pop()) {
    if (found.has(info.pid)) continue;
    found.set(info.pid, info);
    pending.push(...(children.get(info.pid) ?? []));
  }
  return [...found.values()];
}

/** The process that holds `pid` in `table`, if any. */
export function processIn(table: readonly ProcessInfo[], pid: number): ProcessInfo | undefined {
  return familyIndex(table).byPid.get(pid);
}

let ownStart: number | undefined;

/**
 * When this process started, in /proc's clock ticks since boot: every process that carries a tag
 * it minted started at or after it. 0 (no floor) where /proc cannot tell.
 */
export function ownStartTime(): number {
  ownStart ??= readProcess(process.pid)?.startTime ?? 0;
  return ownStart;
}

/** Alive: present and not a zombie (a zombie has exited and only waits to be reaped). */
export function isRunning(pid: number, startTime?: number): boolean {
  const info = readProcess(pid);
  return info !== undefined && info.state !== "Z" && (startTime === undefined || info.startTime === startTime);
}

/**
 * The processes whose environment carries `SBX_TREE_ID=tag`: every descendant of a service, even
 * one that called setsid and whose parent died, so that it is neither in the group nor in the tree.
 */
export function processesTagged(tag: string, table: readonly ProcessInfo[] = listProcesses(), startedSince?: number): ProcessInfo[] {
  return [...(treeIndex(table, startedSince).get(tag) ?? [])];
}

/** The processes of one project: every service's tree and every process started in its supervisor. */
export function processesOfProject(projectTag: string, table: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const index = tagIndex(table);
  return table.filter((info) => index.get(info.pid)?.project === projectTag);
}

/** The processes whose tags `match` accepts; with `startedSince`, among those started since then (see tagIndex). */
export function processesWithTags(match: (tags: Tags) => boolean, table: readonly ProcessInfo[] = listProcesses(), startedSince?: number): ProcessInfo[] {
  const index = tagIndex(table, startedSince);
  return table.filter((info) => {
    const tags = index.get(info.pid);
    return tags !== undefined && match(tags);
  });
}

/** The processes of whatever project runs in `dir` (any run of it), with their tags. */
export function processesOfProjectDir(dir: string, table: readonly ProcessInfo[] = listProcesses()): (ProcessInfo & { tags: Tags })[] {
  const index = tagIndex(table);
  const out: (ProcessInfo & { tags: Tags })[] = [];
  for (const info of table) {
    const tags = index.get(info.pid);
    if (tags?.dir === dir && info.state !== "Z") out.push({ ...info, tags });
  }
  return out;
}

