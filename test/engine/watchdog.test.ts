import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { watchdogMissed$ } from "../../src/engine/watchdog.js";
import type { NotifyState } from "../../src/process/notify-socket.js";

const state = (watchdogs: number, status?: string): NotifyState => ({ ready: true, watchdogs, ...(status === undefined ? {} : { status }) });

describe("watchdogMissed$", () => {
  it("fires a period after the last keep-alive, not while they keep coming, and a STATUS= alone is no keep-alive", () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const notify$ = hot("a 5ms b 5ms c 3ms d", { a: state(0), b: state(1), c: state(2), d: state(2, "busy") });
      const source = notify$;
      // Subscribed at 0 with the count 0, keep-alives at 6 and 12: silent from 12 on, fired at 22.
      expectObservable(watchdogMissed$(source, 10, scheduler)).toBe("22ms (x|)", { x: { periodMs: 10 } });
      expectSubscriptions(notify$.subscriptions).toBe("^ 21ms !");
    });
  });
});
