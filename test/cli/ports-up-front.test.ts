import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

const squatters: ChildProcess[] = [];
afterEach(() => {
  for (const squatter of squatters.splice(0)) squatter.kill("SIGKILL");
});

/** Another program that holds `port`: resolves once it listens. */
async function squat(port: number): Promise<ChildProcess> {
  const squatter = spawn(process.execPath, [fixture("tcp-server.mjs"), String(port)], { stdio: ["ignore", "pipe", "ignore"] });
  squatters.push(squatter);
  await new Promise<void>((resolve) => {
    let out = "";
    squatter.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("listening")) resolve();
    });
  });
  return squatter;
}

// `web` comes last in the dependency order; its port is checked before `db` and `api` start.
const STACK = (port: number): string => `
services:
  db:
    command: "touch db.started; echo db up; sleep 30"
  api:
    command: "touch api.started; echo api up; sleep 30"
    depends_on: [db]
  web:
    command: "touch web.started; sleep 30"
    ready: { http: { port: ${port}, path: /health } }
    depends_on: [api]
`;

describe("a port that another program holds", () => {
  it("is reported with the service, the port and its holder before anything starts, by a service last in the order", async () => {
    const port = await freePort();
    const squatter = await squat(port);
    const dir = tempDir({ "sandbox.yaml": STACK(port) });
    const sbx = startSbx(dir, ["up"]);
    expect(await sbx.exited).toBe(1);
    const out = sbx.stdout();
    expect(out).toContain(`web » failed: port ${port} is already in use by pid ${squatter.pid} (`);
    expect(out).toMatch(new RegExp(`db  » not started: port ${port}, which web needs, is already in use\\n`));
    expect(out).not.toMatch(/started \(pid/);
    expect(out).not.toContain("(it printed nothing)");
    // Nothing had started: nothing is said to be stopped.
    expect(out).toContain("sbx » web failed: starting none of the others\n");
    for (const name of ["db", "api", "web"]) expect(existsSync(join(dir, `${name}.started`)), `${name} started`).toBe(false);
  });

  it("makes up --wait fail before anything starts", async () => {
    const port = await freePort();
    const squatter = await squat(port);
    const dir = tempDir({ "sandbox.yaml": STACK(port) });
    const sbx = startSbx(dir, ["up", "--wait"]);
    expect(await sbx.exited).toBe(1);
    expect(sbx.stderr() + sbx.stdout()).toContain(`port ${port} is already in use by pid ${squatter.pid} (`);
    for (const name of ["db", "api", "web"]) expect(existsSync(join(dir, `${name}.started`)), `${name} started`).toBe(false);
  });
});
