import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { toCommand } from "../manifest/normalise.js";
import { ProcessExistsError, ProcessNotFoundError } from "./errors.js";
import { killTagged } from "../process/kill-tree.js";
import { KILL_GRACE_PERIOD_MS, LocalProcess } from "./local-process.js";
import { RemoteSandbox } from "./remote-sandbox.js";
import type { ExecOptions, ExecResult, Process, ProcessLogs, ProcessSandbox, StartProcessOptions } from "./types.js";

export interface SandboxOptions {
  /** Where processes run unless they say otherwise; default: the current directory. */
  cwd?: string;
  /** Variables every process gets, on top of this process's environment. */
  env?: Record<string, string | undefined>;
  /** How long a finished process's record stays with autoCleanup; default 60 s. */
  recordTtlMs?: number;
  /** What getLogs, getProcessLogs and exec keep of each process: the newest this many bytes of stdout, and as many of stderr; default 1 MiB. */
  maxOutputBytes?: number;
}

/**
 * The seeds' process API on the local machine: start processes, wait until they are ready, read
 * and stream their output, kill whole process trees. Every process it started is killed by
 * destroy(), and, if this Node.js process exits first, by an exit hook.
 */
export class Sandbox implements ProcessSandbox {
  private readonly processes = new Map<string, LocalProcess>();
  /** The tree tag of every process started: a finished one may have left a daemon behind, which destroy() ends. */
  private readonly treeTags = new Set<string>();
  private readonly cwd: string;
  private readonly recordTtlMs: number;
  private readonly onExit = (): void => this.killSynchronously();

  constructor(private readonly options: SandboxOptions = {}) {
    this.cwd = resolve(options.cwd ?? process.cwd());
    this.recordTtlMs = options.recordTtlMs ?? 60_000;
    process.on("exit", this.onExit);
  }

  /**
   * The same interface over a running project's control API (`sbx up`, `sbx up -d`, up()): its
   * services are processes named after them; processes started through it run in its supervisor.
   */
  static connect(projectDir: string): RemoteSandbox {
    return RemoteSandbox.connect(resolve(projectDir));
  }

  /** Starts `command` (a string through /bin/sh -c, or an argument list); resolves once it has a pid. */
  async startProcess(command: string | readonly string[], options: StartProcessOptions = {}): Promise<Process> {
    const id = options.processId ?? `proc-${randomUUID().slice(0, 8)}`;
    if (this.processes.has(id)) throw new ProcessExistsError(id);
    const text = typeof command === "string" ? command : command.join(" ");
    const env = mergeEnv(process.env, this.options.env, options.env);
    const managed = new LocalProcess(id, text, toCommand(typeof command === "string" ? command : [...command]), {
      ...options,
      cwd: resolve(this.cwd, options.cwd ?? "."),
      env,
      ...(this.options.maxOutputBytes === undefined ? {} : { maxOutputBytes: this.options.maxOutputBytes }),
    });
    this.processes.set(id, managed);
    this.treeTags.add(managed.treeTag);
    await managed.start();
    if (options.autoCleanup !== false) {
      managed.ended.addEventListener("abort", () => {
        setTimeout(() => {
          if (this.processes.get(id) === managed) this.processes.delete(id);
        }, this.recordTtlMs).unref();
      });
    }
    return managed;
  }

  /** Every process this sandbox knows: running ones, and finished ones until their record is cleaned up. */
  async listProcesses(): Promise<Process[]> {
    return [...this.processes.values()];
  }

  /** The processes still running, with their tree tags: what a supervisor records to reap them after a crash. */
  runningProcesses(): { id: string; pid: number; tag: string }[] {
    return [...this.processes.values()].flatMap((p) => (p.status === "running" && p.pid !== undefined ? [{ id: p.id, pid: p.pid, tag: p.treeTag }] : []));
  }

  /** The process with this id; rejects with ProcessNotFoundError. */
  async getProcess(id: string): Promise<Process> {
    return this.find(id);
  }

  /** Ends the process and its whole tree: `signal` (default SIGTERM), then SIGKILL after 5 s. */
  async killProcess(id: string, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.find(id).kill(signal);
  }

  /** Kills every running process; resolves with how many it killed. */
  async killAllProcesses(signal: NodeJS.Signals = "SIGTERM"): Promise<number> {
    const running = [...this.processes.values()].filter((p) => p.status === "running");
    await Promise.all(running.map((p) => p.kill(signal)));
    return running.length;
  }

  /** What the process printed so far (the last 10,000 lines, or 256 KiB of them), stdout and stderr apart. */
  async getProcessLogs(id: string): Promise<ProcessLogs> {
    return this.find(id).getLogs();
  }

  /**
   * The process's output as a stream of Server-Sent Events, as the SDK sends it: `process_info`,
   * everything written so far, then each new chunk, then an `exit` event, after which the stream
   * ends (or when `signal` aborts). Each event has an id: pass the last one seen as `lastEventId`
   * to resume after a dropped connection.
   */
  async streamProcessLogs(id: string, options: { lastEventId?: string; signal?: AbortSignal } = {}): Promise<ReadableStream<Uint8Array>> {
    return this.find(id).logStream(options);
  }

  /** Runs a command to its end: `{ exitCode, stdout, stderr, success }`. */
  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const id = `exec-${randomUUID().slice(0, 8)}`;
    const started = await this.startProcess(command, { ...options, processId: id, autoCleanup: false });
    const { exitCode } = await started.waitForExit();
    const { stdout, stderr } = await started.getLogs();
    this.processes.delete(id);
    return { exitCode, stdout, stderr, success: exitCode === 0 };
  }

  /**
   * Kills every process and forgets them all; also whatever a process left running after it
   * ended (a daemon it started), found by the tag its whole tree carries.
   */
  async destroy(): Promise<void> {
    await this.killAllProcesses("SIGTERM");
    await killTagged({ trees: [...this.treeTags] }, { gracePeriodMs: KILL_GRACE_PERIOD_MS });
    this.treeTags.clear();
    this.processes.clear();
    process.off("exit", this.onExit);
  }

  private find(id: string): LocalProcess {
    const found = this.processes.get(id);
    if (!found) throw new ProcessNotFoundError(id);
    return found;
  }

  /** On the way out of Node.js nothing asynchronous runs: SIGKILL each process group at once. */
  private killSynchronously(): void {
    for (const managed of this.processes.values()) {
      if (managed.status !== "running" || managed.pid === undefined) continue;
      try {
        process.kill(-managed.pid, "SIGKILL");
      } catch {}
    }
  }
}

function mergeEnv(...sources: (Readonly<Record<string, string | undefined>> | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) for (const [key, value] of Object.entries(source ?? {})) if (value !== undefined) out[key] = value;
  return out;
}
