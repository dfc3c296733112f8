import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import { defaults } from "../../src/defaults.js";
import { DependencyFailedError } from "../../src/engine/dependency-conditions.js";
import type { Script } from "../helpers/fake-runtime.js";
import { fakeService } from "../helpers/fake-service.js";

// One service's life on fake processes, in virtual time: every wait below is a timer of the
// runtime's clock, which passes only as the test advances it. The real-process proof of the
// same paths is in orchestrator.test.ts.

describe("restart backoff", () => {
  const flaky = `
services:
  flaky:
    command: flaky
    ready: { log: up }
    restart: { policy: on-failure, backoff: 100ms, max_backoff: 1s }
`;

  it("waits 100, 200, then 400 ms before each restart, until a run stays up", async () => {
    const s = fakeService(flaky, (p, _clock, i) => (i < 3 ? p.print(`run ${i + 1} failing`).end(1) : p.print("up")));
    await s.runtime.clock.advance(699);
    expect(s.all("starting")).toHaveLength(3);
    await s.runtime.clock.advance(1);
    expect(s.all("restarting").map((e) => [e.delayMs, e.restarts])).toEqual([
      [100, 1],
      [200, 2],
      [400, 3],
    ]);
    // Each run starts its backoff after the exit before it, to the millisecond.
    expect(s.all("exited").map((e) => e.time)).toEqual([0, 100, 300]);
    expect(s.all("starting").map((e) => e.time)).toEqual([0, 100, 300, 700]);
    expect(s.state()).toMatchObject({ status: "ready", restarts: 3, runs: 4 });
  });

  it("starts afresh after a run that lasted min_uptime, and keeps doubling after a shorter one", async () => {
    const yaml = (uptime: string): string => `
services:
  worker:
    command: worker
    restart: { policy: always, backoff: 100ms, max_backoff: 10s, min_uptime: ${uptime} }
`;
    // Runs 1, 2 and 4 crash at once; run 3 lasts 5 s; run 5 stays up.
    const script: Script = (p, clock, i) => {
      if (i === 2) clock.schedule(() => p.end(1), 5_000);
      else if (i !== 4) p.end(1);
    };
    const healthy = fakeService(yaml("5s"), script);
    await healthy.runtime.clock.advance(60_000);
    expect(healthy.all("restarting").map((e) => e.delayMs)).toEqual([100, 200, 100, 200]);

    const short = fakeService(yaml("5001ms"), script);
    await short.runtime.clock.advance(60_000);
    expect(short.all("restarting").map((e) => e.delayMs)).toEqual([100, 200, 400, 800]);
  });

  it("a stop during the backoff ends the service at once, with no new run and no timer left", async () => {
    const s = fakeService(`services:\n  flaky:\n    command: x\n    restart: { policy: always, backoff: 1s }\n`, (p) => p.end(1));
    await s.runtime.clock.advance(0);
    expect(s.types().at(-1)).toBe("restarting");
    const stopped = s.supervisor.stop();
    await s.runtime.clock.advance(0);
    expect(s.types().at(-1)).toBe("stopped");
    await stopped;
    expect(s.runtime.processes).toHaveLength(1);
    expect(s.runtime.clock.actions).toEqual([]);
  });
});

describe("stopping", () => {
  const stubborn = (grace: string): string => `services:\n  stubborn:\n    command: x\n    stop_signal: SIGINT\n    stop_grace_period: ${grace}\n`;

  it("sends the stop signal, then SIGKILL once stop_grace_period has passed", async () => {
    const s = fakeService(stubborn("3s"), (p) => p.ignore("SIGINT"));
    await s.runtime.clock.advance(1_000);
    const stopped = s.supervisor.stop();
    await s.runtime.clock.advance(2_999);
    expect(s.runtime.last.signals).toEqual(["SIGINT"]);
    await s.runtime.clock.advance(1);
    expect(s.runtime.last.signals).toEqual(["SIGINT", "SIGKILL"]);
    await stopped;
    expect(s.last("stopping")).toMatchObject({ signal: "SIGINT", time: 1_000 });
    expect(s.last("exited")).toMatchObject({ signal: "SIGKILL", onPurpose: true, uptimeMs: 4_000, time: 4_000 });
    expect(s.last("stopped")).toMatchObject({ forced: true, time: 4_000 });
  });

  it("a process that ends on its stop signal is not killed, and its grace period's timer goes", async () => {
    const s = fakeService(stubborn("3s"));
    await s.runtime.clock.advance(0);
    const stopped = s.supervisor.stop();
    await s.runtime.clock.advance(0);
    expect(s.runtime.last.signals).toEqual(["SIGINT"]);
    expect(s.last("stopped").forced).toBe(false);
    await stopped;
    expect(s.runtime.clock.actions).toEqual([]);
  });

  it("a forced stop cuts the grace period short", async () => {
    const s = fakeService(stubborn("10s"), (p) => p.ignore("SIGINT"));
    await s.runtime.clock.advance(0);
    const stopped = s.supervisor.stop();
    await s.runtime.clock.advance(1_000);
    const forced = s.supervisor.stop({ force: true });
    await s.runtime.clock.advance(0);
    expect(s.runtime.last.signals).toEqual(["SIGINT", "SIGKILL"]);
    await Promise.all([stopped, forced]);
    expect(s.last("exited").time).toBe(1_000);
    expect(s.last("stopped").forced).toBe(true);
  });

  it("a forced stop sends SIGKILL at once", async () => {
    const s = fakeService(stubborn("10s"), (p) => p.ignore("SIGINT"));
    await s.runtime.clock.advance(0);
    const stopped = s.supervisor.stop({ force: true });
    await s.runtime.clock.advance(0);
    expect(s.runtime.last.signals).toEqual(["SIGKILL"]);
    await stopped;
    expect(s.last("stopping").signal).toBe("SIGKILL");
    expect(s.last("stopped").forced).toBe(true);
  });

  it("a stop's own grace period (sbx down -t) replaces the service's", async () => {
    const s = fakeService(stubborn("10s"), (p) => p.ignore("SIGINT"));
    await s.runtime.clock.advance(0);
    const stopped = s.supervisor.stop({ gracePeriodMs: 500 });
    await s.runtime.clock.advance(500);
    expect(s.last("exited")).toMatchObject({ signal: "SIGKILL", time: 500 });
    await stopped;
  });

  it("ends what earlier runs left behind before the next run starts, and when the service is stopped", async () => {
    const s = fakeService(`services:\n  job:\n    command: x\n    stop_grace_period: 2s\n    restart: { policy: always, backoff: 100ms }\n`, (p, _clock, i) => {
      // The first run starts a daemon that ignores SIGTERM, and exits; the second starts one and runs on.
      if (i === 0) {
        s.runtime.leaveBehind(p).ignore("SIGTERM");
        p.end(0);
      } else s.runtime.leaveBehind(p);
    });
    await s.runtime.clock.advance(2_100);
    const [daemon] = s.runtime.leftovers;
    // After the backoff, the daemon had its grace period, then SIGKILL; only then did run 2 start.
    expect(daemon?.signals).toEqual(["SIGTERM", "SIGKILL"]);
    expect(s.runtime.leftoverEnds).toEqual([{ tags: ["job.1"], signal: "SIGTERM", at: 100 }]);
    expect(s.all("starting").map((e) => e.time)).toEqual([0, 2_100]);
    const stopped = s.supervisor.stop();
    await s.runtime.clock.advance(0);
    await stopped;
    // Run 2's daemon carries its tree's tag: the kill of the tree ended it. Nothing is swept
    // again: run 1's tag has had no process since its sweep, run 2's since the kill.
    expect(s.runtime.leftovers[1]?.signals).toEqual(["SIGTERM"]);
    expect(s.runtime.leftovers[1]?.running).toBe(false);
    expect(s.runtime.leftoverEnds).toHaveLength(1);
  });

  it("at the stop, sweeps the tag of a run that ended on its own, and no other", async () => {
    const s = fakeService(`services:\n  job:\n    command: x\n    restart: { policy: on-failure, backoff: 100ms }\n`, (p, _clock, i) => {
      // Run 1 fails and is restarted; run 2 starts a daemon and completes.
      if (i === 0) p.end(1);
      else {
        s.runtime.leaveBehind(p);
        p.end(0);
      }
    });
    await s.runtime.clock.advance(100);
    expect(s.types()).toContain("completed");
    const stopped = s.supervisor.stop();
    await s.runtime.clock.advance(0);
    await stopped;
    expect(s.runtime.leftoverEnds.at(-1)).toEqual({ tags: ["job.2"], signal: "SIGTERM", at: 100 });
    expect(s.runtime.leftovers[0]?.running).toBe(false);
  });
});

describe("the service's timeout", () => {
  it("ends the service once its timeout has passed since it started: the stop signal, then SIGKILL after the grace period", async () => {
    const s = fakeService(`services:\n  hang:\n    command: x\n    timeout: 200ms\n    stop_grace_period: 1s\n`, (p) => p.ignore("SIGTERM"));
    await s.runtime.clock.advance(199);
    expect(s.runtime.last.signals).toEqual([]);
    await s.runtime.clock.advance(1);
    expect(s.runtime.last.signals).toEqual(["SIGTERM"]);
    await s.runtime.clock.advance(1_000);
    expect(s.last("exited")).toMatchObject({ signal: "SIGKILL", onPurpose: true, uptimeMs: 200, time: 1_200 });
    expect(s.last("failed").reason).toEqual({ kind: "timed-out", message: "stopped after its timeout of 200 ms", lastLines: [] });
  });
});

describe("readiness", () => {
  const api = (ready: string, restart = "no"): string => `services:\n  api:\n    command: x\n    ready: ${ready}\n    restart: ${restart}\n`;

  it("a service that exits before it is ready fails at once, with its code and last lines", async () => {
    const s = fakeService(api("{ log: listening, timeout: 60s }"), (p) => p.print("starting", "error: config missing").end(4));
    await s.runtime.clock.advance(0);
    expect(s.types()).toEqual(["starting", "running", "unready", "exited", "failed"]);
    expect(s.last("unready").reasons).toEqual(["log /listening/: no line matched /listening/ yet"]);
    expect(s.last("failed")).toMatchObject({ time: 0 });
    expect(s.last("failed").reason).toEqual({
      kind: "exited",
      message: "exited with code 4 before it was ready",
      exitCode: 4,
      signal: null,
      lastLines: ["starting", "error: config missing"],
    });
  });

  it("not ready within its timeout: the run is ended and the checks' last failure named", async () => {
    const s = fakeService(api("{ log: listening, timeout: 300ms }"), (p) => p.print("up"));
    await s.runtime.clock.advance(299);
    expect(s.types()).not.toContain("failed");
    await s.runtime.clock.advance(1);
    expect(s.runtime.last.signals).toEqual(["SIGTERM"]);
    expect(s.last("exited")).toMatchObject({ onPurpose: true, signal: "SIGTERM" });
    expect(s.last("failed").reason).toEqual({ kind: "not-ready", message: "not ready after 300 ms: log /listening/: no line matched /listening/ yet", lastLines: ["up"] });
  });

  it("a crash loop does not reset the ready timeout: it fails when the next run would have less than a probe interval left", async () => {
    const s = fakeService(api("{ log: never, timeout: 1s }", "{ policy: always, backoff: 50ms, max_backoff: 50ms }"), (p) => p.print("boom").end(3));
    await s.runtime.clock.runUntil(() => s.types().includes("failed"));
    // Runs start every 50 ms; after the one at 850 ms, the next would start at 900 ms with 100 ms
    // left, one probe interval: too little to be judged.
    expect(s.all("starting").map((e) => e.time)).toEqual(Array.from({ length: 18 }, (_, i) => i * 50));
    expect(s.last("failed").time).toBe(850);
    expect(s.last("failed").reason).toEqual({
      kind: "not-ready",
      message: "not ready within 1s of its first start, after 17 restarts: its last run exited with code 3 before it was ready",
      exitCode: 3,
      signal: null,
      // As many of its last lines as a failure report holds.
      lastLines: Array.from({ length: defaults.failureLogLines }, () => "boom"),
    });
  });

  it("a crash loop whose deadline falls during a run: that run's checks end at the deadline", async () => {
    const s = fakeService(api("{ log: never, timeout: 1s }", "{ policy: always, backoff: 100ms, max_backoff: 100ms }"), (p, clock) => {
      clock.schedule(() => p.end(1), 300);
    });
    await s.runtime.clock.runUntil(() => s.types().includes("failed"));
    expect(s.all("starting").map((e) => e.time)).toEqual([0, 400, 800]);
    expect(s.last("failed")).toMatchObject({
      time: 1_000,
      reason: { kind: "not-ready", message: "not ready within 1s of its first start, after 2 restarts: log /never/: no line matched /never/ yet" },
    });
    expect(s.runtime.last.signals).toEqual(["SIGTERM"]);
  });

  it("a run that fails before it is ready is restarted within what is left of the ready timeout", async () => {
    const s = fakeService(api("{ log: up, timeout: 2s }", "{ policy: on-failure, backoff: 10ms }"), (p, clock, i) => {
      if (i === 0) p.print("run 1 failing").end(3);
      else clock.schedule(() => p.print("up"), 1_900);
    });
    await s.runtime.clock.advance(1_910);
    expect(s.state()).toMatchObject({ status: "ready", restarts: 1, runs: 2 });
    expect(s.last("ready").time).toBe(1_910);
  });

  it("a service that was ready gets the whole ready timeout again after it crashes", async () => {
    const s = fakeService(api("{ log: up, timeout: 1s }", "{ policy: on-failure, backoff: 10ms }"), (p, clock, i) => {
      if (i === 0) {
        p.print("up");
        clock.schedule(() => p.end(1), 5_000);
      } else clock.schedule(() => p.print("up"), 999);
    });
    await s.runtime.clock.advance(6_009);
    expect(s.all("ready").map((e) => e.time)).toEqual([0, 6_009]);
    expect(s.types()).not.toContain("failed");
  });
});

describe("before a run", () => {
  const api = `services:\n  api:\n    command: x\n    ready: { tcp: 8080, log: up }\n    restart: { policy: on-failure, backoff: 100ms }\n`;

  it("a port its checks name, taken by another program, fails it before anything starts", async () => {
    const s = fakeService(api);
    s.runtime.portsTaken.set(8080, "pid 4242 (python3 -m http.server)");
    await s.runtime.clock.advance(0);
    expect(s.types()).toEqual(["failed"]);
    expect(s.last("failed").reason).toEqual({
      kind: "port-taken",
      message: "port 8080 is already in use by pid 4242 (python3 -m http.server): stop it, or give api another port",
      lastLines: [],
    });
  });

  it("the port is checked again before each restart", async () => {
    const s = fakeService(api, (p) => p.end(1));
    await s.runtime.clock.advance(0);
    s.runtime.portsTaken.set(8080, "pid 4242 (nc -l 8080)");
    await s.runtime.clock.advance(100);
    expect(s.runtime.processes).toHaveLength(1);
    expect(s.last("failed").reason.kind).toBe("port-taken");
  });

  it("a command that cannot be started fails with spawn-failed", async () => {
    const s = fakeService(`services:\n  listed:\n    command: [no-such-program]\n`);
    s.runtime.spawnError = new Error("command not found: no-such-program");
    await s.runtime.clock.advance(0);
    expect(s.types()).toEqual(["starting", "failed"]);
    expect(s.last("failed").reason).toEqual({ kind: "spawn-failed", message: "could not start: command not found: no-such-program", lastLines: [] });
  });

  it("waits for its dependencies' conditions, and is skipped when one can never hold", async () => {
    const met$ = new Subject<void>();
    const s = fakeService(`services:\n  web:\n    command: x\n`, () => {}, { dependencies: { names: ["api"], met$ } });
    await s.runtime.clock.advance(0);
    expect(s.types()).toEqual(["waiting"]);
    expect(s.last("waiting").on).toEqual(["api"]);
    met$.error(new DependencyFailedError({ kind: "dependency", message: "dependency api failed to be ready: exited with code 4", lastLines: [] }));
    await s.runtime.clock.advance(0);
    expect(s.types()).toEqual(["waiting", "skipped"]);
    expect(s.last("skipped").reason.kind).toBe("dependency");
    expect(s.runtime.processes).toEqual([]);
  });

  it("starts once its dependencies' conditions hold; a stop while it waits starts nothing", async () => {
    const met$ = new Subject<void>();
    const started = fakeService(`services:\n  web:\n    command: x\n`, () => {}, { dependencies: { names: ["api"], met$ } });
    met$.next();
    await started.runtime.clock.advance(0);
    expect(started.types()).toEqual(["waiting", "starting", "running", "ready"]);

    const stopped = fakeService(`services:\n  web:\n    command: x\n`, () => {}, { dependencies: { names: ["api"], met$: new Subject<void>() } });
    stopped.halt.abort();
    await stopped.runtime.clock.advance(0);
    expect(stopped.types()).toEqual(["waiting", "stopped"]);
    expect(stopped.runtime.processes).toEqual([]);
  });
});
