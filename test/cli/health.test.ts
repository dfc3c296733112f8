import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundProject, type BackgroundProject } from "../helpers/background-projects.js";
import { fixture, until } from "../helpers/processes.js";

// health: end to end, against a real HTTP server on an auto port that starts failing its checks
// and recovers; the background projects' teardown checks that nothing is left.

interface PsRow {
  name: string;
  status: string;
  pid: number | null;
  restarts: number;
  health?: "healthy" | "unhealthy" | null;
  healthFailures?: string[];
}

const node = JSON.stringify(process.execPath);
const server = JSON.stringify(fixture("sickly-server.mjs"));

const ps = async (p: BackgroundProject): Promise<Record<string, PsRow>> =>
  Object.fromEntries((JSON.parse((await p.sbx("ps", "--json")).stdout) as PsRow[]).map((row) => [row.name, row]));

/** Makes the server fail its next `checks` requests, written at once (a rename) so that it never reads half a number. */
function sicken(p: BackgroundProject, checks: number): void {
  writeFileSync(join(p.dir, "sick.tmp"), String(checks));
  renameSync(join(p.dir, "sick.tmp"), join(p.dir, "sick"));
}

const manifest = (restart: string): string => `
services:
  api:
    command: [${node}, ${server}]
    ports: { http: auto }
    ready: { http: { port: http, path: /health } }
    health: { http: { port: http, path: /health }, interval: 100ms, timeout: 1s, retries: 2 }
    restart: ${restart}
  web:
    command: "echo web up; sleep 60 & wait"
    depends_on: { api: { condition: service_healthy } }
`;

describe("health after ready", () => {
  it("with restart: no, a server that fails its checks is shown unhealthy by ps and the API, then healthy again, never restarted", async () => {
    const p = backgroundProject(manifest('"no"'));
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    // Healthy from the first check that passes, as compose's "(healthy)".
    const before = await until(() => ps(p), (rows) => rows.api?.health === "healthy", "api never said healthy");
    expect((await p.sbx("ps")).stdout).toMatch(/^api\s+ready \(healthy\)\s/m);
    sicken(p, 6);
    const sick = await until(() => ps(p), (rows) => rows.api?.health === "unhealthy", "api never went unhealthy");
    expect(sick.api).toMatchObject({ status: "ready", pid: before.api!.pid, restarts: 0 });
    expect(sick.api!.healthFailures).toEqual([expect.stringMatching(/^http http:\/\/127\.0\.0\.1:\d+\/health: HTTP 500$/)]);
    const table = (await p.sbx("ps")).stdout;
    expect(table).toMatch(/^api\s+ready \(unhealthy\)\s/m);
    expect(table).toMatch(/^api: unhealthy: http http:\/\/127\.0\.0\.1:\d+\/health: HTTP 500$/m);
    const well = await until(() => ps(p), (rows) => rows.api?.health === "healthy", "api never recovered");
    expect(well.api).toMatchObject({ status: "ready", pid: before.api!.pid, restarts: 0 });
    expect(well.web).toMatchObject({ pid: before.web!.pid, restarts: 0 });
    const told = readFileSync(join(p.dir, ".sbx", "sbx.log"), "utf8");
    expect(told).toMatch(/api\s+» unhealthy: health checks failed 2 times in a row: http http:\/\/127\.0\.0\.1:\d+\/health: HTTP 500/);
    expect(told).toMatch(/api\s+» healthy again/);
    // The first pass says nothing: only the recovery is news.
    expect(told.match(/healthy again/g)).toHaveLength(1);
  });

  it("with restart: on-failure, an unhealthy server is restarted and ready again; its service_healthy dependent is left running", async () => {
    const p = backgroundProject(manifest("{ policy: on-failure, backoff: 100ms }"));
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const before = await ps(p);
    sicken(p, 2);
    const after = await until(() => ps(p), (rows) => rows.api?.restarts === 1 && rows.api.status === "ready", "api was not restarted");
    expect(after.api!.pid).not.toBe(before.api!.pid);
    expect(after.web).toMatchObject({ status: "ready", pid: before.web!.pid, restarts: 0 });
    const told = readFileSync(join(p.dir, ".sbx", "sbx.log"), "utf8");
    expect(told).toMatch(/api\s+» unhealthy: /);
    expect(told).toMatch(/api\s+» restarting in 100 ms \(restart 1\)/);
  });
});
