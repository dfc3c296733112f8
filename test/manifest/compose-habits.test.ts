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
