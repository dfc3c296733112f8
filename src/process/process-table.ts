import { readdirSync, readFileSync } from "node:fs";

/** One process as /proc tells it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  /** Clock ticks since boot at which it started: with the pid, it names a process for sure (pids are reused). */
  startTime: number;
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
  };
}

/**
 * Many trees are often killed at once (a teardown stops every service in parallel), each scanning
 * /proc: a scan is shared until the event loop next turns, and for a few milliseconds after it
 * ended. The trees of a teardown are killed one after the other in one turn, which takes longer
 * than those milliseconds on a busy machine: they would otherwise each make their own. A process
 * we start makes the scan old at once (see forgetProcessScan).
 */
const SCAN_TTL_MS = 5;
let lastScan: { endedAt: number; table: ProcessInfo[]; thisTurn: boolean } | undefined;

/** Every process on the machine that /proc shows (a scan of this turn of the event loop, or a few milliseconds old). */
export function listProcesses(): ProcessInfo[] {
  if (lastScan && (lastScan.thisTurn || performance.now() - lastScan.endedAt < SCAN_TTL_MS)) return lastScan.table;
  const scan = { table: scanProcesses(), endedAt: performance.now(), thisTurn: true };
  setImmediate(() => (scan.thisTurn = false)).unref();
  lastScan = scan;
  return scan.table;
}

/** A process was just started: the next listing must show it. */
export function forgetProcessScan(): void {
  lastScan = undefined;
}

function scanProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const info = readProcess(pid);
    if (info) out.push(info);
  }
  return out;
}

/** Each of `roots`, their process groups, and every descendant of any of them, as of now. */
export function processTreeOf(roots: number | Iterable<number>, table: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const rootSet = new Set(typeof roots === "number" ? [roots] : roots);
  const children = new Map<number, ProcessInfo[]>();
  for (const info of table) {
    const list = children.get(info.ppid);
    if (list) list.push(info);
    else children.set(info.ppid, [info]);
  }
  const found = new Map<number, ProcessInfo>();
  const visit = (info: ProcessInfo): void => {
    if (found.has(info.pid)) return;
    found.set(info.pid, info);
    for (const child of children.get(info.pid) ?? []) visit(child);
  };
  for (const info of table) if (rootSet.has(info.pid) || rootSet.has(info.pgid)) visit(info);
  return [...found.values()];
}

/** Alive: present and not a zombie (a zombie has exited and only waits to be reaped). */
export function isRunning(pid: number, startTime?: number): boolean {
  const info = readProcess(pid);
  return info !== undefined && info.state !== "Z" && (startTime === undefined || info.startTime === startTime);
}

/** The variable sbx puts in the environment of every process it starts, inherited by their descendants. */
export const TREE_TAG_VARIABLE = "SBX_TREE_ID";

/** The variable every process of one running project carries: what reaps them all after a crash. */
export const PROJECT_TAG_VARIABLE = "SBX_PROJECT_ID";

/**
 * The project's directory, which every process of a project carries too: what finds a running
 * project when its `.sbx` directory, and with it the state file, has been deleted.
 */
export const PROJECT_DIR_VARIABLE = "SBX_PROJECT_DIR";

/** Which process supervises the project: `PID:START_TIME:KIND`, KIND `cli` (sbx up) or `api` (up() in a program). */
export const SUPERVISOR_VARIABLE = "SBX_SUPERVISOR";

/**
 * The processes whose environment carries `SBX_TREE_ID=tag`: every descendant of a service, even
 * one that called setsid and whose parent died, so that it is neither in the group nor in the tree.
 */
export function processesTagged(tag: string, table: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const index = tagIndex(table);
  return table.filter((info) => index.get(info.pid)?.tree === tag);
}

/** The processes of one project: every service's tree and every process started in its supervisor. */
export function processesOfProject(projectTag: string, table: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const index = tagIndex(table);
  return table.filter((info) => index.get(info.pid)?.project === projectTag);
}

/** The processes whose tags `match` accepts. */
export function processesWithTags(match: (tags: Tags) => boolean, table: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const index = tagIndex(table);
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

/** The sbx tags a process carries in its environment. */
export interface Tags {
  tree?: string;
  project?: string;
  dir?: string;
  supervisor?: string;
}

// Each process's tags, by pid and start time: a process's environment as /proc shows it is the one
// it started with, so it is read once per process, not on every scan (a teardown of fifty services
// scans /proc many times, and read every environment each time: 80% of its CPU).
const tagsOfProcess = new Map<number, { startTime: number; tags: Tags | undefined }>();
const tagIndexes = new WeakMap<readonly ProcessInfo[], Map<number, Tags>>();

function tagIndex(table: readonly ProcessInfo[]): Map<number, Tags> {
  let index = tagIndexes.get(table);
  if (index) return index;
  index = new Map();
  const present = new Set<number>();
  for (const info of table) {
    present.add(info.pid);
    let known = tagsOfProcess.get(info.pid);
    if (known?.startTime !== info.startTime) {
      const read = readTags(info.pid);
      known = { startTime: info.startTime, tags: read === "unreadable" ? undefined : read };
      // A child of ours caught between fork and exec still shows our environment, without the
      // tags it is about to get, and an environment that could not be read may be readable
      // later: both are read again on the next scan.
      if (info.ppid !== process.pid && read !== "unreadable") tagsOfProcess.set(info.pid, known);
    }
    if (known.tags) index.set(info.pid, known.tags);
  }
  for (const pid of tagsOfProcess.keys()) if (!present.has(pid)) tagsOfProcess.delete(pid);
  tagIndexes.set(table, index);
  return index;
}

function readTags(pid: number): Tags | undefined | "unreadable" {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return "unreadable";
  }
  const tree = variableIn(environ, TREE_TAG_VARIABLE);
  if (tree === undefined) return undefined;
  const project = variableIn(environ, PROJECT_TAG_VARIABLE);
  const dir = variableIn(environ, PROJECT_DIR_VARIABLE);
  const supervisor = variableIn(environ, SUPERVISOR_VARIABLE);
  return { tree, ...(project === undefined ? {} : { project }), ...(dir === undefined ? {} : { dir }), ...(supervisor === undefined ? {} : { supervisor }) };
}

/** A variable's value in a /proc/PID/environ block (NUL-separated `NAME=value` entries). */
function variableIn(environ: Buffer, name: string): string | undefined {
  const prefix = Buffer.from(`${name}=`);
  let at = environ.indexOf(prefix);
  // The name must start an entry: at the very start, or after a NUL.
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(prefix, at + 1);
  if (at === -1) return undefined;
  const end = environ.indexOf(0, at);
  return environ.subarray(at + prefix.length, end === -1 ? undefined : end).toString();
}
