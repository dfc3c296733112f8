import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { ServiceStatusView } from "../../src/protocol/views.js";
import { backgroundProject, type BackgroundProject } from "../helpers/background-projects.js";
import { binPath } from "../helpers/cli.js";
import { eventually } from "../helpers/processes.js";

const MiB = 1024 * 1024;

async function psJson(project: BackgroundProject): Promise<Map<string, ServiceStatusView>> {
  const result = await project.sbx("ps", "--json");
  expect(result.code, result.stderr).toBe(0);
  return new Map((JSON.parse(result.stdout) as ServiceStatusView[]).map((row) => [row.name, row]));
}

const STACK = `
services:
  burn:
    command: [node, -e, "for (;;) {}"]
  holders:
    # Two processes in one tree, holding 60 and 40 MiB: the service's memory is their sum.
    command: |
      node -e 'globalThis.b = Buffer.alloc(60 * 1024 * 1024, 1); setInterval(() => {}, 1000)' &
      node -e 'globalThis.b = Buffer.alloc(40 * 1024 * 1024, 1); setInterval(() => {}, 1000)' &
      wait
  once:
    command: "true"
`;

describe("sbx ps: what each service's process tree uses", () => {
  it("gives CPU and memory summed over the tree in ps --json, and nothing for a service that does not run", async () => {
    const project = backgroundProject(STACK);
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    // Until both have filled their buffers (a guard against a hang, not a time asserted).
    let rows = await psJson(project);
    for (let tries = 0; (rows.get("holders")?.usage?.rssBytes ?? 0) < 100 * MiB && tries < 50; tries++) rows = await psJson(project);
    expect(rows.get("holders")?.usage?.rssBytes).toBeGreaterThanOrEqual(100 * MiB);
    // A second ps within a minute measures CPU since the first: what each uses now, not on average
    // since it started (the holders' start, filling their buffers, is busy).
    await new Promise((resolve) => setTimeout(resolve, 500));
    rows = await psJson(project);
    const holders = rows.get("holders")?.usage;
    expect(holders?.processes).toBeGreaterThanOrEqual(3);
    // A loop that never sleeps takes a good part of a core, however busy the machine; an idle tree almost none.
    const burn = rows.get("burn")?.usage;
    expect(burn?.cpuPercent).toBeGreaterThan(10);
    expect(burn?.processes).toBe(1);
    expect(holders?.cpuPercent).toBeLessThan(burn?.cpuPercent as number);
    expect(rows.get("once")?.usage).toBeNull();
  });

  it("shows CPU and MEM columns, and with --watch prints again until Ctrl-C, then exits 0", async () => {
    const project = backgroundProject(STACK);
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const table = (await project.sbx("ps")).stdout;
    expect(table.split("\n")[0]).toMatch(/^NAME +STATUS +READY +PID +RESTARTS +UPTIME +EXIT +CPU +MEM +PORTS$/);
    expect(table).toMatch(/^burn +ready +yes +\d+ +0 +\S+( \S+)? +- +\d+\.\d% +\d+(\.\d)? (KiB|MiB) +-$/m);
    expect(table).toMatch(/^once +completed +\S+ +- +0 +- +0 +- +- +-$/m);

    const watch = spawn(process.execPath, [binPath, "ps", "--watch", "200ms"], { cwd: project.dir, env: { ...process.env, ...project.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    watch.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watch.once("close", (code) => resolve(code)));
    await eventually(() => out.split(/^NAME /m).length > 3, "three tables", 15_000);
    watch.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});
