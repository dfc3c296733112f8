import type { ProcessInfo } from "../proc-stat.js";

/*
 * What it buys: a teardown looks for the tree of every service in the same listing of /proc, and
 * each look went through the whole listing (every process on the machine) to find children and
 * group members: with 50 services, a fifth of the supervisor's CPU in `sbx down`. Indexed once
 * per listing, a look costs the size of the tree.
 */

/** One listing of /proc, indexed: each process by pid, the children of each, the members of each group. */
export interface FamilyIndex {
  byPid: ReadonlyMap<number, ProcessInfo>;
  children: ReadonlyMap<number, readonly ProcessInfo[]>;
  groups: ReadonlyMap<number, readonly ProcessInfo[]>;
}

const indexes = new WeakMap<readonly ProcessInfo[], FamilyIndex>();

/** The index of `table`, made on first use; a listing is never changed once made. */
export function familyIndex(table: readonly ProcessInfo[]): FamilyIndex {
  let index = indexes.get(table);
  if (index) return index;
  const byPid = new Map<number, ProcessInfo>();
  const children = new Map<number, ProcessInfo[]>();
  const groups = new Map<number, ProcessInfo[]>();
  for (const info of table) {
    byPid.set(info.pid, info);
    append(children, info.ppid, info);
    append(groups, info.pgid, info);
  }
  index = { byPid, children, groups };
  indexes.set(table, index);
  return index;
}

function append(map: Map<number, ProcessInfo[]>, key: number, info: ProcessInfo): void {
  const list = map.get(key);
  if (list) list.push(info);
  else map.set(key, [info]);
}
