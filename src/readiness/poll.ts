import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from "rxjs";

export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** One attempt of a check; it must give up when `signal` aborts. */
export type Probe = (signal: AbortSignal) => Promise<ProbeResult>;

/**
 * One run of a probe as an Observable. With a `signal`, the caller aborts it; without one,
 * unsubscribing before the probe has answered aborts it (its socket, request or process).
 */
export function probeOnce$(probe: Probe, signal?: AbortSignal): Observable<ProbeResult> {
  return new Observable<ProbeResult>((subscriber) => {
    const controller = signal ? undefined : new AbortController();
    let answered = false;
    probe(signal ?? (controller as AbortController).signal).then(
      (result) => {
        answered = true;
        subscriber.next(result);
        subscriber.complete();
      },
      (error: unknown) => {
        answered = true;
        subscriber.next({ ok: false, reason: error instanceof Error ? error.message : String(error) });
        subscriber.complete();
      },
    );
    return () => {
      if (!answered) controller?.abort();
    };
  });
}

/**
 * Probes, then again every `intervalMs` after each failed attempt, emitting every outcome and
 * completing with the first success. Nothing runs between attempts but one timer.
 */
export function poll$(probe: Probe, intervalMs: number, scheduler: SchedulerLike = asyncScheduler): Observable<ProbeResult> {
  return new Observable<ProbeResult>((subscriber) => {
    // One controller for the whole poll, not one per attempt: fifty services starting make
    // hundreds of attempts, and this is the cheapest way to abort the one in flight.
    const controller = new AbortController();
    const attempts = pollAttempts$(() => probeOnce$(probe, controller.signal), intervalMs, scheduler).subscribe(subscriber);
    return () => {
      attempts.unsubscribe();
      controller.abort();
    };
  });
}

/**
 * poll$ over attempts given as Observables (what lets its timing be tested in virtual time): the
 * next attempt begins `intervalMs` after the previous one ends. Written as one loop rather than
 * as concat, timer and repeat, which cost twice what a failed TCP connect does on every attempt.
 */
export function pollAttempts$(attempt: () => Observable<ProbeResult>, intervalMs: number, scheduler: SchedulerLike = asyncScheduler): Observable<ProbeResult> {
  return new Observable<ProbeResult>((subscriber) => {
    let current: Subscription | undefined;
    let wait: Subscription | undefined;
    const run = (): void => {
      current = attempt().subscribe({
        next: (result) => {
          subscriber.next(result);
          if (result.ok) subscriber.complete();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (!subscriber.closed) wait = scheduler.schedule(run, intervalMs);
        },
      });
    };
    run();
    return () => {
      current?.unsubscribe();
      wait?.unsubscribe();
    };
  });
}
