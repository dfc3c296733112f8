import { combineLatest, filter, map, take, type Observable } from "rxjs";
import type { Dependency } from "../manifest/types.js";
import type { FailureReason } from "./events.js";
import { isFinalStatus, type ServiceState } from "./service-state.js";

export type Verdict = { met: true } | { met: false; pending: true } | { met: false; pending: false; reason: FailureReason };

/** Whether a dependency's condition holds, may still hold, or never will. */
export function judgeCondition(dep: Dependency, state: ServiceState | undefined): Verdict {
  if (!state) return { met: false, pending: true };
  const met =
    dep.condition === "service_started" ? state.everRunning : dep.condition === "service_healthy" ? state.everReady : state.status === "completed";
  if (met) return { met: true };
  if (!isFinalStatus(state.status)) return { met: false, pending: true };
  const wanted = { service_started: "to start", service_healthy: "to be ready", service_completed_successfully: "to complete successfully" }[dep.condition];
  const why = state.reason ? `: ${state.reason.message}` : state.status === "completed" ? ": it exited before it was ready" : ` (it is ${state.status})`;
  return {
    met: false,
    pending: false,
    reason: { kind: "dependency", message: `dependency ${dep.service} failed ${wanted}${why}`, lastLines: state.reason?.lastLines ?? [] },
  };
}

/** Thrown into a waiting service's stream when a dependency can no longer meet its condition. */
export class DependencyFailedError extends Error {
  constructor(readonly reason: FailureReason) {
    super(reason.message);
    this.name = "DependencyFailedError";
  }
}

/** Emits once when `dep`'s condition holds; errors with DependencyFailedError when it never will. */
export function conditionMet$(states$: Observable<ReadonlyMap<string, ServiceState>>, dep: Dependency): Observable<void> {
  return states$.pipe(
    map((states) => judgeCondition(dep, states.get(dep.service))),
    filter((verdict) => verdict.met || !verdict.pending),
    take(1),
    map((verdict) => {
      if (!verdict.met && !verdict.pending) throw new DependencyFailedError(verdict.reason);
    }),
  );
}

/** Emits once when every one of `deps`' conditions holds; errors with DependencyFailedError as soon as one never will. */
export function allConditionsMet$(states$: Observable<ReadonlyMap<string, ServiceState>>, deps: readonly Dependency[]): Observable<void> {
  return combineLatest(deps.map((dep) => conditionMet$(states$, dep))).pipe(
    take(1),
    map(() => undefined),
  );
}
