import { describe, expect, it } from "vitest";
import { defaults } from "../../src/defaults.js";
import type { Service } from "../../src/manifest/types.js";
import { load, problems } from "../helpers/manifest.js";

const only = (yaml: string, env: Record<string, string> = {}): Service => [...load(yaml, {}, { env }).services.values()][0] as Service;

describe("a value that is close to an accepted one gets a suggestion, as a key does", () => {
  it("restart's short form", () => {
    const rule = `must be "no", on-failure, on-failure:N, always, unless-stopped, or { policy, max_restarts, backoff, max_backoff, min_uptime }`;
    expect(problems("services:\n  api:\n    command: x\n    restart: unless-stoped\n")).toEqual([
      `4:14 services.api.restart: "unless-stoped" ${rule} (did you mean "unless-stopped"?)`,
    ]);
    expect(problems("services:\n  api:\n    command: x\n    restart: on_failure\n")).toEqual([
      `4:14 services.api.restart: "on_failure" ${rule} (did you mean "on-failure"?)`,
    ]);
    expect(problems("services:\n  api:\n    command: x\n    restart: Always\n")).toEqual([`4:14 services.api.restart: "Always" ${rule} (did you mean "always"?)`]);
    expect(problems("services:\n  api:\n    command: x\n    restart: sometimes\n")).toEqual([`4:14 services.api.restart: "sometimes" ${rule}`]);
  });

  it("every short form compose accepts still loads", () => {
    for (const [written, policy, maxRestarts] of [
      ["'no'", "no", Infinity],
      ["no", "no", Infinity],
      ["always", "always", Infinity],
      ["unless-stopped", "unless-stopped", Infinity],
      ["on-failure", "on-failure", Infinity],
      ["on-failure:3", "on-failure", 3],
    ] as const) {
      expect(only(`services:\n  api:\n    command: x\n    restart: ${written}\n`).restart).toMatchObject({ policy, maxRestarts });
    }
  });
});

describe("ready.http", () => {
  it("takes a bare port: GET / on 127.0.0.1, any status from 200 to 399", () => {
    expect(only("services:\n  api:\n    command: x\n    ready: { http: 8080 }\n").ready?.http).toEqual({
      host: "127.0.0.1",
      port: 8080,
      path: "/",
      status: defaults.httpStatus,
      url: "http://127.0.0.1:8080/",
    });
    expect(only("services:\n  api:\n    command: x\n    ready:\n      http: ${API_PORT:-3000}\n", { API_PORT: "4000" }).ready?.http?.port).toBe(4000);
  });

  it("says which forms it takes when given none of them", () => {
    const rule = "must be an http:// URL, a port, or { port, path, status, host }";
    expect(problems("services:\n  api:\n    command: x\n    ready: { http: 0 }\n")).toEqual([`4:20 services.api.ready.http: 0 ${rule}`]);
    expect(problems("services:\n  api:\n    command: x\n    ready: { http: 'localhost:8080/health' }\n")).toEqual([
      `4:20 services.api.ready.http: "localhost:8080/health" ${rule}`,
    ]);
  });
});

describe("a key a compose user types is answered with what to write in sbx", () => {
  it("develop (compose's develop.watch) points to watch and sbx up --watch", () => {
    expect(problems("services:\n  api:\n    command: x\n    develop:\n      watch: [{ path: ./src, action: rebuild }]\n")).toEqual([
      `4:5 services.api.develop: unknown key "develop": compose's develop.watch is watch: { paths, ignore, action: restart | exec, command } on the service, turned on by sbx up --watch (a program's own watch mode, node --watch or vite, works as the command too)`,
    ]);
  });

  it("healthcheck: the ready check its test, interval and retries make", () => {
    const yaml = `services:
  db:
    command: postgres -D /var/lib/postgresql/data
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
      interval: 5s
      retries: 5
      start_period: 10s
`;
    expect(problems(yaml)).toEqual([
      `4:5 services.db.healthcheck: unknown key "healthcheck": sbx waits for a service with ready: compose's test is ready.exec (a CMD list without "CMD", a CMD-SHELL string as a string), interval is interval, and about start_period + retries × interval is ready.timeout; a port is checked more simply with ready: { tcp: PORT } or { http: PORT }; checks that go on once it is ready are health: { exec, interval, timeout, retries }. Here: ready: { exec: [ pg_isready, -U, postgres ], interval: 5s, timeout: 35s }`,
    ]);
    const shell = problems(`services:\n  api:\n    command: node server.js\n    healthcheck: { test: "curl -f http://localhost:8080/ || exit 1" }\n`);
    expect(shell[0]).toMatch(/Here: ready: \{ exec: curl -f http:\/\/localhost:8080\/ \|\| exit 1 \}$/);
    const cmdShell = problems(`services:\n  api:\n    command: x\n    healthcheck:\n      test: [CMD-SHELL, "redis-cli ping | grep PONG"]\n      interval: 1s\n`);
    expect(cmdShell[0]).toMatch(/Here: ready: \{ exec: redis-cli ping \| grep PONG, interval: 1s, timeout: 3s \}$/);
    // A healthcheck that is switched off needs no ready check at all.
    expect(problems(`services:\n  api:\n    command: x\n    healthcheck: { disable: true }\n`)[0]).toMatch(/Here: no ready check is needed; drop healthcheck$/);
  });

  it("image, build, ports, container_name, volumes, networks, each with its sbx way", () => {
    const yaml = `services:
  cache:
    image: redis:7
    container_name: my-cache
    ports: ["6380:6379"]
    volumes: [./data:/data]
    networks: [backend]
  api:
    build: .
    command: node server.js
`;
    expect(problems(yaml)).toEqual([
      `2:3 services.cache: missing key "command"`,
      `3:5 services.cache.image: unknown key "image": sbx runs programs installed on the host, not container images: write the command that starts the program (command: redis-server --port 6379)`,
      `4:5 services.cache.container_name: unknown key "container_name": a service's name is its key under services (sbx logs NAME, sbx restart NAME); the project's is the top-level name`,
      `5:12 services.cache.ports: a list must be a map of port names to a port or auto, as ports: { http: 8080, admin: auto }: compose's "HOST:CONTAINER" list does not apply, as a service binds its port on the host itself`,
      `6:5 services.cache.volumes: unknown key "volumes": services run on the host and see its files as they are: use the paths themselves (working_dir, or paths in the command) instead of mounts`,
      `7:5 services.cache.networks: unknown key "networks": services share the host's network: reach another service at 127.0.0.1 and its port, not by its name`,
      `9:5 services.api.build: unknown key "build": sbx builds no image: run the build as a one-shot service (command: npm run build) and have this one wait for it with depends_on: { build: { condition: service_completed_successfully } }`,
    ]);
  });

  it("compose's top-level keys, and its keys inside depends_on and ready", () => {
    expect(problems("version: '3.8'\nservices:\n  a: { command: x }\nvolumes: { data: {} }\n")).toEqual([
      `1:1 version: unknown key "version": sbx's manifest has no versions (compose ignores version too): drop it`,
      `4:1 volumes: unknown key "volumes": services run on the host, on its files and its network: there is nothing to declare`,
    ]);
    expect(
      problems("services:\n  db: { command: x, ready: { tcp: 5432, retries: 5 } }\n  api:\n    command: x\n    depends_on:\n      db: { condition: service_healthy, restart: true }\n"),
    ).toEqual([
      `2:41 services.db.ready.retries: unknown key "retries": ready.timeout is how long the checks may take in all: about retries × interval`,
    ]);
  });

  it("a misspelt sbx key still gets its suggestion, never a compose key", () => {
    expect(problems("services:\n  api:\n    comand: x\n")).toEqual([
      `2:3 services.api: missing key "command"`,
      `3:5 services.api.comand: unknown key "comand" (did you mean "command"?)`,
    ]);
    expect(problems("services:\n  api:\n    command: x\n    helthcheck: {}\n")).toEqual([`4:5 services.api.helthcheck: unknown key "helthcheck"`]);
  });
});
