import { describe, expect, it } from "vitest";
import { toConfigView, toConfigYaml } from "../../src/manifest/config-view.js";
import { instanceNames, projectInstances, withReplicas } from "../../src/manifest/instances.js";
import { load, problems } from "../helpers/manifest.js";

const api = (extra: string): string => `services:\n  api:\n    command: x\n${extra}`;

describe("replicas", () => {
  it("loads the count, none declared being one instance", () => {
    expect(load(api("    replicas: 3\n")).services.get("api")?.replicas).toBe(3);
    expect(load(api("    replicas: 0\n")).services.get("api")?.replicas).toBe(0);
    expect(load(api("")).services.get("api")?.replicas).toBeUndefined();
  });

  it("refuses a count that is not an integer from 0 to 100, naming the line and the key", () => {
    expect(problems(api("    replicas: 2.5\n"))).toEqual(["4:15 services.api.replicas: 2.5 must be an integer from 0 to 100"]);
    expect(problems(api("    replicas: -1\n"))).toEqual(["4:15 services.api.replicas: -1 must be an integer from 0 to 100"]);
    expect(problems(api("    replicas: 100000\n"))).toEqual(["4:15 services.api.replicas: 100000 must be an integer from 0 to 100"]);
    expect(problems(api("    replicas: three\n"))).toEqual(['4:15 services.api.replicas: "three" must be an integer from 0 to 100']);
  });

  it("refuses a fixed port, and a check of a fixed port, for more than one instance", () => {
    expect(problems(api("    replicas: 3\n    ports: { http: 8080 }\n"))).toEqual([
      `5:20 services.api.ports.http: fixed port 8080 cannot serve 3 replicas of "api": every instance would bind it; write auto, and each instance gets its own`,
    ]);
    const checks = problems(api("    replicas: 2\n    ports: { http: auto }\n    ready: { tcp: 9000 }\n    health: { http: 'http://127.0.0.1:9000/' }\n"));
    expect(checks).toEqual([
      `6:19 services.api.ready.tcp: ready.tcp checks fixed port 9000 for each of 2 replicas of "api", which cannot all listen on it: declare ports: { http: auto } and name it (ready: { tcp: http })`,
      `7:21 services.api.health.http: health.http checks fixed port 9000 for each of 2 replicas of "api", which cannot all listen on it: declare ports: { http: auto } and name it (health: { http: http })`,
    ]);
    // One instance may keep its fixed port, and several may check their own auto one.
    expect(() => load(api("    replicas: 1\n    ports: { http: 8080 }\n    ready: { tcp: http }\n"))).not.toThrow();
    expect(() => load(api("    replicas: 3\n    ports: { http: auto }\n    ready: { http: { port: http, path: /health } }\n"))).not.toThrow();
  });

  it("refuses a reference to the address of a service of no instance", () => {
    const yaml = "services:\n  api:\n    command: x\n    replicas: 0\n    ports: { http: auto }\n  web:\n    command: [curl, '${services.api.url}']\n    depends_on: [api]\n    environment: { PORT_OF_API: '${services.api.ports.http}' }\n";
    expect(problems(yaml)).toEqual([
      `7:21 services.web.command[1]: \${services.api.url} has no value: "api" runs no instance (replicas: 0)`,
      `9:33 services.web.environment.PORT_OF_API: \${services.api.ports.http} has no value: "api" runs no instance (replicas: 0)`,
    ]);
  });

  it("refuses a service named as an instance of a replicated one", () => {
    expect(problems(`${api("    replicas: 2\n")}  api.1:\n    command: y\n`)).toEqual([
      `5:3 services.api.1: the name "api.1" is that of replica 1 of "api" (replicas: 2): rename one of them`,
    ]);
  });

  it("makes one instance per replica, each dependency on a service one on each of its instances", () => {
    const project = load("services:\n  api:\n    command: x\n    replicas: 3\n  db:\n    command: y\n  web:\n    command: z\n    depends_on: [api, db]\n  off:\n    command: w\n    replicas: 0\n");
    const instances = projectInstances(project);
    expect([...instances.keys()]).toEqual(["api.0", "api.1", "api.2", "db", "web"]);
    expect(instances.get("api.2")?.instance).toEqual({ service: "api", replica: 2 });
    expect(instances.get("db")?.instance).toEqual({ service: "db", replica: 0 });
    expect(instances.get("web")?.dependsOn.map((d) => d.service)).toEqual(["api.0", "api.1", "api.2", "db"]);
    expect(instanceNames(project.services.get("off") as never)).toEqual([]);
    const scaled = withReplicas(project, new Map([["api", 1]]));
    expect([...projectInstances(scaled).keys()]).toEqual(["api", "db", "web"]);
  });

  it("points compose's scale and deploy.replicas to replicas", () => {
    expect(problems(api("    scale: 3\n"))).toEqual([`4:5 services.api.scale: unknown key "scale": sbx's name for it is replicas: N (and sbx scale SERVICE=N on a running project)`]);
    expect(problems(api("    deploy: { replicas: 3 }\n"))[0]).toContain("deploy.replicas is replicas: N");
  });

  it("shows replicas in sbx config, which loads back the same", () => {
    const first = load(api("    replicas: 3\n"));
    const view = toConfigView(first) as { services: Record<string, Record<string, unknown>> };
    expect(view.services.api?.replicas).toBe(3);
    expect(load(toConfigYaml(view)).services.get("api")?.replicas).toBe(3);
  });
});
