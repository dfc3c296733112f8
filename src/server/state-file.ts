import { chmodSync, lstatSync, renameSync, rmSync, writeFileSync, type Stats } from "node:fs";
import { join } from "node:path";
import { SbxError } from "../errors.js";
import { killTagged, killTree } from "../process/kill-tree.js";
import { processesOfProject, readProcess } from "../process/process-table.js";
import { isPid, stateDirectory, statePath, untrustedBecause, type ProjectHome, type ProjectState } from "../protocol/discovery.js";
import { lastRunPath, type LastRun } from "../protocol/last-run.js";
import { socketPathFor } from "../protocol/socket-path.js";

/** Written whole or not at all: a reader never sees half a file. */
export function writeState(home: ProjectHome, state: ProjectState): void {
  const path = statePath(home);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** The record of how the run ended, written whole or not at all as the state is. */
export function writeLastRun(home: ProjectHome, run: LastRun): void {
  const path = lastRunPath(home);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Before a supervisor writes into `.sbx`: a directory there that is not the user's own (another
 * user's, or a symbolic link to anywhere) is refused, since service output written there holds
 * secrets; one of the user's own that others may enter or write to is made private again.
 */
export function checkStateDirectory(home: ProjectHome): void {
  const root = stateDirectory({ dir: home.dir });
  // A named project's state is inside `.sbx/projects/`: each level is checked, from the top.
  const levels = home.name === undefined ? [root] : [root, join(root, "projects"), stateDirectory(home)];
  for (const directory of levels) {
    let stats: Stats;
    try {
      stats = lstatSync(directory);
    } catch {
      return;
    }
    const reason = untrustedBecause(stats, "directory");
    if (reason !== undefined && !reason.startsWith("it is writable")) {
      throw new SbxError("STATE_UNTRUSTED", `${directory} cannot be used: ${reason}. sbx writes service output there, which may hold secrets: remove it, or run sbx as its owner`);
    }
    if ((stats.mode & 0o077) !== 0) chmodSync(directory, 0o700);
  }
}

/** Removes the state file; one that cannot be removed (its directory replaced by a file) is no error. */
export function removeState(home: ProjectHome): void {
  try {
    rmSync(statePath(home), { force: true });
  } catch {}
}

/** The start time of this process, as /proc tells it: with the pid, it tells a reused pid apart. */
export function ownStartTime(): number | undefined {
  return readProcess(process.pid)?.startTime;
}

/** Removes sbx's socket of the project: only at sbx's own path, and only if a socket is there. */
export function removeOwnSocket(home: ProjectHome): void {
  const path = socketPathFor(home);
  try {
    if (lstatSync(path).isSocket()) rmSync(path, { force: true });
  } catch {}
}

/**
 * Ends every service tree a dead supervisor left behind (found by process group and by the tree
 * tag its processes carry, and every process that carries the project's tag), then removes its
 * socket and state. A recorded pid is signalled only when its start time matches the one
 * recorded; an entry without one is found through its tag alone. Returns how many processes
 * were still there to end.
 */
export async function reapStale(home: ProjectHome, state: ProjectState): Promise<number> {
  const services = Object.values(state.services);
  const left = state.projectTag === undefined ? services.length : processesOfProject(state.projectTag).length;
  const stamped = services.filter((s) => s.startTime !== undefined && isPid(s.pid));
  await Promise.all(stamped.map((s) => killTree(s.pid, { signal: "SIGTERM", gracePeriodMs: 2_000, tag: s.tag, leaderStartTime: s.startTime as number })));
  // Whatever started after the last state write, or was recorded without a start time, carries
  // the project's tag or its tree's all the same.
  await killTagged(
    { trees: services.filter((s) => !stamped.includes(s)).map((s) => s.tag), ...(state.projectTag === undefined ? {} : { project: state.projectTag }) },
    { gracePeriodMs: 2_000 },
  );
  removeOwnSocket(home);
  removeState(home);
  try {
    rmSync(join(stateDirectory(home), "supervisor.lock"), { force: true });
  } catch {}
  return left;
}
