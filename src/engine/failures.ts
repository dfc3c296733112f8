import { formatDuration } from "../manifest/duration.js";
import { describeExit } from "./describe-exit.js";
import type { FailureReason } from "./events.js";

/** A failure as the runner finds it; the service's last lines are added when it is told. */
export type Failure = Omit<FailureReason, "lastLines">;

// Every failure's words are made here, from its kind and its facts: the runner only picks one.

export function portTaken(service: string, port: number, holder: string): Failure {
  return { kind: "port-taken", message: `port ${port} is already in use by ${holder}: stop it, or give ${service} another port` };
}

export function spawnFailed(error: Error): Failure {
  return { kind: "spawn-failed", message: `could not start: ${error.message}` };
}

/** A run that ended on its own, not as it should: a non-zero code, a signal, or any exit before it was ready. */
export function exitedBadly(exitCode: number | null, signal: NodeJS.Signals | null, beforeReady: boolean): Failure {
  return { kind: "exited", message: `${describeExit(exitCode, signal)}${beforeReady ? " before it was ready" : ""}`, exitCode, signal };
}

/** The first run's checks did not pass within the ready timeout. */
export function notReadyInRun(uptimeMs: number, reasons: readonly string[]): Failure {
  return { kind: "not-ready", message: `not ready after ${Math.round(uptimeMs)} ms: ${reasons.join("; ")}` };
}

/**
 * The ready timeout, counted from the first start across restarts, ran out: during a run (`why`
 * is then its checks' last failures) or between two, `lastRun` telling how the last one ended.
 */
export function notReadySinceFirstStart(readyTimeoutMs: number, restarts: number, why: { reasons: readonly string[] } | { lastRun: Failure }): Failure {
  const since = `not ready within ${formatDuration(readyTimeoutMs)} of its first start, after ${restarts === 1 ? "1 restart" : `${restarts} restarts`}`;
  if ("reasons" in why) return { kind: "not-ready", message: `${since}: ${why.reasons.join("; ")}` };
  const { exitCode, signal, message } = why.lastRun;
  return { kind: "not-ready", message: `${since}: its last run ${message}`, ...(exitCode === undefined ? {} : { exitCode }), ...(signal === undefined ? {} : { signal }) };
}

export function watchdogSilent(periodMs: number): Failure {
  return { kind: "watchdog", message: `no WATCHDOG=1 within its watchdog of ${formatDuration(periodMs)}: ended` };
}

export function timedOut(timeoutMs: number): Failure {
  return { kind: "timed-out", message: `stopped after its timeout of ${timeoutMs} ms` };
}

/** Its health checks failed `retries` times in a row after it was ready. */
export function unhealthy(reasons: readonly string[]): Failure {
  return { kind: "unhealthy", message: `unhealthy: ${reasons.join("; ")}` };
}
