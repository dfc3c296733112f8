import type { ProcessInfo } from "../proc-stat.js";
import { readTags, type Tags } from "../tags.js";

/*
 * What it buys: the tags of a process (its environment as /proc shows it) never change, so they
 * are read once per process, not on every scan: a teardown of fifty services scans /proc many
 * times, and reading every environment each time was 80% of its CPU.
 */

// Each process's tags, by pid and start time: a process's environment as /proc shows it is the one
// it started with, so it is read once per process, not on every scan (a teardown of fifty services
// scans /proc many times, and read every environment each time: 80% of its CPU).
const tagsOfProcess = new Map<number, { startTime: number; tags: Tags | undefined }>();
let ownTree: { tag: string | undefined } | undefined;

/** The tree tag this process started with, if any (an sbx run inside a service of another): what its children show before their exec. */
function ownTreeTag(): string | undefined {
  if (!ownTree) {
    const own = readTags(process.pid);
    ownTree = { tag: own === "unreadable" ? undefined : own?.tree };
  }
  return ownTree.tag;
}

const tagIndexes = new WeakMap<readonly ProcessInfo[], Map<number, Map<number, Tags>>>();

/**
 * Each process of `table` that carries tags, by pid; made once per listing and floor. With
 * `startedSince` (clock ticks since boot, as /proc tells start times), processes started before
 * it are not looked at: a tag this process minted can only be on processes started after it, and
 * reading every other process's environment was a seventh of a teardown's CPU (a machine has
 * hundreds of processes; a project, tens).
 */
export function tagIndex(table: readonly ProcessInfo[], startedSince = 0): Map<number, Tags> {
  let byFloor = tagIndexes.get(table);
  if (!byFloor) tagIndexes.set(table, (byFloor = new Map()));
  let index = byFloor.get(startedSince);
  if (index) return index;
  index = new Map();
  const present = new Set<number>();
  for (const info of table) {
    present.add(info.pid);
    if (info.startTime < startedSince) continue;
    let known = tagsOfProcess.get(info.pid);
    if (known?.startTime !== info.startTime) {
      const read = readTags(info.pid);
      known = { startTime: info.startTime, tags: read === "unreadable" ? undefined : read };
      // A child of ours caught between fork and exec still shows our environment, without the
      // tags it is about to get, and an environment that could not be read may be readable
      // later: both are read again on the next scan. A child that shows a tree tag that is not
      // ours has been through its exec: kept (the services of a teardown are all our children,
      // and each scan read their environments again).
      if (read !== "unreadable" && (info.ppid !== process.pid || (read !== undefined && read.tree !== ownTreeTag()))) tagsOfProcess.set(info.pid, known);
    }
    if (known.tags) index.set(info.pid, known.tags);
  }
  for (const pid of tagsOfProcess.keys()) if (!present.has(pid)) tagsOfProcess.delete(pid);
  byFloor.set(startedSince, index);
  return index;
}


const treeIndexes = new WeakMap<Map<number, Tags>, Map<string, ProcessInfo[]>>();

/**
 * The processes of `table` by the tree tag they carry (see tagIndex for `startedSince`): a
 * teardown looks up the tag of every service in the same listing, each look a pass over all of
 * it before.
 */
export function treeIndex(table: readonly ProcessInfo[], startedSince = 0): ReadonlyMap<string, readonly ProcessInfo[]> {
  const tags = tagIndex(table, startedSince);
  let byTree = treeIndexes.get(tags);
  if (byTree) return byTree;
  byTree = new Map();
  for (const info of table) {
    const tree = tags.get(info.pid)?.tree;
    if (tree === undefined) continue;
    const list = byTree.get(tree);
    if (list) list.push(info);
    else byTree.set(tree, [info]);
  }
  treeIndexes.set(tags, byTree);
  return byTree;
}
