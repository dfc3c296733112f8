import { describe, expect, it } from "vitest";
import type { SbxError } from "../../src/errors.js";
import type { ServiceEvent } from "../../src/engine/events.js";
import { FakeRuntime, type Script } from "../helpers/fake-runtime.js";
import { stack } from "../helpers/stack.js";

// The orchestrator's timing on fake processes in virtual time: these tests once ran real processes
// for up to a second each, and proved no more than they do here, to the millisecond. What needs a
// real process (trees, signals, sockets) stays in orchestrator.test.ts.

function fakeStack(yaml: string, script: Script): ReturnType<typeof stack> & { runtime: FakeRuntime } {
  const runtime = new FakeRuntime(script);
  return Object.assign(stack(yaml, { orchestrator: { runtime } }), { runtime });
}

function eventOf<T extends ServiceEvent["type"]>(events: ServiceEvent[], service: string, type: T): Extract<ServiceEvent, { type: T }> {
  const found = events.find((e) => e.service === service && e.type === type);
  if (!found) throw new Error(`no ${type} event for ${service}: ${events.map((e) => `${e.service}:${e.type}`).join(" ")}`);
  return found as Extract<ServiceEvent, { type: T }>;
}

/** As test/fixtures/flaky.mjs does: fails (exit 3) on its first `fails` runs, then prints "up" and stays up. */
const flaky =
  (fails: number): Script =>
  (p, _clock, i) => {
    p.print(`run ${i + 1}`);
    if (i < fails) p.print(`run ${i + 1} failing`).end(3);
    else p.print("up");
  };

describe("restarts, in virtual time", () => {
  it("restarts a failing service with doubling backoff until it stays up", async () => {
    const s = fakeStack(
      `
services:
  flaky:
    command: flaky
    ready: { log: up }
    restart: { policy: on-failure, backoff: 100ms, max_backoff: 1s }
`,
      flaky(2),
    );
    void s.orchestrator.run();
    const ready = s.orchestrator.whenReady();
    await s.runtime.clock.advance(300);
    await ready;
    const restarting = s.events.filter((e) => e.type === "restarting") as Extract<ServiceEvent, { type: "restarting" }>[];
    expect(restarting.map((e) => [e.delayMs, e.restarts])).toEqual([
      [100, 1],
      [200, 2],
    ]);
    // Each new run starts its backoff after the previous exit, to the millisecond.
    const exits = s.events.filter((e) => e.type === "exited");
    const starts = s.events.filter((e) => e.type === "starting").slice(1);
    expect(starts[0]!.time - exits[0]!.time).toBe(100);
    expect(starts[1]!.time - exits[1]!.time).toBe(200);
    expect(s.orchestrator.state("flaky")).toMatchObject({ status: "ready", restarts: 2, runs: 3 });
    expect(s.output("flaky")).toEqual(["run 1", "run 1 failing", "run 2", "run 2 failing", "run 3", "up"]);
  });

  it("a crash loop does not reset the ready timeout: the service fails naming its restarts and last lines", async () => {
    const s = fakeStack(
      `
services:
  loop:
    command: "echo boom; exit 3"
    ready: { log: never, timeout: 1s }
    restart: { policy: always, backoff: 50ms, max_backoff: 50ms }
`,
      (p) => p.print("boom").end(3),
    );
    void s.orchestrator.run();
    const waited = s.orchestrator.whenReady().then(() => undefined, (e: unknown) => e as SbxError);
    await s.runtime.clock.runUntil(() => s.orchestrator.state("loop")?.status === "failed");
    // A run starts every 50 ms: the one at 850 ms is the last with more than a probe interval (100 ms) left to become ready.
    expect((await waited)?.message).toBe("loop failed: not ready within 1s of its first start, after 17 restarts: its last run exited with code 3 before it was ready");
    expect(eventOf(s.events, "loop", "failed").reason.lastLines.at(-1)).toBe("boom");
    expect(s.orchestrator.state("loop")?.restarts).toBe(17);
  });

  // As before, a first run that fails before it is ready; service-supervisor.test.ts has one that was ready, then crashed.
  it("a service that was ready gets the whole ready timeout again after it crashes", async () => {
    const s = fakeStack(
      `
services:
  flaky:
    command: flaky
    ready: { log: up, timeout: 2s }
    restart: { policy: on-failure, backoff: 10ms }
`,
      flaky(1),
    );
    void s.orchestrator.run();
    const ready = s.orchestrator.whenReady();
    await s.runtime.clock.advance(10);
    await ready;
    expect(s.orchestrator.state("flaky")).toMatchObject({ status: "ready", restarts: 1 });
  });
});

describe("the service's timeout, in virtual time", () => {
  it("ends a service after its timeout", async () => {
    const s = fakeStack(`\nservices:\n  hang: { command: sleep 30, timeout: 200ms }\n`, () => {});
    const over = s.orchestrator.run();
    await s.runtime.clock.advance(200);
    await over;
    expect(eventOf(s.events, "hang", "failed").reason.message).toBe("stopped after its timeout of 200 ms");
    expect(eventOf(s.events, "hang", "exited").onPurpose).toBe(true);
  });
});

describe("the ports that checks name, in virtual time", () => {
  it("are checked once before the first runs of the services that start at once, then before each restart", async () => {
    const s = fakeStack(
      `
services:
  web:
    command: web
    ready: { tcp: 8080, log: up }
  api:
    command: api
    ready: { http: "http://localhost:9090/health", log: up }
    restart: { policy: on-failure, backoff: 100ms }
`,
      (p) => {
        if (p.tag === "api.2") p.end(1);
        else p.print("up");
      },
    );
    void s.orchestrator.run();
    await s.runtime.clock.advance(0);
    expect(s.runtime.portChecks).toEqual([
      { port: 8080, at: 0 },
      { port: 9090, at: 0 },
    ]);
    await s.runtime.clock.advance(100);
    // api's restart, after its first run exited: its port may have been taken meanwhile.
    expect(s.runtime.portChecks.filter((c) => c.port === 9090).map((c) => c.at)).toEqual([0, 100]);
    await s.orchestrator.stop();
  });

  it("are checked again when a service starts after waiting for its dependencies: one taken meanwhile fails it", async () => {
    const s = fakeStack(
      `
services:
  db:
    command: db
    ready: { log: up }
  api:
    command: api
    depends_on: { db: { condition: service_healthy } }
    ready: { tcp: 8080, log: up }
`,
      (p, clock) => {
        if (p.tag.startsWith("db")) clock.schedule(() => p.print("up"), 200);
      },
    );
    void s.orchestrator.run();
    await s.runtime.clock.advance(0);
    s.runtime.portsTaken.set(8080, "pid 4242 (nc -l 8080)");
    await s.runtime.clock.advance(200);
    expect(s.runtime.portChecks).toEqual([
      { port: 8080, at: 0 },
      { port: 8080, at: 200 },
    ]);
    expect(eventOf(s.events, "api", "failed").reason.kind).toBe("port-taken");
    await s.orchestrator.stop();
  });
});
