import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { defaults } from "../defaults.js";
import { SbxError } from "../errors.js";
import type { Command } from "../manifest/types.js";
import type { EndKind } from "../process/child-end.js";
import { runChild, type Child } from "../process/child-runner.js";
import { OutputCapture } from "../process/output-capture.js";
import { ServiceLog } from "../process/service-log.js";
import { outputEventStream } from "./log-event-stream.js";
import { waitForExitOf, waitForLogOf, waitForPortOf, type WaitTarget } from "./waits.js";
import type { ExitResult, Process, ProcessLogs, ProcessStatus, StartProcessOptions, WaitForLogResult, WaitForPortOptions, WaitOptions } from "./types.js";

/** How long killProcess waits after its signal before SIGKILL. */
export const KILL_GRACE_PERIOD_MS = defaults.killGracePeriodMs;

/** Why a process ended: how its child did (see EndKind), or that it could not be started at all. */
export type ProcessEndKind = EndKind | "spawn-failed";

/** The SDK's status of a process that has ended, from why it ended: never from what a message says. */
export function statusOfEnd(kind: ProcessEndKind, exitCode: number | null): ProcessStatus {
  switch (kind) {
    case "spawn-failed":
      return "error";
    case "exited":
      return exitCode === 0 ? "completed" : "failed";
    case "signalled":
    case "timed-out":
    case "stopped":
      return "killed";
  }
}

/** The encodings a process's output may be decoded with (the text ones of Node.js), by every name they go by. */
const ENCODINGS: Readonly<Record<string, BufferEncoding>> = {
  utf8: "utf8",
  "utf-8": "utf8",
  utf16le: "utf16le",
  "utf-16le": "utf16le",
  ucs2: "utf16le",
  "ucs-2": "utf16le",
  latin1: "latin1",
  binary: "latin1",
  ascii: "ascii",
};

function outputEncoding(name: string | undefined): BufferEncoding {
  if (name === undefined) return "utf8";
  const encoding = ENCODINGS[name.toLowerCase()];
  if (encoding === undefined) throw new SbxError("USAGE", `startProcess: encoding ${JSON.stringify(name)} is not supported: use one of ${Object.keys(ENCODINGS).join(", ")}`);
  return encoding;
}

/** The SDK's data fields of a Process: what JSON.stringify, console.log and util.inspect show of one. */
export interface ProcessData {
  id: string;
  pid: number | undefined;
  command: string;
  status: ProcessStatus;
  startTime: Date;
  endTime: Date | undefined;
  exitCode: number | null;
}

export type LocalProcessOptions = StartProcessOptions & {
  cwd: string;
  /** Its whole environment. */
  env: Record<string, string>;
  /** The bound of each stream's output kept in memory (defaults.processOutputBytes). */
  maxOutputBytes?: number;
};

/**
 * A process the local Sandbox started: its status, its output, its waits. It runs on the engine's
 * own runner (process/child-runner.ts). Everything but the SDK's data fields is private: a
 * process serialised (JSON, console.log) shows those and nothing else — never its environment.
 */
export class LocalProcess implements Process {
  readonly #id: string;
  readonly #command: string;
  readonly #spec: Command;
  readonly #options: LocalProcessOptions;
  readonly #encoding: BufferEncoding;
  readonly #startTime = new Date();
  readonly #tag = `process.${randomUUID()}`;
  readonly #log: ServiceLog;
  readonly #output: OutputCapture;
  readonly #ended = new AbortController();
  readonly #exited: Promise<ExitResult>;
  #resolveExited!: (result: ExitResult) => void;
  #status: ProcessStatus = "starting";
  #child?: Child;
  #exit?: ExitResult;
  #endTime?: Date;
  #startError?: Error;

  /** Throws an SbxError (USAGE) for an encoding it cannot decode. */
  constructor(id: string, command: string, spec: Command, options: LocalProcessOptions) {
    this.#id = id;
    this.#command = command;
    this.#spec = spec;
    this.#options = options;
    this.#encoding = outputEncoding(options.encoding);
    this.#log = new ServiceLog(id, undefined, defaults.logTailLines);
    this.#output = new OutputCapture(options.maxOutputBytes ?? defaults.processOutputBytes);
    this.#exited = new Promise((resolve) => (this.#resolveExited = resolve));
  }

  get id(): string {
    return this.#id;
  }

  get command(): string {
    return this.#command;
  }

  get startTime(): Date {
    return this.#startTime;
  }

  /** Undefined only when it could not be started (status `error`). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get status(): ProcessStatus {
    return this.#status;
  }

  /** As a shell reports it: 128 + the signal's number when a signal ended it; null while it runs, or when it could not start. */
  get exitCode(): number | null {
    return this.#exit?.exitCode ?? null;
  }

  get endTime(): Date | undefined {
    return this.#endTime;
  }

  /** Why it could not start, when its status is `error`. */
  get error(): Error | undefined {
    return this.#startError;
  }

  /** Its lines: what lastLines and waitForLog read. */
  get log(): ServiceLog {
    return this.#log;
  }

  /** The SBX_TREE_ID its whole tree carries: what finds it again if its supervisor dies. */
  get treeTag(): string {
    return this.#tag;
  }

  /** Aborted once the process has ended. */
  get ended(): AbortSignal {
    return this.#ended.signal;
  }

  /** The SDK's data fields, and nothing else. */
  toJSON(): ProcessData {
    return { id: this.#id, pid: this.pid, command: this.#command, status: this.#status, startTime: this.#startTime, endTime: this.#endTime, exitCode: this.exitCode };
  }

  [inspect.custom](): ProcessData {
    return this.toJSON();
  }

  /** Starts it; resolves once it has a pid (or could not start: status `error`, and onError told). */
  async start(): Promise<void> {
    const options = this.#options;
    try {
      this.#child = await runChild(this.#spec, {
        cwd: options.cwd,
        env: options.env,
        tag: this.#tag,
        encoding: this.#encoding,
        onLines: (stream, lines) => this.#log.appendLines(stream, lines),
        onText: (stream, text) => {
          this.#output.append(stream, text);
          if (options.onOutput) this.#call(() => options.onOutput?.(stream, text));
        },
        ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
        gracePeriodMs: KILL_GRACE_PERIOD_MS,
      });
    } catch (error) {
      const reason = error as Error;
      this.#startError = reason;
      this.#output.append("stderr", `${reason.message}\n`);
      this.#log.append("stderr", reason.message);
      this.#finish("spawn-failed", { exitCode: null, signal: null });
      this.#tell(reason);
      return;
    }
    this.#status = "running";
    void this.#child.end.then((end) => this.#finish(end.kind, { exitCode: end.exitCode, signal: end.status.signal }));
    if (options.onStart) this.#call(() => options.onStart?.(this));
  }

  async getStatus(): Promise<ProcessStatus> {
    return this.#status;
  }

  /** What it wrote, exactly: the newest bytes of each stream (1 MiB each by default). */
  async getLogs(): Promise<ProcessLogs> {
    return { stdout: this.#output.text("stdout"), stderr: this.#output.text("stderr") };
  }

  /** Its output as the SDK's stream of Server-Sent Events (see outputEventStream). */
  logStream(options: { lastEventId?: string; signal?: AbortSignal } = {}): ReadableStream<Uint8Array> {
    const afterSeq = Number.parseInt(options.lastEventId ?? "0", 10) || 0;
    const subject = { processId: this.#id, command: this.#command, status: () => this.#status };
    return outputEventStream(subject, this.#output, this.#exited, { afterSeq, ...(options.signal ? { signal: options.signal } : {}) });
  }

  /** Ends the whole tree: the process, its group, its descendants; once it has ended, what it left running. */
  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (!this.#child) return;
    await this.#child.stop(signal);
    await this.#exited;
  }

  waitForExit(timeout?: number | WaitOptions): Promise<ExitResult> {
    return waitForExitOf(this.#waitTarget(), timeout);
  }

  waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
    return waitForPortOf(this.#waitTarget(), port, options);
  }

  waitForLog(pattern: string | RegExp, timeout?: number | WaitOptions): Promise<WaitForLogResult> {
    return waitForLogOf(this.#waitTarget(), pattern, timeout);
  }

  #waitTarget(): WaitTarget {
    return {
      id: this.#id,
      command: this.command,
      log: this.#log,
      exited: this.#exited,
      cwd: this.#options.cwd,
      env: this.#options.env,
      exit: () => this.#exit,
    };
  }

  /** Records the end: status from its kind, end time, onExit, and every wait released. */
  #finish(kind: ProcessEndKind, exit: ExitResult): void {
    if (this.#exit) return;
    this.#exit = exit;
    this.#endTime = new Date();
    this.#status = statusOfEnd(kind, exit.exitCode);
    const onExit = this.#options.onExit;
    if (onExit && kind !== "spawn-failed") this.#call(() => onExit(exit.exitCode));
    this.#ended.abort();
    this.#resolveExited(exit);
  }

  /** Runs a callback of the user's: what it throws goes to onError, never into sbx's own work. */
  #call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#tell(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Tells onError, or, without one (or if it throws), a warning. */
  #tell(error: Error): void {
    const onError = this.#options.onError;
    try {
      if (onError) return onError(error);
    } catch (thrown) {
      error = thrown instanceof Error ? thrown : new Error(String(thrown));
    }
    // A process that could not start says so through its status; only a callback's fault is news.
    if (onError || error !== this.#startError) process.emitWarning(`process "${this.#id}": ${error.message}`, "SbxWarning");
  }
}
