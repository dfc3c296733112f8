import { inspect, type InspectOptions } from "node:util";
import { filter, firstValueFrom } from "rxjs";
import type { Orchestrator } from "../engine/orchestrator.js";
import { hasExitedStatus, isRunningStatus, type ServiceState } from "../engine/service-state.js";
import { serviceEnvironment } from "../engine/default-runtime.js";
import type { Service } from "../manifest/types.js";
import type { ServiceLog } from "../process/service-log.js";
import type { ExitResult, Process, ProcessData, ProcessLogs, ProcessStatus, WaitForLogResult, WaitForPortOptions, WaitOptions } from "./types.js";
import { lineEventStream } from "./log-event-stream.js";
import { inspectProcess, processData } from "./process-view.js";
import { logsOf, waitForExitOf, waitForLogOf, waitForPortOf, type WaitTarget } from "./waits.js";

/** A service's engine status, in the Sandbox API's words. */
export function processStatusOf(state: ServiceState | undefined): ProcessStatus {
  if (state !== undefined && isRunningStatus(state.status)) return "running";
  switch (state?.status) {
    case "completed":
      return "completed";
    case "failed":
      // Its command could not be started at all: the Sandbox API's "error".
      return state.reason?.kind === "spawn-failed" ? "error" : "failed";
    case "stopped":
    case "skipped":
      return "killed";
    default:
      return "starting";
  }
}

/** A service of a stack brought up by up(), seen through the same Process interface as a Sandbox's processes. */
export class ServiceProcess implements Process {
  // True private fields: the engine behind a process (and the environment it holds) must not
  // come out with it, whether it is logged, spread, or serialised.
  readonly #orchestrator: Orchestrator;
  readonly #service: Service;

  constructor(orchestrator: Orchestrator, service: Service) {
    this.#orchestrator = orchestrator;
    this.#service = service;
  }

  get id(): string {
    return this.#service.name;
  }

  get pid(): number | undefined {
    return this.#state?.pid;
  }

  get command(): string {
    const { command } = this.#service;
    return command.kind === "shell" ? command.script : command.argv.join(" ");
  }

  get status(): ProcessStatus {
    return processStatusOf(this.#state);
  }

  get exitCode(): number | null {
    return this.#state?.exitCode ?? null;
  }

  get startTime(): Date {
    return new Date(this.#state?.startedAt ?? Date.now());
  }

  get endTime(): Date | undefined {
    const exitedAt = this.#state?.exitedAt;
    return exitedAt === undefined || this.status === "running" ? undefined : new Date(exitedAt);
  }

  toJSON(): ProcessData {
    return processData(this);
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return inspectProcess(this, options);
  }

  async getStatus(): Promise<ProcessStatus> {
    return this.status;
  }

  async getLogs(): Promise<ProcessLogs> {
    return logsOf(this.#log);
  }

  /** Stops the service and its whole tree (its stop_signal, then SIGKILL after its grace period). */
  async kill(): Promise<void> {
    await this.#orchestrator.stopService(this.#service.name);
  }

  waitForExit(timeout?: number | WaitOptions): Promise<ExitResult> {
    return waitForExitOf(this.#target(), timeout);
  }

  waitForPort(port: number, options?: WaitForPortOptions): Promise<void> {
    return waitForPortOf(this.#target(), port, options);
  }

  waitForLog(pattern: string | RegExp, timeout?: number | WaitOptions): Promise<WaitForLogResult> {
    return waitForLogOf(this.#target(), pattern, timeout);
  }

  /** Its output as Server-Sent Events, as Sandbox.streamProcessLogs gives them, ending at its exit. */
  logStream(afterSeq = 0): ReadableStream<Uint8Array> {
    return lineEventStream({ processId: this.#service.name, command: this.command, status: () => this.status }, this.#log, this.#target().exited, { afterSeq });
  }

  get #state(): ServiceState | undefined {
    return this.#orchestrator.state(this.#service.name);
  }

  get #log(): ServiceLog {
    return this.#orchestrator.serviceLog(this.#service.name) as ServiceLog;
  }

  #target(): WaitTarget {
    const name = this.#service.name;
    const ended = (s: ServiceState | undefined): boolean => s !== undefined && hasExitedStatus(s.status);
    const exitOf = (): ExitResult => ({ exitCode: this.#state?.exitCode ?? null, signal: this.#state?.signal ?? null });
    const exited = ended(this.#state)
      ? Promise.resolve(exitOf())
      : firstValueFrom(this.#orchestrator.events$.pipe(filter((e) => e.service === name && e.type === "exited"))).then(
          (e) => ({ exitCode: (e as { exitCode: number | null }).exitCode, signal: (e as { signal: NodeJS.Signals | null }).signal }),
          () => exitOf(),
        );
    return {
      command: this.command,
      id: name,
      log: this.#log,
      exited,
      cwd: this.#service.workingDir,
      env: serviceEnvironment(this.#service),
      exit: () => (ended(this.#state) ? exitOf() : undefined),
    };
  }
}
