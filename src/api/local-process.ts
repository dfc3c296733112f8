import { randomUUID } from "node:crypto";
import { defaults } from "../defaults.js";
import { timerDelay } from "../manifest/duration.js";
import type { Command } from "../manifest/types.js";
import { killTagged, killTree } from "../process/kill-tree.js";
import { pipeLines } from "../process/pipe-lines.js";
import { TREE_TAG_VARIABLE } from "../process/process-table.js";
import { ServiceLog } from "../process/service-log.js";
import { spawnCommand, type ExitStatus } from "../process/spawn-command.js";
import { logsOf, waitForExitOf, waitForLogOf, waitForPortOf, type WaitTarget } from "./waits.js";
import type { ExitResult, Process, ProcessLogs, ProcessStatus, StartProcessOptions, WaitForLogResult, WaitForPortOptions, WaitOptions } from "./types.js";

/** How long killProcess waits after its signal before SIGKILL. */
export const KILL_GRACE_PERIOD_MS = 5_000;

/** A process the local Sandbox started: its status, its output, its waits. */
export class LocalProcess implements Process {
  readonly startTime = new Date();
  readonly log: ServiceLog;
  private statusValue: ProcessStatus = "starting";
  private pidValue: number | undefined;
  private exitValue: ExitResult | undefined;
  private tag = `process.${randomUUID()}`;
  private killedOnPurpose = false;
  private readonly exitSignal = new AbortController();
  private readonly exited: Promise<ExitResult>;
  private resolveExited!: (result: ExitResult) => void;
  private startError?: Error;

  constructor(
    readonly id: string,
    readonly command: string,
    private readonly spec: Command,
    private readonly options: StartProcessOptions & { cwd: string; env: Record<string, string> },
  ) {
    this.log = new ServiceLog(id, undefined, defaults.logTailLines);
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  get pid(): number | undefined {
    return this.pidValue;
  }

  get status(): ProcessStatus {
    return this.statusValue;
  }

  get exitCode(): number | null {
    return this.exitValue?.exitCode ?? null;
  }

  /** Why it could not start, when its status is `error`. */
  get error(): Error | undefined {
    return this.startError;
  }

  /** The SBX_TREE_ID its whole tree carries: what finds it again if its supervisor dies. */
  get treeTag(): string {
    return this.tag;
  }

  /** Aborted once the process has ended. */
  get ended(): AbortSignal {
    return this.exitSignal.signal;
  }

  /** Starts it; resolves once it has a pid (or could not start: status `error`). */
  async start(): Promise<void> {
    const env = { ...this.options.env, [TREE_TAG_VARIABLE]: this.tag };
    let spawned;
    try {
      spawned = await spawnCommand(this.spec, { cwd: this.options.cwd, env });
    } catch (error) {
      this.startError = error as Error;
      this.statusValue = "error";
      this.log.append("stderr", (error as Error).message);
      this.finish({ exitCode: null, signal: null });
      return;
    }
    this.pidValue = spawned.pid;
    this.statusValue = "running";
    const lastLines = ([["stdout", spawned.stdout], ["stderr", spawned.stderr]] as const).map(([stream, readable]) => {
      const onOutput = this.options.onOutput;
      if (onOutput) readable.on("data", (chunk: Buffer) => onOutput(stream, chunk.toString()));
      return pipeLines(readable, (lines) => this.log.appendLines(stream, lines));
    });
    const timer = this.options.timeout === undefined ? undefined : setTimeout(() => void this.kill("SIGTERM"), timerDelay(this.options.timeout));
    timer?.unref();
    void spawned.exit.then((status) => {
      if (timer) clearTimeout(timer);
      // Its last line without a newline is in its log by its end, even while a descendant holds its pipes.
      for (const last of lastLines) last();
      this.finish(status);
    });
  }

  async getStatus(): Promise<ProcessStatus> {
    return this.statusValue;
  }

  async getLogs(): Promise<ProcessLogs> {
    return logsOf(this.log);
  }

  /** Ends the whole tree: the process, its group, its descendants; once it has ended, what it left running. */
  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.pidValue === undefined) return;
    if (this.exitValue !== undefined) {
      await killTagged({ trees: [this.tag] }, { signal, gracePeriodMs: KILL_GRACE_PERIOD_MS });
      return;
    }
    this.killedOnPurpose = true;
    await killTree(this.pidValue, { signal, gracePeriodMs: signal === "SIGKILL" ? 0 : KILL_GRACE_PERIOD_MS, tag: this.tag });
    await this.exited;
  }

  waitForExit(timeout?: number | WaitOptions): Promise<ExitResult> {
    return waitForExitOf(this.waitTarget(), timeout);
  }

  waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
    return waitForPortOf(this.waitTarget(), port, options);
  }

  waitForLog(pattern: string | RegExp, timeout?: number | WaitOptions): Promise<WaitForLogResult> {
    return waitForLogOf(this.waitTarget(), pattern, timeout);
  }

  private waitTarget(): WaitTarget {
    return {
      id: this.id,
      command: this.command,
      log: this.log,
      exited: this.exited,
      cwd: this.options.cwd,
      env: this.options.env,
      exit: () => this.exitValue,
    };
  }

  /** Records the end: status, exit code, callbacks, and every wait released. */
  private finish(status: ExitStatus): void {
    if (this.exitValue) return;
    this.exitValue = status;
    if (this.statusValue !== "error") {
      this.statusValue = this.killedOnPurpose || status.signal !== null ? "killed" : status.exitCode === 0 ? "completed" : "failed";
    }
    this.options.onExit?.(status.exitCode);
    this.exitSignal.abort();
    this.resolveExited(status);
  }
}
