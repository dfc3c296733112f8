import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/manifest/load-project.js";
import { defaultShell } from "../../src/manifest/shell.js";
import type { Service } from "../../src/manifest/types.js";
import { load } from "../helpers/manifest.js";
import { tempDir } from "../helpers/temp-dir.js";

const only = (yaml: string, extra: Record<string, string> = {}, env: Record<string, string> = {}): Service => {
  const project = load(yaml, extra, { env });
  return [...project.services.values()][0] as Service;
};

describe("loading a manifest", () => {
  it("fills in every default", () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    command: node server.js\n" });
    const project = loadProject({ cwd: dir, env: {} });
    expect(project.name).toBe(dir.split("/").pop());
    expect(project.dir).toBe(dir);
    expect(project.files).toEqual([join(dir, "sandbox.yaml")]);
    expect(project.services.get("api")).toEqual({
      name: "api",
      command: { kind: "shell", script: "node server.js", shell: defaultShell() },
      workingDir: dir,
      environment: {},
      dependsOn: [],
      ports: [],
      restart: { policy: "no", maxRestarts: Infinity, backoffMs: 500, maxBackoffMs: 30_000, minUptimeMs: 10_000 },
      stopSignal: "SIGTERM",
      stopGracePeriodMs: 10_000,
      logs: { maxSize: 10 * 1024 * 1024, maxFiles: 3 },
      profiles: [],
      source: { file: join(dir, "sandbox.yaml"), line: 2, column: 3 },
    });
  });

  it("keeps a list command as an argument vector", () => {
    expect(only("services:\n  a:\n    command: [node, -e, 'console.log(1)']\n").command).toEqual({
      kind: "exec",
      argv: ["node", "-e", "console.log(1)"],
    });
  });

  it("turns durations into milliseconds", () => {
    const service = only(
      "services:\n  a:\n    command: x\n    stop_grace_period: 1m30s\n    timeout: 250\n    ready: { tcp: 80, timeout: 5s, interval: 50ms }\n",
    );
    expect(service.stopGracePeriodMs).toBe(90_000);
    expect(service.timeoutMs).toBe(250);
    expect(service.ready).toMatchObject({ timeoutMs: 5_000, intervalMs: 50 });
  });

  it("expands the readiness short forms", () => {
    const service = only(
      "services:\n  a:\n    command: x\n    ready:\n      tcp: 'localhost:5432'\n      http: http://localhost:8080/health?deep=1\n      log: 'listening on (\\d+)'\n      exec: [pg_isready]\n",
    );
    expect(service.ready?.tcp).toEqual({ host: "localhost", port: 5432 });
    expect(service.ready?.http).toEqual({
      host: "localhost",
      port: 8080,
      path: "/health?deep=1",
      status: [
        { min: 200, max: 299 },
        { min: 300, max: 399 },
      ],
      url: "http://localhost:8080/health?deep=1",
    });
    expect(service.ready?.log?.pattern.exec("listening on 8080")?.[1]).toBe("8080");
    expect(service.ready?.exec).toEqual({ kind: "exec", argv: ["pg_isready"] });
    expect(service.ready).toMatchObject({ timeoutMs: 60_000, intervalMs: 100 });
  });

  it("reads a port alone as 127.0.0.1, and IPv6 hosts in brackets", () => {
    expect(only("services:\n  a:\n    command: x\n    ready: { tcp: 6379 }\n").ready?.tcp).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(only("services:\n  a:\n    command: x\n    ready: { tcp: '[::1]:6379' }\n").ready?.tcp).toEqual({ host: "::1", port: 6379 });
  });

  it("reads HTTP statuses as numbers, classes and lists", () => {
    const status = (spec: string) => only(`services:\n  a:\n    command: x\n    ready:\n      http: { port: 80, status: ${spec} }\n`).ready?.http?.status;
    expect(status("204")).toEqual([{ min: 204, max: 204 }]);
    expect(status("'2xx'")).toEqual([{ min: 200, max: 299 }]);
    expect(status("[200, '30x', 401]")).toEqual([
      { min: 200, max: 200 },
      { min: 300, max: 309 },
      { min: 401, max: 401 },
    ]);
    const http = only("services:\n  a:\n    command: x\n    ready:\n      http: { port: 8080, path: /health, host: '::1' }\n").ready?.http;
    expect(http?.url).toBe("http://[::1]:8080/health");
  });

  it("gives depends_on short forms the condition their dependency supports", () => {
    const project = load(
      "services:\n  db: { command: x, ready: { tcp: 5432 } }\n  migrate: { command: x }\n" +
        "  api:\n    command: x\n    depends_on: [db, migrate]\n" +
        "  worker:\n    command: x\n    depends_on:\n      api: {}\n      migrate: { condition: service_completed_successfully }\n      db: { condition: service_ready, required: false }\n",
    );
    expect(project.services.get("api")?.dependsOn).toEqual([
      { service: "db", condition: "service_healthy", required: true },
      { service: "migrate", condition: "service_started", required: true },
    ]);
    expect(project.services.get("worker")?.dependsOn).toEqual([
      { service: "api", condition: "service_started", required: true },
      { service: "migrate", condition: "service_completed_successfully", required: true },
      { service: "db", condition: "service_healthy", required: false },
    ]);
  });

  it("turns restart strings into policies", () => {
    const restart = (spec: string) => only(`services:\n  a:\n    command: x\n    restart: ${spec}\n`).restart;
    expect(restart("'no'")).toMatchObject({ policy: "no" });
    expect(restart("no")).toMatchObject({ policy: "no" });
    expect(restart("always")).toMatchObject({ policy: "always", maxRestarts: Infinity });
    expect(restart("on-failure:3")).toMatchObject({ policy: "on-failure", maxRestarts: 3 });
    expect(restart("{ policy: unless-stopped, max_restarts: 5, backoff: 1s, max_backoff: 1m, min_uptime: 2s }")).toEqual({
      policy: "unless-stopped",
      maxRestarts: 5,
      backoffMs: 1_000,
      maxBackoffMs: 60_000,
      minUptimeMs: 2_000,
    });
  });

  it("resolves working_dir from the manifest's directory", () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  a:\n    command: x\n    working_dir: ./api\n" });
    expect(loadProject({ cwd: dir, env: {} }).services.get("a")?.workingDir).toBe(join(dir, "api"));
  });

  it("finds sandbox.yaml in a parent directory, and resolves paths from there", () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  a:\n    command: x\n    working_dir: web\n" });
    const deep = join(dir, "src", "deep");
    mkdirSync(deep, { recursive: true });
    const project = loadProject({ cwd: deep, env: {} });
    expect(project.dir).toBe(dir);
    expect(project.services.get("a")?.workingDir).toBe(join(dir, "web"));
  });

  it("builds each service's environment: project env_file, project environment, service env_file, service environment", () => {
    const service = only(
      "env_file: common.env\nenvironment: { A: project, B: project }\nservices:\n  a:\n    command: x\n    env_file: [a.env]\n" +
        "    environment: [B=service, FROM_SHELL, NOT_SET]\n",
      { "common.env": "A=common\nC=common\nD=common\n", "a.env": "D=service-file\n" },
      { FROM_SHELL: "shell" },
    );
    expect(service.environment).toEqual({ A: "project", B: "service", C: "common", D: "service-file", FROM_SHELL: "shell" });
  });

  it("passes map values as strings and null ones from sbx's environment", () => {
    const service = only("services:\n  a:\n    command: x\n    environment: { N: 3, T: true, H: ~, E: '' }\n", {}, { H: "home" });
    expect(service.environment).toEqual({ N: "3", T: "true", H: "home", E: "" });
  });

  it("interpolates from the environment, then .env beside the manifest, the environment winning", () => {
    const project = load(
      "name: ${PROJECT:-shop}\nservices:\n  db:\n    command: redis-server --port ${DB_PORT}\n    ready:\n      tcp: ${DB_PORT}\n",
      { ".env": "DB_PORT=7000\nPROJECT=from-dotenv\n" },
      { env: { PROJECT: "from-shell" } },
    );
    expect(project.name).toBe("from-shell");
    expect(project.services.get("db")?.command).toEqual({ kind: "shell", script: "redis-server --port 7000", shell: defaultShell() });
    expect(project.services.get("db")?.ready?.tcp?.port).toBe(7000);
  });

  it("keeps a quoted value a string after interpolation", () => {
    const service = only("services:\n  a:\n    command: x\n    environment:\n      PORT: '${P:-8080}'\n      BARE: ${P:-8080}\n    stop_grace_period: ${GRACE:-1500}\n");
    expect(service.stopGracePeriodMs).toBe(1500);
    expect(service.environment).toEqual({ PORT: "8080", BARE: "8080" });
  });

  it("warns, with the place, about a variable that is not set", () => {
    const project = load("services:\n  a:\n    command: echo ${NOPE}\n");
    expect(project.warnings).toEqual([expect.stringMatching(/sandbox\.yaml:3 variable NOPE is not set: using an empty string$/)]);
    expect(project.services.get("a")?.command).toEqual({ kind: "shell", script: "echo ", shell: defaultShell() });
  });

  it("resolves YAML anchors, aliases and merge keys", () => {
    const project = load(
      "x-base: &base\n  restart: always\n  environment: { A: '1' }\nservices:\n  a:\n    <<: *base\n    command: x\n  b:\n    <<: *base\n    command: y\n    restart: 'no'\n",
    );
    expect(project.services.get("a")?.restart.policy).toBe("always");
    expect(project.services.get("a")?.environment).toEqual({ A: "1" });
    expect(project.services.get("b")?.restart.policy).toBe("no");
  });

  it("merges several files in order, later ones overriding, as compose does", () => {
    const dir = tempDir({
      "sandbox.yaml":
        "services:\n  api:\n    command: node server.js\n    environment: [A=base, B=base]\n    depends_on: [db]\n    ready: { tcp: 8080, timeout: 5s }\n  db:\n    command: x\n",
      "sandbox.dev.yaml":
        "services:\n  api:\n    command: [node, --watch, server.js]\n    environment: { B: dev, C: dev }\n    depends_on: [cache]\n    ready: { timeout: 30s }\n  cache:\n    command: y\n",
    });
    const project = loadProject({ cwd: dir, files: ["sandbox.yaml", "sandbox.dev.yaml"], env: {} });
    const api = project.services.get("api");
    expect(api?.command).toEqual({ kind: "exec", argv: ["node", "--watch", "server.js"] });
    expect(api?.environment).toEqual({ A: "base", B: "dev", C: "dev" });
    expect(api?.dependsOn.map((d) => d.service)).toEqual(["db", "cache"]);
    expect(api?.ready).toMatchObject({ tcp: { port: 8080 }, timeoutMs: 30_000 });
    expect([...project.services.keys()]).toEqual(["api", "db", "cache"]);
  });

  it("points an error in an override file at that file", () => {
    const dir = tempDir({
      "sandbox.yaml": "services:\n  api:\n    command: x\n",
      "override.yaml": "services:\n  api:\n    stop_signal: NOPE\n",
    });
    expect(() => loadProject({ cwd: dir, files: ["sandbox.yaml", "override.yaml"], env: {} })).toThrow(
      /override\.yaml:3:18 services\.api\.stop_signal: "NOPE" is not a signal/,
    );
  });

  it("resolves paths from --project-dir when given", () => {
    const dir = tempDir({ "deploy/sandbox.yaml": "services:\n  a:\n    command: x\n    working_dir: app\n" });
    writeFileSync(join(dir, ".env"), "");
    const project = loadProject({ cwd: dir, files: ["deploy/sandbox.yaml"], projectDir: ".", env: {} });
    expect(project.dir).toBe(dir);
    expect(project.services.get("a")?.workingDir).toBe(join(dir, "app"));
  });

  it("records where each service is declared", () => {
    const project = load("services:\n  a:\n    command: x\n\n  b:\n    command: y\n");
    expect(project.services.get("b")?.source).toMatchObject({ line: 5, column: 3 });
  });
});
