import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toConfigView, toConfigYaml } from "../../src/manifest/config-view.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { load, problems } from "../helpers/manifest.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("health: checks that go on once a service is ready", () => {
  it("loads each check kind, its port by number or name, and fills in interval 5s, timeout 2s, retries 3", () => {
    const project = load(`
services:
  api:
    command: node server.js
    ports: { http: auto }
    health:
      http: { port: http, path: /health, status: 2xx }
  db:
    command: redis-server
    health: { tcp: 6379, exec: [redis-cli, ping], interval: 1s, timeout: 500ms, retries: 5 }
`);
    const api = project.services.get("api")!;
    const db = project.services.get("db")!;
    expect(api.health).toEqual({
      http: { host: "127.0.0.1", port: 0, portName: "http", path: "/health", status: [{ min: 200, max: 299 }], url: "http://127.0.0.1:0/health" },
      intervalMs: 5_000,
      timeoutMs: 2_000,
      retries: 3,
    });
    expect(db.health).toEqual({ tcp: { host: "127.0.0.1", port: 6379 }, exec: { kind: "exec", argv: ["redis-cli", "ping"] }, intervalMs: 1_000, timeoutMs: 500, retries: 5 });
    expect(api.ready).toBeUndefined();
  });

  it("sbx config writes it out with its defaults, and what it writes loads back to the same checks", () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  api:
    command: node server.js
    ports: { http: 8080 }
    health: { http: { port: http, path: /health }, exec: "curl -fs localhost:\${ports.http}", retries: 2 }
`,
    });
    const project = loadProject({ cwd: dir, env: {} });
    const view = toConfigView(project) as { services: Record<string, Record<string, unknown>> };
    expect(view.services.api!.health).toEqual({
      http: { host: "127.0.0.1", port: "http", path: "/health", status: ["2xx", "3xx"] },
      exec: "curl -fs localhost:${ports.http}",
      interval: "5s",
      timeout: "2s",
      retries: 2,
    });
    writeFileSync(join(dir, "resolved.yaml"), toConfigYaml(toConfigView(project)));
    const again = loadProject({ cwd: dir, env: {}, files: ["resolved.yaml"] });
    expect(again.services.get("api")!.health).toEqual(project.services.get("api")!.health);
  });

  it("names the file's line and column for a bad value, a log check, a missing check and an unknown port", () => {
    expect(
      problems(`
services:
  api:
    command: node server.js
    health: { tcp: 8080, log: ready }
  db:
    command: redis-server
    health:
      tcp: 6379
      retries: 0
      interval: soon
  web:
    command: web
    health: { interval: 1s }
  cache:
    command: cache
    health: { http: { port: admin } }
`),
    ).toEqual([
      expect.stringMatching(/^5:26 services\.api\.health\.log: unknown key "log": a log line is a one-time signal/),
      expect.stringMatching(/^10:16 services\.db\.health\.retries: 0 must be an integer of at least 1/),
      expect.stringMatching(/^11:17 services\.db\.health\.interval: "soon" must be a duration/),
      expect.stringMatching(/^14:13 services\.web\.health: needs at least one check: tcp, http or exec/),
      expect.stringMatching(/^17:29 services\.cache\.health\.http\.port: "cache" declares no port "admin"/),
    ]);
  });
});
