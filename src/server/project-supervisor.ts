import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, existsSync, lstatSync, openSync, readFileSync, rmSync, watch, writeSync, type FSWatcher } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { Subscription } from "rxjs";
import { Sandbox } from "../api/sandbox.js";
import { defaults } from "../defaults.js";
import { Orchestrator, type OrchestratorOptions } from "../engine/orchestrator.js";
import { SbxError } from "../errors.js";
import type { Selection } from "../graph/select-services.js";
import type { Project } from "../manifest/types.js";
import { killTagged, mayBeSignalled } from "../process/kill-tree.js";
import { isRunning, readProcess } from "../process/process-table.js";
import { sbxPackage } from "../package-root.js";
import { ControlServer } from "./control-server.js";
import { ProcessRegistry } from "./process-registry.js";
import { findProjectProcesses, killProjectProcesses, projectEnvironment, type SupervisorKind } from "./project-processes.js";
import { ensureSocketDirectory, socketPathFor } from "../protocol/socket-path.js";
import { readState, supervisorAlive, type ProjectState } from "../protocol/discovery.js";
import { describeHome, ensureHomeDirectory, logDirectory, projectHome, sbxCommandFor, stateDirectory, statePath, type ProjectHome } from "../protocol/project-home.js";
import { checkStateDirectory, ownStartTime, reapStale, removeOwnSocket, removeState, writeLastRun, writeState } from "./state-file.js";
import { lastRunPath } from "../protocol/last-run.js";
import { failureOf } from "../engine/service-failure.js";
import { isFailedStatus } from "../engine/service-state.js";
import { definitionHashes } from "../engine/service-definition.js";
import type { WatchRestarts } from "./watch-restarts.js";

export interface ProjectSupervisorOptions extends OrchestratorOptions {
  /** Told when the `down` endpoint is called. */
  onDown?: () => void;
  /** Where warnings go (a state file that could not be trusted, a dead supervisor's processes reaped). */
  warn?: (message: string) => void;
  /** Who runs the supervisor: sbx's command or a program through up(); recorded in the project's processes. */
  kind?: SupervisorKind;
  /**
   * The name the project was given on purpose (`sbx -p NAME`, up()'s `name`): it is the project's
   * name, and its state goes to `.sbx/projects/NAME/` beside the directory's default project.
   */
  name?: string;
  /**
   * FORCE_COLOR and CLICOLOR_FORCE for the services when their output reaches a colour terminal
   * (the foreground `sbx up`): under the manifest's own, and not for the Sandbox API's processes, whose output is read by programs.
   */
  colorEnvironment?: Readonly<Record<string, string>>;
  /**
   * A project that lives only as long as its run (up() with no name): its state directory, logs
   * included, is removed when it closes, and by the watchdog if this process dies, so that a
   * parallel test suite leaves no directory per stack behind.
   */
  ephemeral?: boolean;
  /** Restart services when the files their `watch:` names change (`sbx up --watch`). */
  watch?: boolean;
}

/**
 * A running project: its orchestrator, its control API on `.sbx/sbx.sock`, its state file, the
 * lock that makes it the only supervisor of its directory, and a watchdog that tears the services
 * down if this process dies without doing so itself.
 */
export class ProjectSupervisor {
  private stateSubscription?: Subscription;
  private watchRestarts?: WatchRestarts;
  private watchdogInput?: Socket;
  /** The watchdog's pid, the leader of a process group of its own (its shell and its `cat`). */
  private watchdogPid?: number;
  private shutDown?: Promise<void>;
  /** The grace period a `down -t` gave, for the last sweep of the project's processes. */
  private downGracePeriodMs?: number;
  /** Whether someone asked for the stop, or the project stopped on its own: what the last run's record tells. */
  private stoppedOnRequest = false;

  private constructor(
    readonly orchestrator: Orchestrator,
    /** Processes that clients start through Sandbox.connect(). */
    readonly sandbox: Sandbox,
    readonly project: Project,
    readonly home: ProjectHome,
    private readonly server: ControlServer,
    readonly socketPath: string,
    private readonly lockPath: string,
    readonly startedAt: number,
    private readonly projectTag: string,
    private readonly warn: (message: string) => void,
    private readonly ephemeral: boolean,
    private readonly kind: SupervisorKind,
  ) {}

  /**
   * Becomes the supervisor of the project's directory: refuses when a live one holds it, reaps
   * what a dead one left behind, then serves the control API. Services start with `run()`.
   */
  static async open(declared: Project, selection: Selection, options: ProjectSupervisorOptions = {}): Promise<ProjectSupervisor> {
    const warn = options.warn ?? ((message: string) => process.emitWarning(message, "SbxWarning"));
    const home = projectHome(declared.dir, options.name);
    // A name given on purpose is the project's, whatever the manifest's `name` says (compose's -p).
    const project = options.name === undefined ? declared : { ...declared, name: options.name };
    checkStateDirectory(home);
    ensureHomeDirectory(home);
    await reapIfStale(home, warn);
    const lockPath = join(stateDirectory(home), "supervisor.lock");
    acquireLock(lockPath, home);
    // How an earlier run ended is no news once this one starts.
    removeQuietly(lastRunPath(home));
    try {
      // Every process of the project carries these tags: a reaper finds them all, even one started
      // after the last write of the state file, and even once `.sbx` has been deleted.
      const projectTag = `${project.name}.${randomUUID()}`;
      const tagEnvironment = projectEnvironment(projectTag, home, options.kind ?? "api");
      const startedAt = Date.now();
      const orchestrator = new Orchestrator(project, selection, {
        logDir: logDirectory(home),
        runStartedAt: startedAt,
        // Watching, a failed or completed service may be started again by a change: the project waits for it.
        keepRunning: options.watch === true,
        ...options,
        baseEnvironment: { ...options.colorEnvironment, ...options.baseEnvironment },
        environment: { ...options.environment, ...tagEnvironment },
      });
      const socketPath = socketPathFor(home);
      ensureSocketDirectory(socketPath, home);
      const sandbox = new Sandbox({ cwd: project.dir, env: { ...options.baseEnvironment, ...tagEnvironment }, shell: project.shell });
      let recordState = (): void => {};
      let supervisor: ProjectSupervisor | undefined;
      const server = new ControlServer({
        orchestrator,
        processes: new ProcessRegistry(orchestrator, sandbox, () => recordState()),
        project: { name: project.name, dir: project.dir, supervisorPid: process.pid, startedAt },
        down: async (gracePeriodMs) => {
          supervisor?.stopRequested();
          // No change restarts anything once the project is going down. Not awaited first: a
          // restart under way may wait for a service that only the stop below ends.
          const watchClosed = supervisor?.watchRestarts?.close();
          options.onDown?.();
          if (supervisor && gracePeriodMs !== undefined) supervisor.downGracePeriodMs = gracePeriodMs;
          await Promise.all([orchestrator.stop(gracePeriodMs === undefined ? {} : { gracePeriodMs }), sandbox.killAllProcesses(), watchClosed]);
        },
      });
      await server.listen(socketPath);
      supervisor = new ProjectSupervisor(orchestrator, sandbox, project, home, server, socketPath, lockPath, startedAt, projectTag, warn, options.ephemeral === true, options.kind ?? "api");
      supervisor.recordState();
      recordState = () => supervisor?.recordStateSoon();
      supervisor.stateSubscription = orchestrator.events$.subscribe((event) => {
        // The project's tag, written at once above, already lets a reaper find every process: the
        // pids are for ps and for a precise reap, so their writes are gathered, at most ten a second.
        // An apply changes the definitions that `up --reuse` compares: `updated` and `removed` say so.
        if (event.type === "running" || event.type === "stopped" || event.type === "exited" || event.type === "updated" || event.type === "removed") supervisor?.recordStateSoon();
      });
      supervisor.startWatchdog();
      supervisor.watchStateDirectory();
      if (options.watch) {
        // Loaded only for `up --watch`: the file watcher (chokidar, its directory walker, the
        // .gitignore matcher) is code that a supervisor which does not watch would hold for nothing.
        const { WatchRestarts } = await import("./watch-restarts.js");
        // Watching before any service starts: a change made while they start is acted on too.
        supervisor.watchRestarts = await WatchRestarts.start(orchestrator, selection.services, {
          baseEnvironment: { ...options.colorEnvironment, ...options.baseEnvironment },
          environment: { ...options.environment, ...tagEnvironment },
        });
      }
      return supervisor;
    } catch (error) {
      if (options.ephemeral) removeQuietly(stateDirectory(home), { recursive: true });
      else rmSync(lockPath, { force: true });
      throw error;
    }
  }

  /** Someone asked for the project to stop (sbx down, Ctrl-C, a signal, a stack's down()): it did not stop on its own. */
  stopRequested(): void {
    this.stoppedOnRequest = true;
  }

  /**
   * Ends whatever of the project still runs (a daemon that a one-shot service started and left,
   * a process started through the API), stops the control API and removes the socket, the state
   * and the lock. The services must be stopped already.
   */
  close(): Promise<void> {
    this.shutDown ??= (async () => {
      await this.watchRestarts?.close();
      this.outerWatcher?.close();
      this.innerWatcher?.close();
      this.stateSubscription?.unsubscribe();
      await this.sandbox.destroy();
      // The project's tag was minted here: only processes started since this one can carry it.
      await killTagged({ project: this.projectTag, ours: true }, { gracePeriodMs: this.downGracePeriodMs ?? this.longestGracePeriod() });
      await this.server.close();
      removeOwnSocket(this.home);
      if (!this.ephemeral) this.recordLastRun();
      removeState(this.home);
      // A clean close leaves the watchdog nothing to reap: it is ended here, before its reaper
      // (a Node.js start) could begin and outlive `sbx down`, which waits for this process only.
      if (this.watchdogPid !== undefined && mayBeSignalled(-this.watchdogPid)) {
        try {
          process.kill(-this.watchdogPid, "SIGKILL");
        } catch {}
      }
      this.watchdogInput?.destroy();
      if (this.ephemeral) removeQuietly(stateDirectory(this.home), { recursive: true });
      else removeQuietly(this.lockPath);
    })();
    return this.shutDown;
  }

  /** How the run ended, for `sbx ps` once nothing runs; a record that cannot be written is only missed. */
  private recordLastRun(): void {
    const failed = [...this.orchestrator.states.values()].filter((state) => isFailedStatus(state.status));
    const failures = failed
      .map((state) => ({ service: state.name, at: state.endedAt ?? Date.now(), message: failureOf(state)?.message ?? state.status }))
      .sort((a, b) => a.at - b.at);
    try {
      writeLastRun(this.home, { version: 1, project: this.project.name, startedAt: this.startedAt, endedAt: Date.now(), stoppedOnRequest: this.stoppedOnRequest, failures });
    } catch {}
  }

  private longestGracePeriod(): number {
    return Math.max(defaults.stopGracePeriodMs, ...this.orchestrator.selection.services.map((s) => s.stopGracePeriodMs));
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
    const started = this.sandbox.runningProcesses().map(({ id, pid, tag }) => ({ service: `process:${id}`, pid, tag }));
    const services = stampedEntries(
      [...this.orchestrator.runningProcesses(), ...started].map((entry) => ({ ...entry, startedAt: this.orchestrator.state(entry.service)?.startedAt ?? Date.now() })),
      (pid) => this.startTimeOf(pid),
    );
    const startTime = ownStartTime();
    const state: ProjectState = {
      version: 1,
      project: this.project.name,
      dir: this.project.dir,
      socket: this.socketPath,
      projectTag: this.projectTag,
      supervisor: { pid: process.pid, startedAt: this.startedAt, ...(startTime === undefined ? {} : { startTime }), kind: this.kind },
      services,
      definitions: definitionHashes(this.orchestrator.selection.services),
    };
    try {
      writeState(this.home, state);
      this.stateWriteFailed = false;
    } catch (error) {
      // `.sbx` gone, or a full disk: the project runs on, found by its processes' tags meanwhile.
      if (!this.stateWriteFailed) this.warn(`cannot write ${statePath(this.home)}: ${(error as Error).message}`);
      this.stateWriteFailed = true;
    }
  }

  private stateWriteFailed = false;

  /**
   * A process that outlives this one: `cat` waits on a pipe from us, and when the pipe closes
   * because we died (SIGKILL, out of memory), `sbx __reap` ends every process that carries the
   * project's tag and removes the state. Waiting costs two small processes and no CPU.
   */
  private startWatchdog(): void {
    const cliPath = join(sbxPackage().dir, "dist", "cli", "sbx.cjs");
    const watchdog = spawn("/bin/sh", ["-c", 'cat > /dev/null; exec "$0" "$1" __reap "$2" "$3" "$4" "$5"', process.execPath, cliPath, this.project.dir, this.projectTag, this.home.name ?? "", this.ephemeral ? "ephemeral" : ""], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    watchdog.on("error", () => {});
    watchdog.unref();
    const input = watchdog.stdin as unknown as Socket;
    input.on("error", () => {});
    input.unref();
    this.watchdogInput = input;
    this.watchdogPid = watchdog.pid;
  }

  /**
   * `.sbx` may be deleted while the project runs (`git clean -xfd`, `rm -rf .sbx`): then `sbx ps`
   * and `sbx down` would find no state and no socket. The directory is watched (inotify: no cost
   * while nothing changes) and what went missing is made again: the directory, the state, the
   * lock and the socket.
   */
  private watchStateDirectory(): void {
    let scheduled = false;
    const soon = (): void => {
      if (scheduled || this.shutDown) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        if (!this.shutDown) void this.restoreStateDirectory();
      }, 20).unref();
    };
    const watchFor = (path: string, names: readonly string[]): FSWatcher | undefined => {
      try {
        const watcher = watch(path, { persistent: false }, (_event, name) => {
          if (name === null || names.includes(name)) soon();
        });
        // A watched directory that is removed ends its watcher, with an error on some systems.
        watcher.on("error", soon);
        return watcher;
      } catch {
        return undefined;
      }
    };
    this.outerWatcher = watchFor(this.project.dir, [".sbx"]);
    this.watchInner = () => {
      this.innerWatcher?.close();
      this.innerWatcher = watchFor(stateDirectory(this.home), ["state.json", "sbx.sock", "supervisor.lock"]);
    };
    this.watchInner();
  }

  private outerWatcher?: FSWatcher;
  private innerWatcher?: FSWatcher;
  private watchInner = (): void => {};

  /** Makes again what went missing of `.sbx`; what cannot be made (a file where the directory was) is left, and the project runs on. */
  private async restoreStateDirectory(): Promise<void> {
    const directory = stateDirectory(this.home);
    try {
      if (!existsSync(directory)) {
        ensureHomeDirectory(this.home);
        this.watchInner();
        // The log files went with it: what the services print from now on goes to new ones.
        this.orchestrator.reopenLogs();
      }
      if (!lstatSync(directory).isDirectory()) return;
      if (!existsSync(statePath(this.home))) this.recordState();
      if (!existsSync(this.lockPath)) writeLock(this.lockPath);
      if (!isSocketAt(this.socketPath)) await this.server.relisten(this.socketPath);
    } catch {
      // sbx down finds the project by its processes' tags all the same.
    }
  }
}

/** The entries of the state file: only those whose start time could be read, which is what makes a pid evidence. */
export function stampedEntries(
  processes: readonly { service: string; pid: number; tag: string; startedAt: number }[],
  startTimeOf: (pid: number) => number | undefined,
): ProjectState["services"] {
  const services: ProjectState["services"] = {};
  for (const { service, pid, tag, startedAt } of processes) {
    const startTime = startTimeOf(pid);
    // Gone already, or not readable: it is recorded by its tags, which every process carries.
    if (startTime === undefined) continue;
    services[service] = { pid, tag, startedAt, startTime };
  }
  return services;
}

function removeQuietly(path: string, options: { recursive?: boolean } = {}): void {
  try {
    rmSync(path, { force: true, ...options });
  } catch {}
}

function isSocketAt(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

/**
 * Reaps a dead supervisor's services when its state says so, and processes of an earlier run that
 * carry the directory's tag and whose supervisor is gone; throws when a live supervisor holds the
 * directory, found through its state or, when `.sbx` was deleted, through its processes' tags.
 */
async function reapIfStale(home: ProjectHome, warn: (message: string) => void): Promise<void> {
  const { state, warnings } = readState(home);
  for (const warning of warnings) warn(warning);
  if (state) {
    if (supervisorAlive(state)) throw alreadyRunning(home, state);
    await reapStale(home, state);
  }
  const found = findProjectProcesses(home);
  if (!found) return;
  if (found.liveSupervisor) {
    throw new SbxError(
      "ALREADY_RUNNING",
      `a project is already running in ${describeHome(home)} (supervisor pid ${found.liveSupervisor.pid}, ${found.pids.length === 1 ? "1 process" : `${found.pids.length} processes`}), but its .sbx directory was removed: use ${sbxCommandFor(home)} down to stop it`,
    );
  }
  const count = await killProjectProcesses(home, 2_000);
  warn(`stopped ${count === 1 ? "1 process" : `${count} processes`} that a dead supervisor of ${describeHome(home)} had left running`);
}

function alreadyRunning(home: ProjectHome, state: ProjectState): SbxError {
  const since = new Date(state.supervisor.startedAt).toLocaleTimeString();
  const sbx = sbxCommandFor(home);
  return new SbxError(
    "ALREADY_RUNNING",
    `project ${state.project} is already running in ${home.dir} (supervisor pid ${state.supervisor.pid}, since ${since}): use ${sbx} ps, ${sbx} logs, or ${sbx} down; ` +
      `${sbx} up -d applies changes to it, and sbx -p NAME up (up({ name }) in code) runs another project of this directory beside it`,
  );
}

/** The lock's content: our pid and start time, so that a reused pid never passes for its holder. */
function writeLock(lockPath: string, flag: "wx" | "w" = "w"): void {
  const fd = openSync(lockPath, flag, 0o600);
  try {
    writeSync(fd, `${process.pid}:${ownStartTime() ?? 0}`);
  } finally {
    closeSync(fd);
  }
}

/** An exclusive lock file holding our pid and start time; a lock whose process is gone is taken over. */
function acquireLock(lockPath: string, home: ProjectHome): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeLock(lockPath, "wx");
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const [pid, startTime] = readFileSafe(lockPath).split(":").map(Number) as [number, number | undefined];
      if (Number.isSafeInteger(pid) && pid > 1 && startTime !== undefined && startTime > 0 && isRunning(pid, startTime)) {
        const { state } = readState(home);
        if (state) throw alreadyRunning(home, state);
        throw new SbxError("ALREADY_RUNNING", `another sbx (pid ${pid}) is starting this project in ${describeHome(home)}`);
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
