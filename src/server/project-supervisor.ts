import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { Subscription } from "rxjs";
import { SbxError } from "../errors.js";
import { Orchestrator, type OrchestratorOptions } from "../engine/orchestrator.js";
import type { Selection } from "../graph/select-services.js";
import type { Project } from "../manifest/types.js";
import { randomUUID } from "node:crypto";
import { isRunning, PROJECT_TAG_VARIABLE, readProcess } from "../process/process-table.js";
import { Sandbox } from "../api/sandbox.js";
import { sbxPackage } from "../package-root.js";
import { ControlServer } from "./control-server.js";
import { socketPathFor } from "./socket-path.js";
import { ProcessRegistry } from "./process-registry.js";
import { ownStartTime, readState, reapStale, removeState, stateDirectory, supervisorAlive, writeState, type ProjectState } from "./state-file.js";


/**
 * A running project: its orchestrator, its control API on `.sbx/sbx.sock`, its state file, the
 * lock that makes it the only supervisor of its directory, and a watchdog that tears the services
 * down if this process dies without doing so itself.
 */
export class ProjectSupervisor {
  private stateSubscription?: Subscription;
  private watchdogInput?: Socket;
  private shutDown?: Promise<void>;

  private constructor(
    readonly orchestrator: Orchestrator,
    /** Processes that clients start through Sandbox.connect(). */
    readonly sandbox: Sandbox,
    readonly project: Project,
    private readonly server: ControlServer,
    readonly socketPath: string,
    private readonly lockPath: string,
    readonly startedAt: number,
    private readonly projectTag: string,
  ) {}

  /**
   * Becomes the supervisor of the project's directory: refuses when a live one holds it, reaps
   * what a dead one left behind, then serves the control API. Services start with `run()`.
   */
  static async open(project: Project, selection: Selection, options: OrchestratorOptions & { onDown?: () => void } = {}): Promise<ProjectSupervisor> {
    mkdirSync(stateDirectory(project.dir), { recursive: true });
    await reapIfStale(project.dir);
    const lockPath = join(stateDirectory(project.dir), "supervisor.lock");
    acquireLock(lockPath, project.dir);
    try {
      // Every process of the project carries this tag: a reaper finds them all, even one started
      // after the last write of the state file.
      const projectTag = `${project.name}.${randomUUID()}`;
      const tagEnvironment = { [PROJECT_TAG_VARIABLE]: projectTag };
      const orchestrator = new Orchestrator(project, selection, { ...options, environment: tagEnvironment });
      const socketPath = socketPathFor(project.dir);
      const startedAt = Date.now();
      const sandbox = new Sandbox({ cwd: project.dir, env: tagEnvironment });
      let recordState = (): void => {};
      const server = new ControlServer({
        orchestrator,
        processes: new ProcessRegistry(orchestrator, sandbox, () => recordState()),
        project: { name: project.name, dir: project.dir, supervisorPid: process.pid, startedAt },
        down: async (gracePeriodMs) => {
          options.onDown?.();
          await Promise.all([orchestrator.stop(gracePeriodMs === undefined ? {} : { gracePeriodMs }), sandbox.killAllProcesses()]);
        },
      });
      await server.listen(socketPath);
      const supervisor = new ProjectSupervisor(orchestrator, sandbox, project, server, socketPath, lockPath, startedAt, projectTag);
      supervisor.recordState();
      recordState = () => supervisor.recordStateSoon();
      supervisor.stateSubscription = orchestrator.events$.subscribe((event) => {
        // The project's tag, written at once above, already lets a reaper find every process: the
        // pids are for ps and for a precise reap, so their writes are gathered, at most ten a second.
        if (event.type === "running" || event.type === "stopped" || event.type === "exited") supervisor.recordStateSoon();
      });
      supervisor.startWatchdog();
      return supervisor;
    } catch (error) {
      rmSync(lockPath, { force: true });
      throw error;
    }
  }

  /** Stops the control API and removes the socket, the state and the lock; the services must be stopped already. */
  close(): Promise<void> {
    this.shutDown ??= (async () => {
      this.stateSubscription?.unsubscribe();
      await this.sandbox.destroy();
      await this.server.close();
      rmSync(this.socketPath, { force: true });
      removeState(this.project.dir);
      // With the state gone, the watchdog finds nothing to reap when its pipe closes.
      this.watchdogInput?.destroy();
      rmSync(this.lockPath, { force: true });
    })();
    return this.shutDown;
  }

  /** Each pid's /proc start time, read once: the state is written on every start and stop. */
  private readonly startTimes = new Map<number, number | undefined>();

  private startTimeOf(pid: number): number | undefined {
    if (!this.startTimes.has(pid)) this.startTimes.set(pid, readProcess(pid)?.startTime);
    return this.startTimes.get(pid);
  }

  private stateWriteScheduled = false;

  private recordStateSoon(): void {
    if (this.stateWriteScheduled) return;
    this.stateWriteScheduled = true;
    setTimeout(() => {
      this.stateWriteScheduled = false;
      if (!this.shutDown) this.recordState();
    }, 100).unref();
  }

  private recordState(): void {
    const services: ProjectState["services"] = {};
    const started = this.sandbox.runningProcesses().map(({ id, pid, tag }) => ({ service: `process:${id}`, pid, tag }));
    for (const { service, pid, tag } of [...this.orchestrator.runningProcesses(), ...started]) {
      const startTime = this.startTimeOf(pid);
      services[service] = { pid, tag, startedAt: this.orchestrator.state(service)?.startedAt ?? Date.now(), ...(startTime === undefined ? {} : { startTime }) };
    }
    const startTime = ownStartTime();
    writeState(this.project.dir, {
      version: 1,
      project: this.project.name,
      dir: this.project.dir,
      socket: this.socketPath,
      projectTag: this.projectTag,
      supervisor: { pid: process.pid, startedAt: this.startedAt, ...(startTime === undefined ? {} : { startTime }) },
      services,
    });
  }

  /**
   * A process that outlives this one: `cat` waits on a pipe from us, and when the pipe closes
   * because we died (SIGKILL, out of memory), `sbx __reap` tears down what the state file records.
   * Waiting costs two small processes and no CPU.
   */
  private startWatchdog(): void {
    const cliPath = join(sbxPackage().dir, "dist", "cli", "sbx.cjs");
    const watchdog = spawn("/bin/sh", ["-c", 'cat > /dev/null; exec "$0" "$1" __reap "$2"', process.execPath, cliPath, this.project.dir], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    watchdog.on("error", () => {});
    watchdog.unref();
    const input = watchdog.stdin as unknown as Socket;
    input.on("error", () => {});
    input.unref();
    this.watchdogInput = input;
  }
}

/** Reaps a dead supervisor's services when its state says so; throws when a live one holds the directory. */
async function reapIfStale(projectDir: string): Promise<void> {
  const state = readState(projectDir);
  if (!state) return;
  if (supervisorAlive(state)) throw alreadyRunning(projectDir, state);
  await reapStale(projectDir, state);
}

function alreadyRunning(projectDir: string, state: ProjectState): SbxError {
  const since = new Date(state.supervisor.startedAt).toLocaleTimeString();
  return new SbxError(
    "ALREADY_RUNNING",
    `project ${state.project} is already running in ${projectDir} (supervisor pid ${state.supervisor.pid}, since ${since}): use sbx ps, sbx logs, or sbx down`,
  );
}

/** An exclusive lock file holding our pid; a lock whose process is gone is taken over. */
function acquireLock(lockPath: string, projectDir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSafe(lockPath));
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        const state = readState(projectDir);
        if (state) throw alreadyRunning(projectDir, state);
        throw new SbxError("ALREADY_RUNNING", `another sbx (pid ${holder}) is starting this project in ${projectDir}`);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new SbxError("ALREADY_RUNNING", `cannot take the lock ${lockPath}`);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
