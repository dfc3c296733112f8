/** The public shapes of the Sandbox API: the seeds' SDK's, on the local machine. */

import type { ExecResultView, ProcessEventView, ProcessLogsView, ProcessStatus } from "../protocol/views.js";

/** `starting` until it has a pid; `completed` exit 0; `failed` non-zero; `killed` by a signal, killProcess or its timeout; `error` could not start. */
export type { ProcessStatus };

export interface StartProcessOptions {
  /** An id of your own to find the process by; default: a generated one. Must be unique in the sandbox. */
  processId?: string;
  /** Working directory; default: the sandbox's. */
  cwd?: string;
  /** Variables added to the sandbox's environment. */
  env?: Record<string, string | undefined>;
  /** Kill the process (its whole tree) after this many milliseconds. */
  timeout?: number;
  /** Remove the process's record a while after it ends (default true); false keeps it until destroy(). */
  autoCleanup?: boolean;
  /** Called with each chunk of output, as text, as it arrives. */
  onOutput?: (stream: "stdout" | "stderr", data: string) => void;
  /** Called once when the process ends: its exit code (128 + the signal's number when a signal ended it). */
  onExit?: (exitCode: number | null) => void;
  /** Called once the process runs (it has a pid), before startProcess resolves. */
  onStart?: (process: Process) => void;
  /** Called when the process cannot start (its status is then `error`), or when one of these callbacks throws. */
  onError?: (error: Error) => void;
  /** How its output is decoded to text: `utf8` (default), `utf16le`, `latin1` or `ascii` (and their aliases `utf-8`, `utf-16le`, `ucs2`, `binary`). */
  encoding?: string;
}

export interface ExitResult {
  /** As a shell reports it: 128 + the signal's number when a signal ended it (143 for SIGTERM); null when it could not start. */
  exitCode: number | null;
  /** sbx's: the signal that ended it. */
  signal: NodeJS.Signals | null;
}

export type ProcessLogs = ProcessLogsView;

/** getProcessLogs()'s answer, as the SDK's: the logs and whose they are. */
export interface ProcessLogsResult extends ProcessLogs {
  processId: string;
}

/** The options of startProcess, under the SDK's name. */
export type ProcessOptions = StartProcessOptions;

/** exposePort()'s answer: a URL that reaches the port from this machine. */
export interface PortExposeResult {
  url: string;
  port: number;
  name?: string;
}

/** A port exposePort() made known, as getExposedPorts() lists it. */
export interface ExposedPort extends PortExposeResult {
  status: "active";
}

/** exposePort()'s options: the SDK's; sbx uses `name`, and reaches every port through localhost whatever `hostname` or `token` say. */
export interface ExposePortOptions {
  name?: string;
  hostname?: string;
  token?: string;
}

export interface WaitOptions {
  /** Milliseconds; none by default, as the SDK's: a wait ends when its condition is met or the process ends. */
  timeout?: number;
  /** Abandons the wait (the process keeps running). */
  signal?: AbortSignal;
}

export interface WaitForPortOptions extends WaitOptions {
  /** `http` (default, as in the seeds): a GET that answers with an expected status; `tcp`: a connection. */
  mode?: "http" | "tcp";
  /** The path to GET; default `/`. */
  path?: string;
  /** The status that means ready: a number, or `{ min, max }`; default any from 200 to 399. */
  status?: number | { min: number; max: number };
  /** Milliseconds between probes; default 100 (the SDK's 500: a local probe costs little, and readiness is seen sooner). */
  interval?: number;
  /** Default `localhost`, as the SDK's: 127.0.0.1 and ::1 both. */
  host?: string;
}

export interface WaitForLogResult {
  /** The line that matched. */
  line: string;
  /** For a RegExp, its match with capture groups; for a string, null. */
  match: RegExpExecArray | null;
}

/**
 * One event of streamProcessLogs, as parseSSEStream yields it: `process_info` first (`command`,
 * `status`), then the output's `stdout` and `stderr` chunks, then `exit`. A reader that fell too far
 * behind gets `lagged` and the stream ends (`resume` is the lastEventId to go on with); one that
 * resumes after output no longer in memory gets `gap` (`from`, `to`, `skipped`) first.
 */
export type LogEvent = ProcessEventView;

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kill it after this many milliseconds. */
  timeout?: number;
  /** Text encoding of the output (utf8 default). */
  encoding?: BufferEncoding;
  /** Call `onOutput` with each chunk as it comes, and `onComplete` with the result (as the SDK's `stream: true`). */
  stream?: boolean;
  onOutput?: (stream: "stdout" | "stderr", data: string) => void;
  onComplete?: (result: ExecResult) => void;
  /** Called when the command could not be run (it could not start, or `signal` aborted it). */
  onError?: (error: Error) => void;
  /** Aborting it kills the command's whole tree; exec then rejects. */
  signal?: AbortSignal;
}

export type ExecResult = ExecResultView;

/** A process as plain data: what JSON.stringify(process) gives, and console.log shows. */
export interface ProcessData {
  id: string;
  pid: number | undefined;
  command: string;
  status: ProcessStatus;
  exitCode: number | null;
  startTime: Date;
  endTime?: Date;
}

/** A process started in a sandbox. */
export interface Process {
  readonly id: string;
  /** Undefined only when it could not be started (status `error`). */
  readonly pid: number | undefined;
  readonly command: string;
  readonly status: ProcessStatus;
  readonly exitCode: number | null;
  readonly startTime: Date;
  /** When it ended; undefined while it runs. */
  readonly endTime?: Date | undefined;
  getStatus(): Promise<ProcessStatus>;
  getLogs(): Promise<ProcessLogs>;
  /** Ends the process and its whole tree: `signal` (default SIGTERM), then SIGKILL after a grace period. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  waitForExit(timeout?: number | WaitOptions): Promise<ExitResult>;
  waitForPort(port: number, options?: WaitForPortOptions): Promise<void>;
  /** Also matches lines printed before the call; a string matches as a substring, a RegExp per line. */
  waitForLog(pattern: string | RegExp, timeout?: number | WaitOptions): Promise<WaitForLogResult>;
}

/** What a Sandbox does: the local one (new Sandbox()) and a running project's (Sandbox.connect()) alike. */
export interface ProcessSandbox {
  startProcess(command: string | readonly string[], options?: Omit<StartProcessOptions, "onOutput" | "onExit" | "onStart" | "onError" | "encoding">): Promise<Process>;
  listProcesses(): Promise<Process[]>;
  /** The process with this id, or null when there is none (as the SDK's). */
  getProcess(id: string): Promise<Process | null>;
  killProcess(id: string, signal?: NodeJS.Signals): Promise<void>;
  killAllProcesses(signal?: NodeJS.Signals): Promise<number>;
  getProcessLogs(id: string): Promise<ProcessLogsResult>;
  /** Forgets the records of the processes that have ended; resolves with how many. */
  cleanupCompletedProcesses(): Promise<number>;
  exposePort(port: number, options?: ExposePortOptions): Promise<PortExposeResult>;
  unexposePort(port: number): Promise<void>;
  getExposedPorts(hostname?: string): Promise<ExposedPort[]>;
  /** `lastEventId` resumes after that event; `signal` ends the stream when it aborts. */
  streamProcessLogs(id: string, options?: { lastEventId?: string; signal?: AbortSignal }): Promise<ReadableStream<Uint8Array>>;
  exec(command: string | readonly string[], options?: ExecOptions): Promise<ExecResult>;
  destroy(): Promise<void>;
}
