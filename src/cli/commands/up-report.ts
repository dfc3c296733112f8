import { Subscription } from "rxjs";
import type { Orchestrator } from "../../engine/orchestrator.js";

/** What the background supervisor tells the `sbx up -d` that started it. */
export type SupervisorReport =
  | { type: "started" }
  | { type: "ready" }
  | { type: "failed"; message: string; service?: string; lastLines: readonly string[] };

/**
 * In the background supervisor: tells the parent over IPC once every service has started, then
 * once every one is ready (or which one failed). Nothing is sent without an IPC channel.
 */
export function reportToParent(orchestrator: Orchestrator): Subscription {
  const send = process.send?.bind(process);
  if (!send) return Subscription.EMPTY;
  const report = (message: SupervisorReport): void => {
    // The parent leaves as soon as it has what it waited for: a later message may find the
    // channel closing, which must not count as an error of ours.
    if (process.connected) send(message, undefined, {}, () => {});
  };
  let started = false;
  const subscription = orchestrator.states$.subscribe((states) => {
    if (started) return;
    const all = [...states.values()];
    if (all.every((s) => s.everRunning || s.status === "completed" || s.status === "failed" || s.status === "skipped")) {
      started = true;
      report({ type: "started" });
    }
  });
  orchestrator.whenReady().then(
    () => report({ type: "ready" }),
    (error: Error & { context?: { service?: string; lastLogLines?: readonly string[] } }) =>
      report({
        type: "failed",
        message: error.message,
        ...(error.context?.service ? { service: error.context.service } : {}),
        lastLines: error.context?.lastLogLines ?? [],
      }),
  );
  return subscription;
}
