import { distinctUntilChanged, map, switchMap, take, timer, type Observable, type SchedulerLike } from "rxjs";
import { timerDelay } from "../manifest/duration.js";
import type { NotifyState } from "../process/notify-socket.js";

/**
 * Emits once when `periodMs` pass without a WATCHDOG=1 on the run's NOTIFY_SOCKET, counted from the
 * subscription (when the run became ready) and again from each keep-alive, as systemd's
 * WatchdogSec does; never while they keep coming.
 */
export function watchdogMissed$(notify$: Observable<NotifyState>, periodMs: number, clock: SchedulerLike): Observable<{ periodMs: number }> {
  return notify$.pipe(
    map((state) => state.watchdogs),
    distinctUntilChanged(),
    switchMap(() => timer(timerDelay(periodMs), clock)),
    take(1),
    map(() => ({ periodMs })),
  );
}
