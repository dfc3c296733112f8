/**
 * What the control API sends: the wire's own shapes, which the CLI, Sandbox.connect() and any
 * other client read. The engine and the Sandbox have richer objects of their own; these are what
 * of them goes over the socket.
 */

/** A service's status on the wire. */
export type ServiceStatus =
  | "created"
  | "waiting"
  | "starting"
  | "running"
  | "ready"
  | "exited"
  | "restarting"
  | "completed"
  | "failed"
  | "skipped"
  | "stopping"
  | "stopped";

/** One row of `sbx ps --json`, and of GET /v1/services. */
export interface ServiceStatusView {
  /** The instance's name: the service's own, or `api.1` for replica 1 of a service of several (`replicas`). */
  name: string;
  /** The service of the manifest it is an instance of (absent from a supervisor older than replicas: `name`). */
  service?: string;
  /** Which instance of it (its SBX_REPLICA): 0 for a service of one. */
  replica?: number;
  status: ServiceStatus;
  ready: boolean;
  pid: number | null;
  restarts: number;
  exitCode: number | null;
  /** ISO time the current (or last) run started; null before the first. */
  startedAt: string | null;
  /** Why its log file could not be written (a full disk), if it could not; its lines still reach followers. */
  logError: string | null;
  /** Its ports by name, as its current (or last) run has them (`auto` ones picked); empty when it declares none or has not started. */
  ports: Record<string, number>;
  /** `http://127.0.0.1:PORT` of its port named http, else of its first; null without ports. */
  url: string | null;
  /**
   * What its `health` checks last said once it was ready: unhealthy after `retries` failures in a
   * row, healthy when they pass again; null before they have said anything, or without checks.
   */
  health?: "healthy" | "unhealthy" | null;
  /** While it is unhealthy: each health check's last failure (`http http://127.0.0.1:8080/health: HTTP 500`). */
  healthFailures?: string[];
  /** What its current run last said of itself with STATUS= (`ready.notify`); null when nothing. */
  statusText?: string | null;
  /** What its process tree uses, when asked for (`?usage=true`); null when it does not run. */
  usage?: ServiceUsageView | null;
}

/** GET /v1/services/:name/environment: what a command run as the service (`sbx exec`) gets. */
export interface ServiceEnvironmentView {
  name: string;
  /** Its own variables as its current (or last) run has them: runtime values substituted, its port variables among them; not sbx's environment. */
  environment: Record<string, string>;
  /** Absolute. */
  workingDir: string;
  /** The user it runs as; null: sbx's own. */
  user: { uid: number; gid: number; name?: string; home?: string } | null;
}

/** CPU and memory of a service's whole process tree. */
export interface ServiceUsageView {
  /** Percent of one core since the previous request's sample (within a minute), else on average since the service started; null when unknown. */
  cpuPercent: number | null;
  /** Resident memory, summed over the tree. */
  rssBytes: number;
  /** How many processes the tree has. */
  processes: number;
}

/** Why a service is not ready: the words of `sbx up --wait`'s error, and its last lines. */
export interface ServiceFailureView {
  /** The service it is about; absent when no one service is (several not ready within the timeout). */
  service?: string;
  message: string;
  lastLines: string[];
}

/** One thing that applying a manifest did to one service. */
export interface ServiceChangeView {
  service: string;
  action: "restarted" | "started" | "stopped";
  reason: "changed" | "forced" | "new" | "was-stopped" | "had-failed" | "was-skipped" | "removed";
  /** For `changed`: the manifest keys whose values differ. */
  changed: string[];
}

/** POST /v1/apply's answer: what changed, each service launched with its status, and those already failed or not started. */
export interface ApplyView {
  changes: ServiceChangeView[];
  services: ServiceStatusView[];
  failures: ServiceFailureView[];
}

/** GET /v1/ready's answer. */
export type ReadyView = { ready: true } | { ready: false; failure: ServiceFailureView };

/** GET /v1/project. */
export interface ProjectView {
  name: string;
  dir: string;
  supervisorPid: number;
  startedAt: number;
  services: string[];
}

/** A process's status in the Sandbox API's words. */
export type ProcessStatus = "starting" | "running" | "completed" | "failed" | "killed" | "error";

/** A process as the control API sends it. */
export interface ProcessView {
  id: string;
  pid: number | null;
  command: string;
  status: ProcessStatus;
  exitCode: number | null;
  /** ISO time. */
  startTime: string;
  /** ISO time it ended; null while it runs. */
  endTime: string | null;
}

/** A process's output so far, stdout and stderr apart. */
export interface ProcessLogsView {
  stdout: string;
  stderr: string;
}

/** GET /v1/processes/ID/logs: the SDK's getProcessLogs() answer. */
export interface ProcessLogsResultView extends ProcessLogsView {
  processId: string;
}

/** POST /v1/exec's answer: the SDK's ExecResult. */
export interface ExecResultView {
  /** Whether it exited 0. */
  success: boolean;
  /** Its exit code; 128 + the signal's number for one a signal ended; 127 for a command that could not start. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The command as given. */
  command: string;
  /** Milliseconds from start to end. */
  duration: number;
  /** ISO time it started. */
  timestamp: string;
}

/** The data of a `stdout` or `stderr` event of GET /v1/logs; the event's id is `SERVICE:SEQ`. */
export interface LogLineView {
  service: string;
  stream: "stdout" | "stderr";
  text: string;
  /** Epoch milliseconds at which sbx read it. */
  time: number;
  seq: number;
}

/** An `exit` event of GET /v1/events. */
export interface ExitView {
  service: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  time: number;
}

/**
 * A `watch` event of GET /v1/events, under `sbx up --watch`: watched files changed (`files`, the
 * first ten relative to the service's working directory, of `count`; a restart follows, with
 * `dependents`, after `command` when the action is exec), or a `watch.command` failed and nothing
 * was restarted.
 */
export type WatchView =
  | { type: "files-changed"; service: string; time: number; files: string[]; count: number; action: "restart" | "exec"; command?: string; dependents: string[] }
  | { type: "watch-command-failed"; service: string; time: number; command: string; message: string; exitCode: number | null; signal: NodeJS.Signals | null; lastLines: string[] };

/**
 * A process stream's event (GET /v1/processes/ID/stream, streamProcessLogs), as the SDK's container
 * sends it: `process_info` first, then `stdout` and `stderr` chunks, then `exit`; sbx adds `gap` and
 * `lagged`.
 */
export interface ProcessEventView {
  type: "process_info" | "stdout" | "stderr" | "exit" | "gap" | "lagged";
  /**
   * The output as it was written, newlines and all (joined, a stream's events give its exact
   * output); for `exit`, `Process <status> with exit code N`; for `process_info`, empty; for `gap`
   * and `lagged`, what happened.
   */
  data: string;
  processId: string;
  /** ISO time. */
  timestamp: string;
  /** For `process_info`: the command and the status when the stream began. */
  command?: string;
  status?: ProcessStatus;
  /** For `exit`: the shell's exit code (128 + the signal's number for a signal); null when it could not start. */
  exitCode?: number | null;
  /** For `lagged`: the lastEventId to resume from. */
  resume?: string;
  /** For `gap`: the first and last chunk (or line) numbers skipped, and how many. */
  from?: number;
  to?: number;
  skipped?: number;
}
