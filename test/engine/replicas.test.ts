import { describe, expect, it } from "vitest";
import type { ServiceEvent } from "../../src/engine/events.js";
import { ScaleOverrides } from "../../src/engine/scale-overrides.js";
import { expectAllGone } from "../helpers/processes.js";
import { load } from "../helpers/manifest.js";
import { stack } from "../helpers/stack.js";

/** Where in the event list each service's first event of `type` is. */
function indexOf(events: ServiceEvent[], type: ServiceEvent["type"]): Map<string, number> {
  const at = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.type === type && !at.has(event.service)) at.set(event.service, index);
  });
  return at;
}

describe("replicas in the engine", () => {
  it("tears every instance down after its dependents, instances added by a scale too", async () => {
    const s = stack(`
services:
  db: { command: "sleep 30", replicas: 2 }
  web: { command: "sleep 30", depends_on: [db] }
`);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const changes = await s.orchestrator.scale(new Map([["db", 3]]));
    expect(changes.map((c) => `${c.service} ${c.action}`)).toEqual(["db.2 started"]);
    // web runs on: its dependency grew, its own definition did not change.
    expect(s.of("web").filter((type) => type === "running")).toHaveLength(1);
    const pids = s.events.filter((e) => e.type === "running").map((e) => (e as { pid: number }).pid);
    await s.orchestrator.stop();
    const stopping = indexOf(s.events, "stopping");
    const stopped = indexOf(s.events, "stopped");
    for (const db of ["db.0", "db.1", "db.2"]) expect(stopping.get(db)).toBeGreaterThan(stopped.get("web") as number);
    await expectAllGone(pids);
  });

  it("a scale down stops the highest instances and leaves the rest running", async () => {
    const s = stack(`
services:
  worker: { command: "sleep 30", replicas: 4 }
`);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const changes = await s.orchestrator.scale(new Map([["worker", 2]]));
    expect(changes.map((c) => `${c.service} ${c.action} ${c.reason}`).sort()).toEqual(["worker.2 stopped removed", "worker.3 stopped removed"]);
    expect([...s.orchestrator.states.keys()]).toEqual(["worker.0", "worker.1"]);
    expect(s.of("worker.0")).not.toContain("stopping");
    expect(s.orchestrator.instancesOf("worker")).toEqual(["worker.0", "worker.1"]);
  });
});

describe("scale overrides", () => {
  const manifest = (replicas: number): ReturnType<typeof load> => load(`services:\n  api:\n    command: x\n    replicas: ${replicas}\n`);

  it("hold through a manifest that still says the count they replaced, and give way once it says another", () => {
    const overrides = new ScaleOverrides();
    overrides.set("api", 5, overrides.declaredCount(manifest(3), "api"));
    expect(overrides.applyTo(manifest(3)).services.get("api")?.replicas).toBe(5);
    // A scale of the scaled project replaces the manifest's count still, not the scale's.
    expect(overrides.declaredCount(manifest(3), "api")).toBe(3);
    expect(overrides.applyTo(manifest(4)).services.get("api")?.replicas).toBe(4);
    expect(overrides.applyTo(manifest(3)).services.get("api")?.replicas).toBe(3);
  });
});
