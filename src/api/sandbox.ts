import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { toCommand } from "../manifest/command.js";
import { defaultShell, toShell, type ShellSetting } from "../manifest/shell.js";
import type { Shell } from "../manifest/types.js";
import { ProcessExistsError, ProcessNotFoundError } from "./errors.js";
import { killTagged } from "../process/kill-tree.js";
import { KILL_GRACE_PERIOD_MS, LocalProcess } from "./local-process.js";
import { RemoteSandbox } from "./remote-sandbox.js";
import { sdkExitCode } from "./exit-code.js";
import { ExposedPorts } from "./exposed-ports.js";
import type {
  ExecOptions,
  ExecResult,
  ExposedPort,
  ExposePortOptions,
  PortExposeResult,
  Process,
  ProcessLogsResult,
  ProcessSandbox,
  StartProcessOptions,
} from "./types.js";

export interface SandboxOptions {
  /** Where processes run unless they say otherwise; default: the current directory. */
  cwd?: string;
  /** Variables every process gets, on top of this process's environment. */
  env?: Record<string, string | undefined>;
  /** How long a finished process's record stays with autoCleanup; default 60 s. */
  recordTtlMs?: number;
  /** What getLogs, getProcessLogs and exec keep of each process: the newest this many bytes of stdout, and as many of stderr; default 1 MiB. */
  maxOutputBytes?: number;
  /** The SDK's: keeps its container alive. A local sandbox lives as long as this program, until destroy(): accepted, and nothing more. */
  keepAlive?: boolean;
  /**
   * What runs command strings, as the manifest's `shell`: a program, run as `PROGRAM -c SCRIPT`
   * (`"/bin/sh"`), or the program and its options, the script added last (`["bash", "-eo", "pipefail", "-c"]`).
   * Default: bash, as the seeds' SDK (or /bin/sh where bash is not installed).
   */
  shell?: ShellSetting;
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
  private readonly exposed = new ExposedPorts();
  private readonly shell: Shell;
  private readonly onExit = (): void => this.killSynchronously();

  constructor(private readonly options: SandboxOptions = {}) {
    this.cwd = resolve(options.cwd ?? process.cwd());
    this.recordTtlMs = options.recordTtlMs ?? 60_000;
    this.shell = options.shell === undefined ? defaultShell() : toShell(options.shell);
    process.on("exit", this.onExit);
  }

  /**
   * The same interface over a running project's control API (`sbx up`, `sbx up -d`, up()): its
   * services are processes named after them; processes started through it run in its supervisor.
   * `name` reaches a project given a name of its own (`sbx -p NAME`, up()'s `name`).
   */
  static connect(projectDir: string, options: { name?: string } = {}): RemoteSandbox {
    return RemoteSandbox.connect(resolve(projectDir), options);
  }

  /** Starts `command` (a string through the shell, bash -c by default, or an argument list); resolves once it has a pid. */
  async startProcess(command: string | readonly string[], options: StartProcessOptions = {}): Promise<Process> {
    const id = options.processId ?? `proc-${randomUUID().slice(0, 8)}`;
    if (this.processes.has(id)) throw new ProcessExistsError(id);
    const text = typeof command === "string" ? command : command.join(" ");
    const env = mergeEnv(process.env, this.options.env, options.env);
    const managed = new LocalProcess(id, text, toCommand(typeof command === "string" ? command : [...command], this.shell), {
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

  /** The process with this id, or null when there is none (as the SDK's). */
  async getProcess(id: string): Promise<Process | null> {
    return this.processes.get(id) ?? null;
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
  async getProcessLogs(id: string): Promise<ProcessLogsResult> {
    return { ...(await this.find(id).getLogs()), processId: id };
  }

  /** Forgets the records of the processes that have ended (their daemons are still ended by destroy()); resolves with how many. */
  async cleanupCompletedProcesses(): Promise<number> {
    let count = 0;
    for (const [id, managed] of this.processes) {
      if (managed.ended.aborted) {
        this.processes.delete(id);
        count++;
      }
    }
    return count;
  }

  /** A URL that reaches `port` from this machine: `http://localhost:PORT/` (the SDK's preview URL, locally). */
  async exposePort(port: number, options: ExposePortOptions = {}): Promise<PortExposeResult> {
    return this.exposed.expose(port, options);
  }

  async unexposePort(port: number): Promise<void> {
    this.exposed.unexpose(port);
  }

  /** The ports exposePort() made known. */
  async getExposedPorts(_hostname?: string): Promise<ExposedPort[]> {
    return this.exposed.list();
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

  /**
   * Runs a command to its end: the SDK's `{ success, exitCode, stdout, stderr, command, duration,
   * timestamp }`. With `stream`, `onOutput` hears each chunk as it comes and `onComplete` the
   * result; `signal` aborts it (its whole tree is killed, and exec rejects).
   */
  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { signal, onOutput, onComplete, onError, stream, ...processOptions } = options;
    const id = `exec-${randomUUID().slice(0, 8)}`;
    const begun = Date.now();
    const fail = (error: Error): Error => {
      onError?.(error);
      return error;
    };
    if (signal?.aborted) throw fail(new Error("Operation was aborted", { cause: signal.reason }));
    const started = await this.startProcess(command, {
      ...processOptions,
      processId: id,
      autoCleanup: false,
      ...(stream && onOutput ? { onOutput } : {}),
    });
    const abort = (): void => void started.kill("SIGKILL");
    signal?.addEventListener("abort", abort, { once: true });
    try {
      const { exitCode, signal: endedBy } = await started.waitForExit();
      if (signal?.aborted) throw fail(new Error("Operation was aborted", { cause: signal.reason }));
      if (started.status === "error") throw fail(new Error(`could not start ${started.command}: ${(await started.getLogs()).stderr.trim()}`));
      const { stdout, stderr } = await started.getLogs();
      const code = sdkExitCode(exitCode, endedBy);
      const result: ExecResult = { success: code === 0, exitCode: code, stdout, stderr, command: started.command, duration: Date.now() - begun, timestamp: new Date(begun).toISOString() };
      if (stream) onComplete?.(result);
      return result;
    } finally {
      signal?.removeEventListener("abort", abort);
      this.processes.delete(id);
    }
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
