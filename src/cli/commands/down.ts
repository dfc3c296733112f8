import { defaults } from "../../defaults.js";
import { isRunning, readProcess } from "../../process/process-table.js";
import { killProjectProcesses, type ProjectProcesses } from "../../server/project-processes.js";
import { SupervisorUnresponsiveError } from "../../protocol/client.js";
import type { ProjectState } from "../../protocol/discovery.js";
import { describeHome, stateDirectory, type ProjectHome } from "../../protocol/project-home.js";
import { reapStale } from "../../server/state-file.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { connectToProject, projectHomeOf, type ProjectConnection } from "../project-connection.js";

/** How long a live supervisor gets to write its state again after `.sbx` was deleted. */
const STATE_RESTORE_WAIT_MS = 2_000;

/**
 * `sbx down [-t DURATION]`: stops the running project's services in reverse dependency order, whole
 * trees; where a supervisor died without doing so, reaps what its state file records; where the
 * state is gone (`.sbx` deleted), finds the project's processes by the tag they carry.
 */
export async function downCommand(options: GlobalOptions & { timeoutMs?: number }, io: CliIo): Promise<number> {
  const home = projectHomeOf(options, io);
  let connection = connectToProject(home, io);
  if (connection.kind === "untracked" && connection.processes.liveSupervisor) connection = await stateRestored(home, connection, io);
  switch (connection.kind) {
    case "none":
      io.stdout.write(`nothing is running in ${describeHome(home)}\n`);
      return 0;
    case "stale": {
      const count = await reapStale(home, connection.state);
      io.stdout.write(`the supervisor (pid ${connection.state.supervisor.pid}) had died: stopped the ${count === 1 ? "1 process" : `${count} processes`} it left behind\n`);
      return 0;
    }
    case "untracked": {
      const count = await stopUntracked(home, connection.processes, options.timeoutMs);
      io.stdout.write(`the project's state in ${stateDirectory(home)} was missing: stopped the ${count === 1 ? "1 process" : `${count} processes`} that carry its tag\n`);
      return 0;
    }
    case "running": {
      try {
        await connection.client.down(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
        // The answer comes once the services are stopped; the supervisor then sweeps the project's
        // tag and removes its state. Returning before it is gone, a script's next step (`rm -rf
        // .sbx`, `sbx up -d`) would race it.
        if (!(await supervisorGone(connection.state))) io.stderr.write(`warning: the supervisor (pid ${connection.state.supervisor.pid}) stopped every service but has not exited within ${SUPERVISOR_EXIT_WAIT_MS / 1_000} s\n`);
      } catch (error) {
        if (!(error instanceof SupervisorUnresponsiveError)) throw error;
        // A stuck supervisor cannot stop anything: it is ended, and what it started is reaped as
        // after a crash.
        const count = await endStuckSupervisor(home, connection.state);
        io.stderr.write(`warning: ${error.message}\n`);
        io.stdout.write(`${connection.state.project}: the supervisor (pid ${connection.state.supervisor.pid}) did not answer: ended it and the ${count === 1 ? "1 process" : `${count} processes`} it had started\n`);
        return 0;
      }
      io.stdout.write(`${connection.state.project}: every service is stopped\n`);
      return 0;
    }
  }
}

/** How long `down` waits for a supervisor that has answered to be gone: its sweep waits out a grace period at most. */
const SUPERVISOR_EXIT_WAIT_MS = 60_000;

/**
 * Whether the supervisor of `state` has exited, waiting up to SUPERVISOR_EXIT_WAIT_MS for it: one
 * that is sbx's own process ends once the project has stopped. A program that runs the project
 * through up() goes on after it (its stack's down() closes it), as does one whose kind an older
 * sbx did not record: nothing to wait for.
 */
async function supervisorGone(state: ProjectState): Promise<boolean> {
  const { pid, startTime, kind } = state.supervisor;
  // Without a start time a pid may be another process's by now.
  if (kind !== "cli" || startTime === undefined) return true;
  const deadline = Date.now() + SUPERVISOR_EXIT_WAIT_MS;
  while (isRunning(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

/** SIGKILL to a supervisor that does not answer (the same process: its start time is the one recorded), then the reaping of a crash. */
async function endStuckSupervisor(home: ProjectHome, state: ProjectState): Promise<number> {
  const { pid, startTime } = state.supervisor;
  if (startTime !== undefined && isRunning(pid, startTime)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
    while (isRunning(pid, startTime)) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return reapStale(home, state);
}

/** A live supervisor writes its state again soon after `.sbx` is deleted: wait a little for it. */
async function stateRestored(home: ProjectHome, connection: ProjectConnection, io: CliIo): Promise<ProjectConnection> {
  const deadline = Date.now() + STATE_RESTORE_WAIT_MS;
  let current = connection;
  while (current.kind === "untracked" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Its warnings were told once already.
    current = connectToProject(home, { stderr: { write: () => true } });
  }
  return current;
}

/**
 * Stops a project known only by its processes' tags. A supervisor that is sbx's own command is
 * asked to tear down as on SIGTERM (so that nothing restarts what is stopped); then every process
 * that carries the directory's tag is ended.
 */
async function stopUntracked(home: ProjectHome, found: ProjectProcesses, timeoutMs: number | undefined): Promise<number> {
  const gracePeriodMs = timeoutMs ?? defaults.stopGracePeriodMs;
  const supervisor = found.liveSupervisor;
  if (supervisor?.kind === "cli") {
    const startTime = readProcess(supervisor.pid)?.startTime;
    try {
      process.kill(supervisor.pid, "SIGTERM");
    } catch {}
    const deadline = Date.now() + gracePeriodMs + 5_000;
    while (startTime !== undefined && isRunning(supervisor.pid, startTime) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Math.max(found.pids.length, await killProjectProcesses(home, gracePeriodMs));
}
