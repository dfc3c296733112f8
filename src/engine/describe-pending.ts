import { describeExit } from "./describe-exit.js";
import type { ServiceState } from "./service-state.js";

/**
 * Why a service is not ready yet, in words, for a wait that ran out of time:
 * `api: running, not ready: tcp 127.0.0.1:8080: connection refused (2 restarts)`.
 */
export function describePending(state: ServiceState): string {
  const restarts = state.restarts === 0 ? "" : ` (${state.restarts === 1 ? "1 restart" : `${state.restarts} restarts`})`;
  return `${state.name}: ${what(state)}${restarts}`;
}

function what(state: ServiceState): string {
  switch (state.status) {
    case "created":
      return "not started yet";
    case "waiting":
      return `waiting for ${(state.waitingOn ?? []).join(", ") || "its dependencies"}`;
    case "starting":
      return "starting";
    case "running":
      return state.unready && state.unready.length > 0 ? `running, not ready: ${state.unready.join("; ")}` : "running, not ready yet";
    case "exited":
    case "restarting":
      return `${describeExit(state.exitCode ?? null, state.signal ?? null)}, ${state.status === "restarting" ? "restarting" : "exited"}`;
    default:
      return state.status;
  }
}
