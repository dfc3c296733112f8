import { asyncScheduler, concat, defer, Observable, takeWhile, timer, type SchedulerLike, ignoreElements, repeat } from "rxjs";

export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** One attempt of a check; it must give up when `signal` aborts. */
export type Probe = (signal: AbortSignal) => Promise<ProbeResult>;

/** One run of a probe as an Observable: unsubscribing aborts it (its socket, request or process). */
export function probeOnce$(probe: Probe): Observable<ProbeResult> {
  return new Observable<ProbeResult>((subscriber) => {
    const controller = new AbortController();
    probe(controller.signal).then(
      (result) => {
        subscriber.next(result);
        subscriber.complete();
      },
      (error: unknown) => {
        subscriber.next({ ok: false, reason: error instanceof Error ? error.message : String(error) });
        subscriber.complete();
      },
    );
    return () => controller.abort();
  });
}

/**
 * Probes, then again every `intervalMs` after each failed attempt, emitting every outcome and
 * completing with the first success. Nothing runs between attempts but one timer.
 */
export function poll$(probe: Probe, intervalMs: number, scheduler: SchedulerLike = asyncScheduler): Observable<ProbeResult> {
  return pollAttempts$(() => probeOnce$(probe), intervalMs, scheduler);
}

/** poll$ over attempts given as Observables: what lets its timing be tested in virtual time. */
export function pollAttempts$(attempt: () => Observable<ProbeResult>, intervalMs: number, scheduler: SchedulerLike = asyncScheduler): Observable<ProbeResult> {
  return concat(defer(attempt), timer(intervalMs, scheduler).pipe(ignoreElements())).pipe(
    repeat(),
    takeWhile((result) => !result.ok, true),
  );
}
