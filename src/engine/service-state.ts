import type { FailureReason, ServiceEvent } from "./events.js";

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

/** What is known of one service: nothing but the fold of its events. */
export interface ServiceState {
  name: string;
  status: ServiceStatus;
  /** The pid of the current run's process, while it runs. */
  pid?: number;
  /** How many times it was restarted by its policy. */
  restarts: number;
  /** Runs started, the current one included. */
  runs: number;
  /** Epoch ms at which the current run's process started. */
  startedAt?: number;
  readyAt?: number;
  /** Epoch ms at which the last run's process exited; cleared when a new run starts. */
  exitedAt?: number;
  /** Epoch ms at which it came to its final status (completed, failed, skipped, stopped); cleared when it starts again. */
  endedAt?: number;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** Whether it has ever been running, ready, or completed: what dependency conditions ask. */
  everRunning: boolean;
  everReady: boolean;
  reason?: FailureReason;
  /** What it waits for before it starts (its dependencies), while it waits. */
  waitingOn?: string[];
  /** While it runs and is not ready yet: each check that has not passed, with its last failure. */
  unready?: string[];
  /**
   * What its `health` checks last said once it was ready: unhealthy after `retries` failures in a
   * row, healthy when they pass again; none before they have said anything, or without checks.
   */
  health?: "healthy" | "unhealthy";
  /** While it is unhealthy: each health check's last failure. */
  unhealthy?: string[];
  /** Why its log file could not be written, if it could not. */
  logError?: string;
  /** What its current run last said with STATUS= on its NOTIFY_SOCKET. */
  statusText?: string;
  /** Its ports by name, as its current (or last) run has them; none when it declares none. */
  ports?: Record<string, number>;
  /** `http://127.0.0.1:PORT` of its port named http, else of its first. */
  url?: string;
}

export function initialState(name: string): ServiceState {
  return { name, status: "created", restarts: 0, runs: 0, everRunning: false, everReady: false };
}

export function applyEvent(state: ServiceState, event: ServiceEvent): ServiceState {
  switch (event.type) {
    case "waiting":
      return { ...state, status: "waiting", waitingOn: event.on, endedAt: undefined };
    case "starting":
      return { ...state, status: "starting", runs: event.run, ports: event.ports, url: event.url, pid: undefined, exitedAt: undefined, endedAt: undefined, exitCode: undefined, signal: undefined, waitingOn: undefined, unready: undefined, health: undefined, unhealthy: undefined, statusText: undefined };
    case "running":
      return { ...state, status: "running", pid: event.pid, startedAt: event.time, everRunning: true };
    case "unready":
      return { ...state, unready: event.reasons };
    case "status-text":
      return { ...state, statusText: event.text };
    case "ready":
      return { ...state, status: "ready", readyAt: event.time, everReady: true, unready: undefined };
    case "unhealthy":
      return { ...state, health: "unhealthy", unhealthy: event.reasons };
    case "healthy":
      return { ...state, health: "healthy", unhealthy: undefined };
    case "exited":
      // A stop in progress stays "stopping" until the whole tree is gone.
      return { ...state, status: state.status === "stopping" ? "stopping" : "exited", pid: undefined, exitCode: event.exitCode, signal: event.signal, unready: undefined, exitedAt: state.startedAt === undefined ? undefined : state.startedAt + event.uptimeMs };
    case "restarting":
      return { ...state, status: "restarting", restarts: event.restarts };
    case "completed":
      return { ...state, status: "completed", endedAt: event.time };
    case "failed":
      return { ...state, status: "failed", reason: event.reason, endedAt: event.time };
    case "skipped":
      return { ...state, status: "skipped", reason: event.reason, endedAt: event.time };
    case "stopping":
      return { ...state, status: "stopping" };
    case "stopped":
      return { ...state, status: "stopped", pid: undefined, waitingOn: undefined, endedAt: event.time };
    case "port-taken":
      return state;
    case "log-failed":
      return { ...state, logError: `cannot write ${event.path}: ${event.message}` };
    case "updated":
      // A new definition starts from nothing: no readiness, restarts or failure of the old one
      // count for it. Its runs go on being numbered, and its log file is the same.
      return { ...initialState(state.name), runs: state.runs, ...(state.logError === undefined ? {} : { logError: state.logError }) };
    case "removed":
      return { ...state, status: "stopped", pid: undefined };
    case "files-changed":
    case "watch-command-failed":
      // Told to whoever follows the events; what the restart changes, its own events fold in.
      return state;
  }
}

// What a status means, said once: everyone who asks (the engine, the API, the CLI) asks these.

/** The statuses after which a service does nothing more on its own. */
export function isFinalStatus(status: ServiceStatus): boolean {
  return status === "completed" || status === "failed" || status === "skipped" || status === "stopped";
}

/** A process of the service is alive: running, ready, or stopping (its tree is being ended). */
export function isRunningStatus(status: ServiceStatus): boolean {
  return status === "running" || status === "ready" || status === "stopping";
}

/** It failed, or was skipped as a dependency failed: a failure, not a stop or an end. */
export function isFailedStatus(status: ServiceStatus): boolean {
  return status === "failed" || status === "skipped";
}

/** Its last process has exited and no new run is under way (one may follow after `exited`, by its policy). */
export function hasExitedStatus(status: ServiceStatus): boolean {
  return status === "exited" || isFinalStatus(status);
}

/** Ready at least once, or a one-shot job that completed: what a wait for readiness waits for. */
export function isReadyOrDone(state: ServiceState): boolean {
  return state.everReady || state.status === "completed";
}

/** Failed, skipped, or stopped before it was ever ready: a wait for it to be ready is over. */
export function endsReadyWait(state: ServiceState): boolean {
  return isFailedStatus(state.status) || (state.status === "stopped" && !state.everReady);
}
