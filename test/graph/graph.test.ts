import { describe, expect, it } from "vitest";
import { SbxError } from "../../src/errors.js";
import { DependencyGraph } from "../../src/graph/dependency-graph.js";
import { findCycle, findCycles } from "../../src/manifest/find-cycle.js";
import { selectServices } from "../../src/graph/select-services.js";
import { load } from "../helpers/manifest.js";

const STACK = `
services:
  db: { command: x, ready: { tcp: 5432 } }
  cache: { command: x }
  migrate: { command: x, depends_on: [db] }
  api:
    command: x
    depends_on:
      db: {}
      migrate: { condition: service_completed_successfully }
      cache: {}
  worker: { command: x, depends_on: [api] }
  web: { command: x, depends_on: [api], profiles: [frontend] }
  docs: { command: x, profiles: [docs] }
  admin: { command: x, depends_on: [docs], profiles: [admin] }
`;

const names = (selection: ReturnType<typeof selectServices>): string[] => selection.services.map((s) => s.name);

describe("the dependency graph", () => {
  const project = load(STACK);
  const graph = new DependencyGraph(project.services.values());

  it("orders every service after what it depends on", () => {
    const position = new Map(graph.order.map((name, i) => [name, i]));
    for (const service of project.services.values()) {
      for (const dep of service.dependsOn) expect(position.get(dep.service)).toBeLessThan(position.get(service.name) as number);
    }
    expect(graph.order).toHaveLength(project.services.size);
  });

  it("tears down in the reverse order", () => {
    expect(graph.reverseOrder).toEqual([...graph.order].reverse());
  });

  it("knows what each service waits for, under which condition, and who waits for it", () => {
    expect(graph.dependenciesOf("api")).toEqual([
      { service: "db", condition: "service_healthy", required: true },
      { service: "migrate", condition: "service_completed_successfully", required: true },
      { service: "cache", condition: "service_started", required: true },
    ]);
    expect([...graph.dependentsOf("api")].sort()).toEqual(["web", "worker"]);
    expect(graph.dependentsOf("worker")).toEqual([]);
  });

  it("takes the transitive closure of a selection", () => {
    expect(new Set(graph.closure(["worker"]))).toEqual(new Set(["db", "cache", "migrate", "api", "worker"]));
  });
});

describe("selecting the services of a run", () => {
  const project = load(STACK);

  it("takes every service without a profile by default", () => {
    expect(new Set(names(selectServices(project)))).toEqual(new Set(["db", "cache", "migrate", "api", "worker"]));
  });

  it("adds the services of an active profile, and what they depend on whatever its profiles", () => {
    expect(names(selectServices(project, { profiles: ["frontend"] }))).toContain("web");
    const admin = names(selectServices(project, { profiles: ["admin"] }));
    expect(admin).toContain("admin");
    expect(admin).toContain("docs");
  });

  it("takes named services and their dependencies, in dependency order", () => {
    const selection = selectServices(project, { services: ["migrate"] });
    expect(names(selection)).toEqual(["db", "migrate"]);
    expect(selection.graph.order).toEqual(["db", "migrate"]);
  });

  it("starts a named service even when its profile is not active", () => {
    expect(names(selectServices(project, { services: ["docs"] }))).toEqual(["docs"]);
  });

  it("with noDeps takes only the named services and drops their edges", () => {
    const selection = selectServices(project, { services: ["api"], noDeps: true });
    expect(names(selection)).toEqual(["api"]);
    expect(selection.services[0]?.dependsOn).toEqual([]);
  });

  it("pulls in an optional dependency only when it is enabled anyway", () => {
    const optional = load(
      "services:\n  metrics: { command: x, profiles: [obs] }\n  api:\n    command: x\n    depends_on:\n      metrics: { condition: service_started, required: false }\n",
    );
    const without = selectServices(optional);
    expect(names(without)).toEqual(["api"]);
    expect(without.services[0]?.dependsOn).toEqual([]);
    expect(names(selectServices(optional, { profiles: ["obs"] }))).toEqual(["metrics", "api"]);
  });

  it("rejects an unknown service name, suggesting the one meant", () => {
    expect(() => selectServices(project, { services: ["wroker"] })).toThrow(SbxError);
    expect(() => selectServices(project, { services: ["wroker"] })).toThrow(/no service "wroker" in .*sandbox\.yaml \(did you mean "worker"\?\)/);
  });
});

describe("finding cycles", () => {
  it("returns the cycle in full, back to its start", () => {
    const edges = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", []],
    ]);
    expect(findCycle(edges)).toEqual(["a", "b", "c", "a"]);
  });

  it("returns nothing for a graph without one, and ignores unknown nodes", () => {
    expect(findCycle(new Map([["a", ["b", "ghost"]], ["b", []]]))).toBeUndefined();
  });

  it("finds every separate cycle", () => {
    const edges = new Map([
      ["a", ["b"]],
      ["b", ["a"]],
      ["c", ["d"]],
      ["d", ["c"]],
    ]);
    expect(findCycles(edges)).toEqual([
      ["a", "b", "a"],
      ["c", "d", "c"],
    ]);
  });

  it("handles a long chain without overflowing", () => {
    const edges = new Map(Array.from({ length: 5000 }, (_, i) => [`s${i}`, i === 0 ? [] : [`s${i - 1}`]] as [string, string[]]));
    expect(findCycle(edges)).toBeUndefined();
  });
});
