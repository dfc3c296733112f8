import type { ServiceState } from "./service-state.js";

/** Why a service is not ready and will not be by itself: what a wait for it says, and its last lines. */
export interface ServiceFailure {
  service: string;
  message: string;
  lastLines: string[];
}

/**
 * A service that failed, was not started, or (for a wait on its current run) was stopped, told in
 * the words of `sbx up --wait`: `api failed: exited with code 3 before it was ready`. Undefined for
 * any other status.
 */
export function failureOf(state: ServiceState): ServiceFailure | undefined {
  const verb = state.status === "failed" ? "failed" : state.status === "skipped" ? "was not started" : state.status === "stopped" ? "was stopped before it was ready" : undefined;
  if (verb === undefined) return undefined;
  return { service: state.name, message: `${state.name} ${verb}: ${state.reason?.message ?? state.status}`, lastLines: state.reason?.lastLines ?? [] };
}
