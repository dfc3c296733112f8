import { asyncScheduler, forkJoin, map, Observable, type SchedulerLike, type Subscription } from "rxjs";
import type { Command, HealthSpec } from "../manifest/types.js";
import { execProbe } from "./exec-check.js";
import { httpProbe } from "./http-check.js";
import { probeOnce$, type Probe, type ProbeResult } from "./poll.js";
import { tcpProbe } from "./tcp-check.js";

/**
 * A change of a service's health: healthy at its first attempt that passes (`again` false),
 * unhealthy after `retries` failed attempts in a row, healthy again at the next that passes.
 */
export type HealthVerdict = { healthy: true; again: boolean } | { healthy: false; reasons: string[]; failures: number };

/** One attempt of every health check at once: passed when all pass, else each failure as `label: reason`. */
export type HealthAttempt = { ok: true } | { ok: false; reasons: string[] };

export interface HealthChecksContext {
  cwd: string;
  env: Record<string, string>;
  user?: { uid: number; gid: number };
  scheduler?: SchedulerLike;
}

/** The health checks of a ready service, attempted every interval, told only when its health changes. */
export function healthChecks$(spec: HealthSpec, context: HealthChecksContext): Observable<HealthVerdict> {
  const probes: { label: string; probe: Probe }[] = [];
  if (spec.tcp) probes.push({ label: `tcp ${spec.tcp.host.includes(":") ? `[${spec.tcp.host}]` : spec.tcp.host}:${spec.tcp.port}`, probe: tcpProbe(spec.tcp, spec.timeoutMs) });
  if (spec.http) probes.push({ label: `http ${spec.http.url}`, probe: httpProbe(spec.http, spec.timeoutMs) });
  if (spec.exec) probes.push({ label: `exec ${commandLabel(spec.exec)}`, probe: withTimeout(execProbe(spec.exec, { cwd: context.cwd, env: context.env, ...(context.user ? { user: context.user } : {}) }), spec.timeoutMs) });
  const attempt = (): Observable<HealthAttempt> =>
    forkJoin(probes.map(({ label, probe }) => probeOnce$(probe).pipe(map((result) => ({ label, result }))))).pipe(
      map((results): HealthAttempt => {
        const reasons = results.filter(({ result }) => !result.ok).map(({ label, result }) => `${label}: ${(result as Extract<ProbeResult, { ok: false }>).reason}`);
        return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
      }),
    );
  return healthVerdicts$(attempt, spec, context.scheduler ?? asyncScheduler);
}

/**
 * The health loop over attempts given as Observables (what lets its timing be tested in virtual
 * time): the first attempt `intervalMs` after the subscription (the service has just passed its
 * ready checks), each next one `intervalMs` after the previous ended, so that an attempt never
 * overlaps the one before, however slow. Emits `healthy` at the first pass, `unhealthy` at the
 * `retries`-th failure in a row and `healthy` again at the first pass after it; nothing while the
 * health stays as it is (a pass after a pass, or failures fewer than `retries`). Never
 * completes; unsubscribing drops the attempt in flight (its socket or process) and the timer.
 */
export function healthVerdicts$(attempt: () => Observable<HealthAttempt>, spec: Pick<HealthSpec, "intervalMs" | "retries">, scheduler: SchedulerLike = asyncScheduler): Observable<HealthVerdict> {
  return new Observable<HealthVerdict>((subscriber) => {
    let current: Subscription | undefined;
    let wait: Subscription | undefined;
    let failures = 0;
    let told: "healthy" | "unhealthy" | undefined;
    const judge = (result: HealthAttempt): void => {
      if (result.ok) {
        failures = 0;
        if (told !== "healthy") {
          subscriber.next({ healthy: true, again: told === "unhealthy" });
          told = "healthy";
        }
        return;
      }
      failures++;
      if (told !== "unhealthy" && failures >= spec.retries) {
        told = "unhealthy";
        subscriber.next({ healthy: false, reasons: result.reasons, failures });
      }
    };
    const run = (): void => {
      current = attempt().subscribe({
        next: judge,
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (!subscriber.closed) wait = scheduler.schedule(run, spec.intervalMs);
        },
      });
    };
    wait = scheduler.schedule(run, spec.intervalMs);
    return () => {
      current?.unsubscribe();
      wait?.unsubscribe();
    };
  });
}

/** An exec check has no timeout of its own (a tcp or http probe has): past `timeoutMs` it is aborted, its tree killed, and counts as failed. */
function withTimeout(probe: Probe, timeoutMs: number): Probe {
  return async (signal) => {
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    signal.addEventListener("abort", abort, { once: true });
    const timer = setTimeout(abort, timeoutMs);
    try {
      const result = await probe(controller.signal);
      return controller.signal.aborted && !signal.aborted ? { ok: false, reason: `timed out after ${timeoutMs} ms` } : result;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
    }
  };
}

function commandLabel(command: Command): string {
  return command.kind === "shell" ? command.script : command.argv.join(" ");
}
