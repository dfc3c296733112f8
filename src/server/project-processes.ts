import { killTagged } from "../process/kill-tree.js";
import { isRunning, processesOfProjectDir, PROJECT_DIR_VARIABLE, PROJECT_TAG_VARIABLE, readProcess, SUPERVISOR_VARIABLE } from "../process/process-table.js";
import type { ProjectHome } from "../protocol/project-home.js";

/** Who supervises a project: sbx's own command (`sbx up`, `up -d`), or a program through the API's up(). */
export type SupervisorKind = "cli" | "api";

/**
 * The tags every process of a project run carries in its environment: the run's own tag, the
 * project's directory, and its supervisor — `PID:START_TIME:KIND`, and `:NAME` after it for a
 * project given a name of its own, which tells the projects of one directory apart. They find the
 * project's processes whatever happened to its `.sbx` directory.
 */
export function projectEnvironment(projectTag: string, home: ProjectHome, kind: SupervisorKind): Record<string, string> {
  const startTime = readProcess(process.pid)?.startTime ?? 0;
  return {
    [PROJECT_TAG_VARIABLE]: projectTag,
    [PROJECT_DIR_VARIABLE]: home.dir,
    [SUPERVISOR_VARIABLE]: `${process.pid}:${startTime}:${kind}${home.name === undefined ? "" : `:${home.name}`}`,
  };
}

/** A project found by its processes' tags rather than by its state file. */
export interface ProjectProcesses {
  /** Pids of the processes that carry the directory's tag. */
  pids: number[];
  /** The run tags among them (one, unless an older run left processes behind). */
  projectTags: string[];
  /** A supervisor of theirs that still runs (checked by its start time). */
  liveSupervisor?: { pid: number; kind: SupervisorKind };
}

/** The processes of any run of the project at `home` (not of another project of the same directory), or undefined when none runs. */
export function findProjectProcesses(home: ProjectHome): ProjectProcesses | undefined {
  const found = processesOfProjectDir(home.dir).filter((info) => parseSupervisor(info.tags.supervisor)?.name === home.name);
  if (found.length === 0) return undefined;
  const projectTags = [...new Set(found.flatMap((info) => (info.tags.project === undefined ? [] : [info.tags.project])))];
  let liveSupervisor: ProjectProcesses["liveSupervisor"];
  for (const text of new Set(found.map((info) => info.tags.supervisor))) {
    const supervisor = parseSupervisor(text);
    if (supervisor && isRunning(supervisor.pid, supervisor.startTime)) liveSupervisor = { pid: supervisor.pid, kind: supervisor.kind };
  }
  return { pids: found.map((info) => info.pid), projectTags, ...(liveSupervisor ? { liveSupervisor } : {}) };
}

/**
 * Ends every process of any run of the project at `home` — found by its tags, leaving the other
 * projects of the same directory alone —: SIGTERM, then SIGKILL after the grace period. Resolves
 * with how many there were.
 */
export async function killProjectProcesses(home: ProjectHome, gracePeriodMs: number): Promise<number> {
  const found = findProjectProcesses(home);
  if (!found) return 0;
  const counts = await Promise.all(found.projectTags.map((project) => killTagged({ project }, { gracePeriodMs })));
  return Math.max(found.pids.length, counts.reduce((sum, count) => sum + count, 0));
}

function parseSupervisor(text: string | undefined): { pid: number; startTime: number; kind: SupervisorKind; name?: string } | undefined {
  const match = /^(\d+):(\d+):(cli|api)(?::([a-zA-Z0-9][a-zA-Z0-9_.-]*))?$/.exec(text ?? "");
  if (!match) return undefined;
  const pid = Number(match[1]);
  const startTime = Number(match[2]);
  if (pid <= 1 || startTime <= 0) return undefined;
  return { pid, startTime, kind: match[3] as SupervisorKind, ...(match[4] === undefined ? {} : { name: match[4] }) };
}
