import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from "rxjs";

/**
 * `closed`: nothing listened at the address (the connection was refused), as opposed to a
 * service that answered wrongly or not in time: only then can a new listening socket change it.
 */
export type ProbeResult = { ok: true } | { ok: false; reason: string; closed?: boolean };

export interface PollOptions {
  scheduler?: SchedulerLike;
  /**
   * For probes that cost next to nothing (a refused connect): wait this long after the first
   * failed attempt, then twice as long after each next one, up to the interval. A service that
   * opens its port in 30 ms is seen within milliseconds, one that takes seconds costs a few more
   * attempts than the interval alone.
   */
  rampFromMs?: number;
  /** Each emission asks for an attempt now, when the last one found nothing listening (see `closed`). */
  nudges$?: Observable<unknown>;
}

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
export function poll$(probe: Probe, intervalMs: number, options: PollOptions = {}): Observable<ProbeResult> {
  return new Observable<ProbeResult>((subscriber) => {
    // One controller for the whole poll, not one per attempt: fifty services starting make
    // hundreds of attempts, and this is the cheapest way to abort the one in flight.
    const controller = new AbortController();
    const attempts = pollAttempts$(() => probeOnce$(probe, controller.signal), intervalMs, options).subscribe(subscriber);
    return () => {
      attempts.unsubscribe();
      controller.abort();
    };
  });
}

/**
 * poll$ over attempts given as Observables (what lets its timing be tested in virtual time): the
 * next attempt begins `intervalMs` after the previous one ends (sooner while `rampFromMs` ramps
 * up, or when a nudge comes). Written as one loop rather than as concat, timer and repeat, which
 * cost twice what a failed TCP connect does on every attempt.
 */
export function pollAttempts$(attempt: () => Observable<ProbeResult>, intervalMs: number, options: PollOptions = {}): Observable<ProbeResult> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return new Observable<ProbeResult>((subscriber) => {
    let current: Subscription | undefined;
    let wait: Subscription | undefined;
    let nextWaitMs = options.rampFromMs ?? intervalMs;
    let inFlight = false;
    let lastClosed = false;
    let nudgedInFlight = false;
    const run = (): void => {
      wait = undefined;
      inFlight = true;
      nudgedInFlight = false;
      current = attempt().subscribe({
        next: (result) => {
          lastClosed = !result.ok && result.closed === true;
          subscriber.next(result);
          if (result.ok) subscriber.complete();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          inFlight = false;
          if (subscriber.closed) return;
          // A socket that began listening while this attempt was on its way: try again at once.
          if (nudgedInFlight && lastClosed) return run();
          const delay = Math.min(nextWaitMs, intervalMs);
          nextWaitMs = Math.min(nextWaitMs * 2, intervalMs);
          wait = scheduler.schedule(run, delay);
        },
      });
    };
    const nudges = options.nudges$?.subscribe(() => {
      if (inFlight) nudgedInFlight = true;
      else if (wait && lastClosed) {
        wait.unsubscribe();
        run();
      }
    });
    run();
    return () => {
      nudges?.unsubscribe();
      current?.unsubscribe();
      wait?.unsubscribe();
    };
  });
}
