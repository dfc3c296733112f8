import { dirname, join, resolve } from "node:path";
import { SbxError } from "../errors.js";
import { findManifestFiles } from "../manifest/find-manifest.js";
import { ControlClient } from "../protocol/client.js";
import { findProjectProcesses, type ProjectProcesses } from "../server/project-processes.js";
import { readState, supervisorAlive, type ProjectState } from "../protocol/discovery.js";
import { describeHome, projectHome, sbxCommandFor, stateDirectory, type ProjectHome } from "../protocol/project-home.js";
import { projectNameOf, type GlobalOptions } from "./global-options.js";
import type { CliIo } from "./io.js";

/**
 * The project directory a command acts on: `--project-dir`, or the directory of the manifest found
 * as `up` would find it. The manifest is not validated: `ps`, `logs` and `down` must work even
 * when it has been broken since `up`.
 */
export function projectDirOf(options: GlobalOptions, io: CliIo): string {
  if (options.projectDir !== undefined) return resolve(io.cwd, options.projectDir);
  return dirname(findManifestFiles(options.file, io.cwd)[0] as string);
}

/** The project a command acts on: its directory (see projectDirOf), and its name when `-p` or `SBX_PROJECT_NAME` gives one. */
export function projectHomeOf(options: GlobalOptions, io: CliIo): ProjectHome {
  return projectHome(projectDirOf(options, io), projectNameOf(options, io));
}

export type ProjectConnection =
  | { kind: "running"; state: ProjectState; client: ControlClient }
  | { kind: "stale"; state: ProjectState }
  /** No state to trust, but processes that carry the directory's tag run: `.sbx` was deleted, or its state is not trusted. */
  | { kind: "untracked"; processes: ProjectProcesses }
  | { kind: "none" };

/**
 * Whether a supervisor runs the project, and a client of its control API when one does. A state
 * that cannot be trusted is ignored with a warning on stderr.
 */
export function connectToProject(home: ProjectHome, io: Pick<CliIo, "stderr">): ProjectConnection {
  const { state, warnings } = readState(home);
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  if (state) {
    if (!supervisorAlive(state)) return { kind: "stale", state };
    // The client names the supervisor and its log if it stops answering.
    const client = new ControlClient(state.socket, { supervisorPid: state.supervisor.pid, logPath: join(stateDirectory(home), "sbx.log") });
    return { kind: "running", state, client };
  }
  const processes = findProjectProcesses(home);
  return processes ? { kind: "untracked", processes } : { kind: "none" };
}

/**
 * A client of the project when its state names a live supervisor; undefined otherwise, without
 * looking through /proc for processes the state does not know of (the supervisor that `up`
 * starts looks, and refuses to start beside them): a scan of every process's environment was most
 * of what `up -d` spent before it started its supervisor.
 */
export function runningProject(home: ProjectHome, io: Pick<CliIo, "stderr">): Extract<ProjectConnection, { kind: "running" }> | undefined {
  const { state, warnings } = readState(home);
  if (!state || !supervisorAlive(state)) return undefined;
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  const client = new ControlClient(state.socket, { supervisorPid: state.supervisor.pid, logPath: join(stateDirectory(home), "sbx.log") });
  return { kind: "running", state, client };
}

/** A client of the running project, or a plain error saying nothing runs there. */
export function requireRunning(home: ProjectHome, io: Pick<CliIo, "stderr">): { state: ProjectState; client: ControlClient } {
  const connection = connectToProject(home, io);
  if (connection.kind === "running") return connection;
  const sbx = sbxCommandFor(home);
  if (connection.kind === "stale") {
    throw new SbxError("NOT_RUNNING", `nothing is running in ${describeHome(home)}: its supervisor (pid ${connection.state.supervisor.pid}) died; ${sbx} down cleans up what it left`);
  }
  if (connection.kind === "untracked") throw new SbxError("NOT_RUNNING", untrackedMessage(home, connection.processes));
  throw new SbxError("NOT_RUNNING", `nothing is running in ${describeHome(home)}: start it with ${sbx} up`);
}

/** What to say of processes that carry the project's tag while no state tells of them. */
export function untrackedMessage(home: ProjectHome, found: ProjectProcesses): string {
  const count = found.pids.length === 1 ? "1 process" : `${found.pids.length} processes`;
  const who = found.liveSupervisor ? `its supervisor (pid ${found.liveSupervisor.pid}) runs` : "its supervisor is gone";
  return `${count} of the project in ${describeHome(home)} run, but its state in .sbx is missing (${who}): ${sbxCommandFor(home)} down stops them`;
}
