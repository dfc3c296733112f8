import { beforeEach, describe, expect, it } from "vitest";
import { planApply } from "../../src/engine/apply-plan.js";
import { definitionChanges } from "../../src/engine/service-definition.js";
import { initialState, type ServiceState } from "../../src/engine/service-state.js";
import { selectServices } from "../../src/graph/select-services.js";
import type { Project } from "../../src/manifest/types.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadProject } from "../../src/manifest/load-project.js";
import { tempDir } from "../helpers/temp-dir.js";

/** Each version of the manifest in the test's one directory, as a user edits it (temporary directories go after each test). */
let dir: string | undefined;
beforeEach(() => {
  dir = undefined;
});
const load = (yaml: string): Project => {
  dir ??= tempDir({});
  writeFileSync(join(dir, "sandbox.yaml"), yaml);
  return loadProject({ cwd: dir, env: {} });
};

const BASE = `
services:
  db: { command: "db", ready: { tcp: 5432 } }
  api: { command: ["node", "api.js"], environment: { B: "2", A: "1" }, depends_on: [db] }
  job: { command: "migrate" }
`;

const service = (project: Project, name: string) => project.services.get(name)!;
const running = (project: Project, states: Record<string, ServiceState["status"]> = {}) => ({
  declared: project.services,
  states: new Map([...project.services.keys()].map((name) => [name, { ...initialState(name), status: states[name] ?? "running" }])),
});
const next = (project: Project, services: string[] = []) => ({ project, selection: selectServices(project, { services }) });

describe("definitionChanges", () => {
  it("names the keys whose resolved values differ, and none for the same service written otherwise", () => {
    const before = load(BASE);
    expect(definitionChanges(service(before, "api"), service(load(BASE.replace('{ B: "2", A: "1" }', "{ A: 1, B: 2 }")), "api"))).toEqual([]);
    const after = load(BASE.replace('["node", "api.js"]', '["node", "api2.js"]').replace('A: "1"', 'A: "3"'));
    expect(definitionChanges(service(before, "api"), service(after, "api"))).toEqual(["command", "environment"]);
    expect(definitionChanges(service(before, "db"), service(load(BASE.replace("tcp: 5432", "tcp: 5433")), "db"))).toEqual(["ready"]);
  });

  it("leaves depends_on out, as compose's config hash does: the short form's condition follows the dependency's ready check", () => {
    const before = load(BASE);
    const after = load(BASE.replace("depends_on: [db]", "depends_on: [db, job]"));
    expect(definitionChanges(service(before, "api"), service(after, "api"))).toEqual([]);
  });
});

describe("planApply", () => {
  it("restarts what changed, starts what is new or had failed, stops what was removed, leaves the rest", () => {
    const before = load(BASE);
    const after = load(BASE.replace('command: "db"', 'command: "db2"').replace(/ {2}job: .*\n/, "").concat('  web: { command: "web" }\n'));
    const changes = planApply(running(before, { api: "failed" }), next(after), { removeMissing: true });
    expect(changes).toEqual([
      { service: "db", action: "restarted", reason: "changed", changed: ["command"] },
      { service: "api", action: "started", reason: "had-failed", changed: [] },
      { service: "web", action: "started", reason: "new", changed: [] },
      { service: "job", action: "stopped", reason: "removed", changed: [] },
    ]);
  });

  it("leaves a completed job alone, restarts every selected service with force, and removes nothing without removeMissing", () => {
    const before = load(BASE);
    const fewer = load(BASE.replace(/ {2}job: .*\n/, ""));
    expect(planApply(running(before, { job: "completed" }), next(before), {})).toEqual([]);
    expect(planApply(running(before), next(fewer, ["api"]), { force: true }).map((c) => `${c.service} ${c.action} ${c.reason}`)).toEqual(["db restarted forced", "api restarted forced"]);
  });
});
