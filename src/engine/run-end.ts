import { defer, EMPTY, from, map, merge, mergeMap, NEVER, of, race, take, timer, type Observable, type SchedulerLike } from "rxjs";
import { timerDelay } from "../manifest/duration.js";
import type { HealthVerdict } from "../readiness/health.js";
import type { ReadyResult, RunningProcess } from "./runtime.js";

/** How a run ended, or why it must be ended. */
export type RunEnd =
  | { kind: "exited"; exitCode: number | null; signal: NodeJS.Signals | null; wasReady: boolean }
  | { kind: "not-ready"; reasons: string[] }
  | { kind: "timed-out" }
  /** Its health checks failed `retries` times in a row once it was ready, and its restart policy restarts it. */
  | { kind: "unhealthy"; reasons: string[] }
  /** Ready, then no WATCHDOG=1 came within its `ready.watchdog`. */
  | { kind: "watchdog"; periodMs: number }
  | { kind: "stop" };

export interface RunToJudge {
  process: RunningProcess;
  /** Its ready checks; undefined for a service without any, which is ready once started. */
  ready$: Observable<ReadyResult> | undefined;
  /** Emits when the service is asked to stop. */
  stop$: Observable<unknown>;
  /** The service's `timeout`, counted from the subscription (the run's start). */
  timeoutMs: number | undefined;
  clock: SchedulerLike;
  /** Told once, when the run becomes ready; the race goes on to the run's end. */
  onReady(): void;
  /** Its health checks, subscribed once the run is ready (and dropped with the run); none without any. */
  health$?: Observable<HealthVerdict> | undefined;
  /** Told each change of its health; true when an unhealthy run must end for it (its restart policy restarts it). */
  onHealth?(verdict: HealthVerdict): boolean;
  /** Once it is ready: an end that only a ready run can come to (its watchdog went silent). */
  afterReady$?: Observable<RunEnd>;
}

/**
 * One run, judged as one race: it becomes ready (told, and the race goes on, its health checks
 * now in it) or not in time, it exits, it is asked to stop, its `timeout` passes, or it turns
 * unhealthy and must be restarted. Emits the first end and completes;
 * unsubscribing drops every check, timer and listener of the run at once.
 */
export function runEnd$(run: RunToJudge): Observable<RunEnd> {
  return defer(() => {
    let wasReady = false;
    const becameReady = (): Observable<RunEnd> => {
      wasReady = true;
      run.onReady();
      // Once ready, a run ends by its health or by its watchdog, whichever comes first.
      const health$: Observable<RunEnd> = run.health$ === undefined ? NEVER : run.health$.pipe(mergeMap((verdict) => (run.onHealth?.(verdict) && !verdict.healthy ? of<RunEnd>({ kind: "unhealthy", reasons: verdict.reasons }) : EMPTY)));
      return run.afterReady$ === undefined ? health$ : merge(health$, run.afterReady$);
    };
    const readiness$: Observable<RunEnd> =
      run.ready$ === undefined
        ? defer(becameReady)
        : run.ready$.pipe(
            take(1),
            mergeMap((result) => (result.ok ? becameReady() : of<RunEnd>({ kind: "not-ready", reasons: result.reasons }))),
          );
    const exited$ = from(run.process.exit).pipe(map(({ exitCode, signal }): RunEnd => ({ kind: "exited", exitCode, signal, wasReady })));
    const stopped$ = run.stop$.pipe(map((): RunEnd => ({ kind: "stop" })));
    const timedOut$ = run.timeoutMs === undefined ? NEVER : timer(timerDelay(run.timeoutMs), run.clock).pipe(map((): RunEnd => ({ kind: "timed-out" })));
    // Readiness first: a service without checks is ready before a stop already asked for is seen.
    return race(readiness$, exited$, stopped$, timedOut$).pipe(take(1));
  });
}
