import type { SchedulerLike, Subscription } from "rxjs";
import { timerDelay } from "../manifest/duration.js";

/**
 * How long a stopping tree may take before SIGKILL, kept on the runtime's clock (so that tests
 * can pass it in virtual time): `over` aborts once `graceMs` has passed, at once for 0, or
 * earlier when the stop is forced (a second Ctrl-C).
 */
export class GracePeriod {
  private readonly controller = new AbortController();
  private readonly timer?: Subscription;

  constructor(graceMs: number, clock: SchedulerLike) {
    if (graceMs <= 0) this.controller.abort();
    else this.timer = clock.schedule(() => this.controller.abort(), timerDelay(graceMs));
  }

  get over(): AbortSignal {
    return this.controller.signal;
  }

  cutShort(): void {
    this.controller.abort();
  }

  dispose(): void {
    this.timer?.unsubscribe();
  }
}
