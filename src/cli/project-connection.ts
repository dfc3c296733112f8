import { dirname, join, resolve } from "node:path";
import { SbxError } from "../errors.js";
import { findManifestFiles } from "../manifest/find-manifest.js";
import { ControlClient } from "../server/control-client.js";
import { readState, stateDirectory, supervisorAlive, type ProjectState } from "../server/state-file.js";
import type { GlobalOptions } from "./global-options.js";
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

export type ProjectConnection =
  | { kind: "running"; state: ProjectState; client: ControlClient }
  | { kind: "stale"; state: ProjectState }
  | { kind: "none" };

/** Whether a supervisor runs the project, and a client of its control API when one does. */
export function connectToProject(projectDir: string): ProjectConnection {
  const state = readState(projectDir);
  if (!state) return { kind: "none" };
  if (!supervisorAlive(state)) return { kind: "stale", state };
  // The client names the supervisor and its log if it stops answering.
  const client = new ControlClient(state.socket, { supervisorPid: state.supervisor.pid, logPath: join(stateDirectory(projectDir), "sbx.log") });
  return { kind: "running", state, client };
}

/** A client of the running project, or a plain error saying nothing runs there. */
export function requireRunning(projectDir: string): { state: ProjectState; client: ControlClient } {
  const connection = connectToProject(projectDir);
  if (connection.kind === "running") return connection;
  if (connection.kind === "stale") {
    throw new SbxError("NOT_RUNNING", `nothing is running in ${projectDir}: its supervisor (pid ${connection.state.supervisor.pid}) died; sbx down cleans up what it left`);
  }
  throw new SbxError("NOT_RUNNING", `nothing is running in ${projectDir}: start it with sbx up`);
}
