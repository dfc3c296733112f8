import { VirtualTimeScheduler } from "rxjs";

/** Lets every promise that can settle now settle: those waiting for nothing but other promises. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Time that passes only when the test says so: an RxJS VirtualTimeScheduler advanced by hand,
 * one instant at a time, settling between two instants the promises that the timers set off.
 * (TestScheduler.run flushes everything synchronously, while the engine awaits promises between
 * its timers: a spawn, a kill, a process's exit.)
 */
export class VirtualClock extends VirtualTimeScheduler {
  /** Lets `ms` of virtual time pass. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.frame + ms);
  }

  /** Lets virtual time pass up to `time` (ms since the clock began), every timer due by then fired in order. */
  async advanceTo(time: number): Promise<void> {
    await settle();
    for (let next = this.actions[0]; next !== undefined && next.delay <= time; next = this.actions[0]) {
      this.fireAt(next.delay);
      await settle();
    }
    this.frame = Math.max(this.frame, time);
  }

  /** Lets virtual time pass, timer after timer, until `done()` holds; fails when nothing is left to happen or after `limitMs`. */
  async runUntil(done: () => boolean, limitMs = 60_000): Promise<void> {
    await settle();
    while (!done()) {
      const next = this.actions[0];
      if (next === undefined) throw new Error(`nothing is left to happen at ${this.frame} ms, and the test's condition does not hold`);
      if (next.delay > limitMs) throw new Error(`the test's condition does not hold after ${limitMs} ms of virtual time`);
      this.fireAt(next.delay);
      await settle();
    }
  }

  private fireAt(time: number): void {
    this.maxFrames = time;
    this.flush();
  }
}
