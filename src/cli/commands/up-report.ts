import { Subscription } from "rxjs";
import type { ServiceEvent } from "../../engine/events.js";
import type { Orchestrator } from "../../engine/orchestrator.js";
import { failureOf, type ServiceFailure } from "../../engine/service-failure.js";
import { isFailedStatus } from "../../engine/service-state.js";
import type { UpOptions } from "./up-plan.js";
import type { Project } from "../../manifest/types.js";
import { ManifestError, SbxError, type Diagnostic, type SbxErrorCode } from "../../errors.js";

/** An error of the supervisor's, in a form that crosses the IPC channel and becomes the same error again. */
export type ReportedError =
  | { kind: "manifest"; diagnostics: readonly Diagnostic[] }
  | { kind: "sbx"; code: SbxErrorCode; message: string }
  | { kind: "internal"; message: string; stack?: string };

/**
 * What `sbx up -d` tells the background supervisor it started: the options of the run, whole, and
 * the project it loaded (the supervisor then never loads the manifest's parser: see up-detached.ts).
 */
export interface SupervisorOrder {
  type: "run";
  options: UpOptions;
  project: Project;
}

/** What the background supervisor tells the `sbx up -d` that started it. */
/** A service's ports and URL, as `up -d` and `--wait` print them. */
export interface ServiceAddressView {
  name: string;
  ports: Record<string, number>;
  url: string | null;
}

/** Each service's address, as its current run has it (none before its first). */
function addressesOf(orchestrator: Orchestrator): ServiceAddressView[] {
  return [...orchestrator.states.keys()].map((name) => {
    const address = orchestrator.address(name);
    return { name, ports: address?.ports ?? {}, url: address?.url ?? null };
  });
}

export type SupervisorReport =
  /** The manifest is loaded and the services chosen; nothing has started yet. */
  | { type: "planned"; project: string; services: number; warnings: readonly string[] }
  /** Something the user should know before the services start (a state file that could not be trusted). */
  | { type: "warning"; message: string }
  /** Nothing could start: the manifest, the command line, or a project already running. */
  | { type: "rejected"; error: ReportedError }
  /** `addresses`: where each service with ports answers, so that the parent need not ask. */
  | { type: "started"; addresses: readonly ServiceAddressView[] }
  | { type: "ready"; addresses: readonly ServiceAddressView[] }
  | { type: "failed"; message: string; service?: string; lastLines: readonly string[] }
  /** An event of the engine, until the parent has its answer: what its progress block shows. */
  | { type: "event"; event: ServiceEvent };

/** Sends a report to the parent, if there is one; a parent that has already gone is no error of ours. */
export function sendReport(message: SupervisorReport): void {
  // The parent leaves as soon as it has what it waited for: a later message may find the
  // channel closing.
  if (process.send && process.connected) process.send(message, undefined, {}, () => {});
}

export function reportedError(error: unknown): ReportedError {
  if (error instanceof ManifestError) return { kind: "manifest", diagnostics: error.diagnostics };
  if (error instanceof SbxError) return { kind: "sbx", code: error.code, message: error.message };
  if (error instanceof Error) return { kind: "internal", message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) };
  return { kind: "internal", message: String(error) };
}

export function errorFromReport(reported: ReportedError): Error {
  switch (reported.kind) {
    case "manifest":
      return new ManifestError(reported.diagnostics);
    case "sbx":
      return new SbxError(reported.code, reported.message);
    case "internal": {
      const error = new Error(reported.message);
      if (reported.stack !== undefined) error.stack = reported.stack;
      return error;
    }
  }
}

/**
 * In the background supervisor: tells the parent once every service has started, then once
 * every one is ready; or, before the parent has the answer it waits for (`wanted`), which service
 * failed or could not start — also when that is known by the time all have started, so that
 * `up -d` does not call a failed start a success — and `onFailed` then tears down; after
 * `timeoutMs`, which are not ready and why (`onTimeout` then tears down).
 */
export function reportProgress(
  orchestrator: Orchestrator,
  wait: { wanted: "started" | "ready"; timeoutMs?: number; onTimeout?: (error: SbxError) => void; onFailed?: (failure: ServiceFailure) => void },
  /** Whether the parent draws the events (a progress block on a terminal): each one else costs both processes for nothing, fifty services starting send hundreds. */
  events = true,
): Subscription {
  if (!process.send) return Subscription.EMPTY;
  let started = false;
  /** Whether the parent has had the answer it waits for. */
  let answered = false;
  const fail = (failure: { message: string; service?: string; lastLines: readonly string[] }): void => {
    if (answered) return;
    answered = true;
    sendReport({ type: "failed", message: failure.message, ...(failure.service ? { service: failure.service } : {}), lastLines: failure.lastLines });
    if (failure.service !== undefined) wait.onFailed?.({ service: failure.service, message: failure.message, lastLines: [...failure.lastLines] });
  };
  const subscription = new Subscription();
  if (events) {
    subscription.add(
      orchestrator.events$.subscribe((event) => {
        if (!answered) sendReport({ type: "event", event });
      }),
    );
  }
  subscription.add(orchestrator.states$.subscribe((states) => {
    if (started) return;
    const all = [...states.values()];
    if (all.every((s) => s.everRunning || s.status === "completed" || isFailedStatus(s.status))) {
      started = true;
      const failed = all.filter((s) => isFailedStatus(s.status)).sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0))[0];
      const failure = failed === undefined ? undefined : failureOf(failed);
      if (failure !== undefined && wait.wanted === "started") return fail(failure);
      sendReport({ type: "started", addresses: addressesOf(orchestrator) });
      if (wait.wanted === "started") answered = true;
    }
  }));
  orchestrator.whenReady(undefined, wait.timeoutMs === undefined ? {} : { timeoutMs: wait.timeoutMs }).then(
    () => {
      sendReport({ type: "ready", addresses: addressesOf(orchestrator) });
      answered = true;
    },
    (error: Error & { context?: { service?: string; lastLogLines?: readonly string[] } }) => {
      if (error instanceof SbxError && error.code === "NOT_READY") wait.onTimeout?.(error);
      fail({ message: error.message, ...(error.context?.service ? { service: error.context.service } : {}), lastLines: error.context?.lastLogLines ?? [] });
    },
  );
  return subscription;
}
