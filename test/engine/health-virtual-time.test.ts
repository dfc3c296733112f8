import { describe, expect, it } from "vitest";
import type { ServiceEvent } from "../../src/engine/events.js";
import { FakeRuntime, type Script } from "../helpers/fake-runtime.js";
import { stack } from "../helpers/stack.js";

// The health loop in the engine, on fake processes in virtual time: when checks begin, how many
// failures make a service unhealthy, what its restart policy then does, and what its dependents see.

function fakeStack(yaml: string, script: Script): ReturnType<typeof stack> & { runtime: FakeRuntime } {
  const runtime = new FakeRuntime(script);
  return Object.assign(stack(yaml, { orchestrator: { runtime } }), { runtime });
}

const up: Script = (p) => p.print("up");

/** Health answers by attempt number: failing on the attempts listed, passing on the others. */
const failingOn =
  (service: string, attempts: readonly number[]) =>
  (name: string, attempt: number) =>
    name === service && attempts.includes(attempt) ? { ok: false as const, reasons: [`http http://127.0.0.1:8080/health: HTTP 500`] } : { ok: true as const };

type Of<T extends ServiceEvent["type"]> = Extract<ServiceEvent, { type: T }>;

describe("health after ready, in virtual time", () => {
  it("checks every interval once ready, tells unhealthy at the retries-th failure in a row and healthy when the checks pass again; with restart: no it leaves the process running", async () => {
    const s = fakeStack(
      `
services:
  api:
    command: api
    ready: { log: up }
    health: { http: 8080, interval: 1s, retries: 3 }
`,
      up,
    );
    // Attempts are numbered from 0, one a second from 1 s after ready: 0 passes (healthy at 1 s), 1
    // fails alone (forgiven), 3, 4 and 5 in a row (unhealthy at the third, at 6 s), 6 passes (healthy again at 7 s).
    s.runtime.healthAnswer = failingOn("api", [1, 3, 4, 5]);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const readyAt = s.runtime.clock.now();
    await s.runtime.clock.advance(8_000);
    expect(s.runtime.healthAttempts.map((a) => a.at - readyAt)).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000]);
    const unhealthy = s.events.find((e) => e.type === "unhealthy") as Of<"unhealthy">;
    expect(unhealthy).toMatchObject({ service: "api", run: 1, failures: 3, reasons: ["http http://127.0.0.1:8080/health: HTTP 500"] });
    expect(unhealthy.time - readyAt).toBe(6_000);
    const healthy = s.events.filter((e) => e.type === "healthy") as Of<"healthy">[];
    expect(healthy.map((e) => [e.time - readyAt, e.again])).toEqual([[1_000, false], [7_000, true]]);
    expect(s.of("api")).toEqual(["starting", "running", "unready", "ready", "healthy", "unhealthy", "healthy"]);
    expect(s.runtime.last.signals).toEqual([]);
    expect(s.orchestrator.state("api")).toMatchObject({ status: "ready", health: "healthy", runs: 1 });
  });

  it("the state says unhealthy, with each check's last failure, while it is", async () => {
    const s = fakeStack(
      `
services:
  api:
    command: api
    ready: { log: up }
    health: { http: 8080, interval: 1s, retries: 2 }
`,
      up,
    );
    s.runtime.healthAnswer = failingOn("api", [0, 1, 2, 3]);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    await s.runtime.clock.advance(2_000);
    expect(s.orchestrator.state("api")).toMatchObject({ status: "ready", health: "unhealthy", unhealthy: ["http http://127.0.0.1:8080/health: HTTP 500"] });
  });

  it("with a restart policy that allows it, ends the unhealthy run as a failure and restarts it, its checks beginning afresh once it is ready again", async () => {
    const s = fakeStack(
      `
services:
  api:
    command: api
    ready: { log: up }
    health: { http: 8080, interval: 1s, retries: 2 }
    restart: { policy: on-failure, backoff: 500ms }
    stop_grace_period: 3s
`,
      up,
    );
    s.runtime.healthAnswer = failingOn("api", [0, 1]);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const readyAt = s.runtime.clock.now();
    await s.runtime.clock.advance(2_000);
    expect(s.runtime.processes[0]!.signals).toEqual(["SIGTERM"]);
    const exited = s.events.find((e) => e.type === "exited") as Of<"exited">;
    expect(exited).toMatchObject({ run: 1, onPurpose: true, signal: "SIGTERM" });
    expect(exited.time - readyAt).toBe(2_000);
    const restarting = s.events.find((e) => e.type === "restarting") as Of<"restarting">;
    expect(restarting).toMatchObject({ run: 1, delayMs: 500, restarts: 1 });
    await s.runtime.clock.advance(500);
    expect(s.runtime.processes).toHaveLength(2);
    expect(s.orchestrator.state("api")).toMatchObject({ status: "ready", runs: 2, restarts: 1 });
    // The new run's checks start over: one interval after it is ready, and they pass.
    expect(s.orchestrator.state("api")?.health).toBeUndefined();
    await s.runtime.clock.advance(3_000);
    expect(s.runtime.healthAttempts.map((a) => a.at - readyAt)).toEqual([1_000, 2_000, 3_500, 4_500, 5_500]);
    expect(s.of("api").filter((t) => t === "unhealthy" || t === "healthy" || t === "restarting")).toEqual(["unhealthy", "restarting", "healthy"]);
  });

  it("after max_restarts, an unhealthy service is left running, unhealthy", async () => {
    const s = fakeStack(
      `
services:
  api:
    command: api
    ready: { log: up }
    health: { tcp: 8080, interval: 1s, retries: 1 }
    restart: { policy: always, max_restarts: 1, backoff: 100ms }
`,
      up,
    );
    s.runtime.healthAnswer = () => ({ ok: false, reasons: ["tcp 127.0.0.1:8080: connection refused"] });
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    await s.runtime.clock.advance(10_000);
    expect(s.runtime.processes).toHaveLength(2);
    expect(s.runtime.processes[1]!.running).toBe(true);
    expect(s.orchestrator.state("api")).toMatchObject({ status: "ready", health: "unhealthy", restarts: 1 });
  });

  it("a dependent with service_healthy that already started is not restarted, and sees the events", async () => {
    const s = fakeStack(
      `
services:
  db:
    command: db
    ready: { log: up }
    health: { tcp: 5432, interval: 1s, retries: 1 }
  api:
    command: api
    depends_on: { db: { condition: service_healthy } }
    ready: { log: up }
`,
      up,
    );
    s.runtime.healthAnswer = failingOn("db", [0]);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    await s.runtime.clock.advance(3_000);
    expect(s.of("db")).toContain("unhealthy");
    expect(s.of("db")).toContain("healthy");
    expect(s.of("api").filter((t) => t === "starting")).toHaveLength(1);
    expect(s.runtime.processes.every((p) => p.running)).toBe(true);
  });

  it("no attempt before the service is ready, and none after it is stopped", async () => {
    const s = fakeStack(
      `
services:
  api:
    command: api
    ready: { log: up }
    health: { http: 8080, interval: 1s }
`,
      (p, clock) => void clock.schedule(() => p.print("up"), 5_000),
    );
    void s.orchestrator.run();
    await s.runtime.clock.advance(4_999);
    expect(s.runtime.healthAttempts).toEqual([]);
    await s.runtime.clock.advance(2_001);
    expect(s.runtime.healthAttempts.map((a) => a.at)).toEqual([6_000, 7_000]);
    await Promise.all([s.orchestrator.stopService("api"), s.runtime.clock.advance(0)]);
    await s.runtime.clock.advance(10_000);
    expect(s.runtime.healthAttempts).toHaveLength(2);
  });
});
