import type { Service } from "../manifest/types.js";
import { exitedBadly, notReadyInRun, notReadySinceFirstStart, timedOut, unhealthy, watchdogSilent, type Failure } from "./failures.js";
import { nextDelay, shouldRestart } from "./restart-policy.js";
import type { RunEnd } from "./run-end.js";

/** A run that ended on its own, or was ended for not being ready in time or for its `timeout`. */
export type FinishedRun = Exclude<RunEnd, { kind: "stop" }>;

export interface RunRecord {
  end: FinishedRun;
  uptimeMs: number;
  /** Restarts made before this run ended. */
  restarts: number;
  /** The delay before the last restart, which the backoff doubles. */
  previousDelayMs: number | undefined;
  /** What is left of the ready timeout since the wait began; undefined without a ready check, or once it was ready. */
  readyTimeLeftMs: number | undefined;
}

export type NextStep = { action: "restart"; delayMs: number } | { action: "complete" } | { action: "fail"; failure: Failure };

/** What follows a run, decided from its end and the service's policy alone: a restart after a delay, completion, or failure. */
export function nextStep(service: Pick<Service, "restart" | "ready" | "timeoutMs">, run: RunRecord): NextStep {
  const { end, uptimeMs, restarts } = run;
  const readyTimeoutMs = service.ready?.timeoutMs ?? 0;
  const succeeded = end.kind === "exited" && end.exitCode === 0 && (end.wasReady || !service.ready);
  const outcome = { succeeded, uptimeMs };
  // Checks that ran out of time are not tried again: the ready timeout spans the restarts.
  if (end.kind !== "not-ready" && shouldRestart(service.restart, outcome, restarts)) {
    const delayMs = nextDelay(service.restart, run.previousDelayMs, outcome);
    // The next run would start with no time left to become ready, or with less than one probe
    // interval: too little for its checks to say anything but "not checked yet".
    if (run.readyTimeLeftMs !== undefined && run.readyTimeLeftMs <= delayMs + (service.ready?.intervalMs ?? 0)) {
      return { action: "fail", failure: notReadySinceFirstStart(readyTimeoutMs, restarts, { lastRun: failureOf(service, end, uptimeMs) }) };
    }
    return { action: "restart", delayMs };
  }
  if (succeeded) return { action: "complete" };
  if (end.kind === "not-ready" && restarts > 0) return { action: "fail", failure: notReadySinceFirstStart(readyTimeoutMs, restarts, { reasons: end.reasons }) };
  return { action: "fail", failure: failureOf(service, end, uptimeMs) };
}

function failureOf(service: Pick<Service, "ready" | "timeoutMs">, end: FinishedRun, uptimeMs: number): Failure {
  switch (end.kind) {
    case "exited":
      return exitedBadly(end.exitCode, end.signal, service.ready !== undefined && !end.wasReady);
    case "not-ready":
      return notReadyInRun(uptimeMs, end.reasons);
    case "timed-out":
      return timedOut(service.timeoutMs ?? 0);
    case "unhealthy":
      return unhealthy(end.reasons);
    case "watchdog":
      return watchdogSilent(end.periodMs);
  }
}
