import type { RestartPolicy } from "../manifest/types.js";

export interface RunOutcome {
  /** The run ended well: exit code 0 (and, for a service with checks, after it was ready). */
  succeeded: boolean;
  /** How long the process ran. */
  uptimeMs: number;
}

/** Whether the policy restarts a service after this run, given the restarts already made. */
export function shouldRestart(policy: RestartPolicy, outcome: RunOutcome, restartsSoFar: number): boolean {
  if (restartsSoFar >= policy.maxRestarts) return false;
  switch (policy.policy) {
    case "no":
      return false;
    case "on-failure":
      return !outcome.succeeded;
    case "always":
    case "unless-stopped":
      // Identical for sbx: a service stopped on purpose is never restarted by either.
      return true;
  }
}

/**
 * The delay before the next restart: `backoff`, doubling with each restart up to `max_backoff`;
 * a run that lasted longer than `min_uptime` was healthy for a while, so the backoff starts afresh.
 */
export function nextDelay(policy: RestartPolicy, previousDelayMs: number | undefined, outcome: RunOutcome): number {
  if (previousDelayMs === undefined || outcome.uptimeMs >= policy.minUptimeMs) return Math.min(policy.backoffMs, policy.maxBackoffMs);
  return Math.min(previousDelayMs * 2, policy.maxBackoffMs);
}
