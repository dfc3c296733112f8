import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { killProject, killTree } from "../process/kill-tree.js";
import { isRunning, processesOfProject, readProcess } from "../process/process-table.js";

/** What `.sbx/state.json` records of a running project: enough to find it, and to clean up after it. */
export interface ProjectState {
  version: 1;
  project: string;
  dir: string;
  socket: string;
  /** The SBX_PROJECT_ID every process of the project carries. */
  projectTag?: string;
  supervisor: { pid: number; startTime?: number; startedAt: number };
  /** Each running service: its process group (led by `pid`), the leader's /proc start time, its tree tag. */
  services: Record<string, { pid: number; startTime?: number; tag: string; startedAt: number }>;
}

export function stateDirectory(projectDir: string): string {
  return join(projectDir, ".sbx");
}

export function statePath(projectDir: string): string {
  return join(stateDirectory(projectDir), "state.json");
}

/** Written whole or not at all: a reader never sees half a file. */
export function writeState(projectDir: string, state: ProjectState): void {
  const path = statePath(projectDir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function readState(projectDir: string): ProjectState | undefined {
  try {
    const state = JSON.parse(readFileSync(statePath(projectDir), "utf8")) as ProjectState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

export function removeState(projectDir: string): void {
  rmSync(statePath(projectDir), { force: true });
}

/** The start time of this process, as /proc tells it: with the pid, it tells a reused pid apart. */
export function ownStartTime(): number | undefined {
  return readProcess(process.pid)?.startTime;
}

/** Whether the supervisor recorded in the state still runs (the same process, not a reused pid). */
export function supervisorAlive(state: ProjectState): boolean {
  if (state.supervisor.pid === process.pid) return true;
  return isRunning(state.supervisor.pid, state.supervisor.startTime);
}

/**
 * Ends every service tree a dead supervisor left behind (found by process group and by the tree
 * tag its processes carry, and every process that carries the project's tag), then removes its
 * socket and state. Returns how many processes were still there to end.
 */
export async function reapStale(projectDir: string, state: ProjectState): Promise<number> {
  const services = Object.values(state.services);
  const left = state.projectTag === undefined ? services.length : processesOfProject(state.projectTag).length;
  await Promise.all(
    services.map((s) => killTree(s.pid, { signal: "SIGTERM", gracePeriodMs: 2_000, tag: s.tag, ...(s.startTime === undefined ? {} : { leaderStartTime: s.startTime }) })),
  );
  // Whatever started after the last state write carries the project's tag all the same.
  if (state.projectTag !== undefined) await killProject(state.projectTag, 2_000);
  if (existsSync(state.socket)) rmSync(state.socket, { force: true });
  removeState(projectDir);
  rmSync(join(stateDirectory(projectDir), "supervisor.lock"), { force: true });
  return left;
}
