import { lstatSync, readFileSync, realpathSync, type Stats } from "node:fs";
import { dirname } from "node:path";
import { isRunning } from "../process/process-table.js";
import { stateDirectory, statePath, type ProjectHome } from "./project-home.js";
import { socketPathFor } from "./socket-path.js";

export { stateDirectory, statePath, type ProjectHome } from "./project-home.js";

/**
 * What `.sbx/state.json` records of a running project: enough to find it, and to clean up after
 * it. It is evidence, never an order: whatever it names is touched only when /proc confirms it
 * (a pid and the start time recorded with it), or through the tags sbx's own processes carry.
 */
export interface ProjectState {
  version: 1;
  project: string;
  dir: string;
  socket: string;
  /** The SBX_PROJECT_ID every process of the project carries. */
  projectTag?: string;
  /**
   * `kind`: `cli`, a process of its own that ends once the project has stopped (sbx up, or the
   * background supervisor of up -d); `api`, a program that runs the project through up() and goes
   * on after it. Missing from states that older versions wrote.
   */
  supervisor: { pid: number; startTime?: number; startedAt: number; kind?: "cli" | "api" };
  /** Each running service: its process group (led by `pid`), the leader's /proc start time, its tree tag. */
  services: Record<string, { pid: number; startTime?: number; tag: string; startedAt: number }>;
  /** A hash of each service's resolved definition as last applied: what `up --reuse` compares with the manifest it loads. */
  definitions?: Record<string, string>;
}

/** What reading the state found: a state to act on (maybe with entries dropped), or why there is none to trust. */
export interface StateReading {
  state?: ProjectState;
  /** Why the state, or part of it, was ignored: for the user to see. */
  warnings: string[];
}

/**
 * The project's state, if there is one that can be trusted: the `.sbx` directory and the file are
 * the current user's and writable by nobody else, and every entry is checked for form (a pid
 * that names one process, a tag). What fails a check is ignored, with a warning saying why.
 */
export function readState(home: ProjectHome): StateReading {
  const warnings: string[] = [];
  const directory = stateDirectory(home);
  const path = statePath(home);
  // A named project's directory is inside `.sbx/`: both are checked.
  const directories = home.name === undefined ? [directory] : [dirname(dirname(directory)), directory];
  for (const [where, kind] of [
    ...directories.map((d) => [d, "directory"] as const),
    [path, "file"] as const,
  ]) {
    let stats: Stats;
    try {
      stats = lstatSync(where);
    } catch {
      return { warnings };
    }
    const reason = untrustedBecause(stats, kind);
    if (reason !== undefined) return { warnings: [`ignoring ${where}: ${reason}`] };
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return { warnings: [`ignoring ${path}: it is not valid JSON (${(error as Error).message})`] };
  }
  const state = stateFrom(data, home, (problem) => warnings.push(`${path}: ${problem}`));
  if (state === undefined) return { warnings: warnings.length > 0 ? warnings : [`ignoring ${path}: it is not an sbx state file`] };
  return { state, warnings };
}

/**
 * Why a file or directory of `.sbx` cannot be trusted: not the kind expected (a symbolic link
 * among others), another user's, or writable by others than its owner. Undefined when it can.
 */
export function untrustedBecause(stats: Stats, kind: "directory" | "file"): string | undefined {
  if (stats.isSymbolicLink()) return "it is a symbolic link";
  if (kind === "directory" && !stats.isDirectory()) return "it is not a directory";
  if (kind === "file" && !stats.isFile()) return "it is not a regular file";
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return `it belongs to uid ${stats.uid}, not to you (uid ${uid})`;
  if ((stats.mode & 0o022) !== 0) {
    const who = (stats.mode & 0o020) !== 0 ? "its group" : "others";
    return `it is writable by ${who} (mode ${(stats.mode & 0o777).toString(8).padStart(4, "0")})`;
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** A pid that names one process (not 0, 1 or a group); whether it may be signalled is kill-tree's to say. */
export const isPid = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value > 1;
const isStartTime = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value > 0;
/** A tag sbx wrote: `name.uuid`, with nothing a shell or /proc would read otherwise. */
const isTag = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 300 && !/[\0\n=]/.test(value);

/** The state in `data`, keeping only what has the form sbx writes; `problem` hears of what was dropped. */
function stateFrom(data: unknown, home: ProjectHome, problem: (text: string) => void): ProjectState | undefined {
  if (!isRecord(data) || data.version !== 1 || !isRecord(data.supervisor) || !isRecord(data.services)) return undefined;
  const projectDir = home.dir;
  if (typeof data.dir !== "string" || !sameDirectory(data.dir, projectDir)) {
    problem(`ignored: it was written for ${String(data.dir)}, not for ${projectDir}`);
    return undefined;
  }
  const supervisor = data.supervisor;
  const services: ProjectState["services"] = {};
  for (const [name, entry] of Object.entries(data.services)) {
    if (!isRecord(entry) || !isTag(entry.tag)) {
      problem(`entry ${JSON.stringify(name)} ignored: it has no tag`);
      continue;
    }
    if (!isPid(entry.pid)) problem(`entry ${JSON.stringify(name)}: pid ${JSON.stringify(entry.pid)} ignored: it does not name one process`);
    services[name] = {
      pid: isPid(entry.pid) ? entry.pid : 0,
      tag: entry.tag,
      startedAt: typeof entry.startedAt === "number" ? entry.startedAt : 0,
      ...(isStartTime(entry.startTime) ? { startTime: entry.startTime } : {}),
    };
  }
  return {
    version: 1,
    project: typeof data.project === "string" ? data.project : "",
    dir: projectDir,
    // Only sbx's own socket path is ever used or removed, whatever the file says.
    socket: socketPathFor(home),
    ...(isTag(data.projectTag) ? { projectTag: data.projectTag } : {}),
    supervisor: {
      pid: isPid(supervisor.pid) ? supervisor.pid : 0,
      startedAt: typeof supervisor.startedAt === "number" ? supervisor.startedAt : 0,
      ...(isStartTime(supervisor.startTime) ? { startTime: supervisor.startTime } : {}),
      ...(supervisor.kind === "cli" || supervisor.kind === "api" ? { kind: supervisor.kind } : {}),
    },
    services,
    ...(isRecord(data.definitions) ? { definitions: definitionsFrom(data.definitions) } : {}),
  };
}

/** The definition hashes that have the form sbx writes; another entry counts as a changed service. */
function definitionsFrom(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, hash] of Object.entries(data)) if (typeof hash === "string" && /^[0-9a-f]{1,64}$/.test(hash)) out[name] = hash;
  return out;
}

function sameDirectory(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Whether the supervisor recorded in the state still runs: the same process, which its recorded
 * start time proves; a record without one proves nothing.
 */
export function supervisorAlive(state: ProjectState): boolean {
  if (state.supervisor.pid === process.pid) return true;
  if (state.supervisor.startTime === undefined || !isPid(state.supervisor.pid)) return false;
  return isRunning(state.supervisor.pid, state.supervisor.startTime);
}

