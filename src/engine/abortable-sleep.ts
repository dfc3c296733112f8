import { asyncScheduler, firstValueFrom, map, race, timer, type SchedulerLike } from "rxjs";
import { aborted$ } from "./aborted.js";

/** Waits `ms` on `clock`; resolves true when the time passed, false at once when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal, clock: SchedulerLike = asyncScheduler): Promise<boolean> {
  return firstValueFrom(race(timer(ms, clock).pipe(map(() => true)), aborted$(signal).pipe(map(() => false))));
}
