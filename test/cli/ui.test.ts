import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ServiceStatusView } from "../../src/protocol/views.js";
import { backgroundProject, type BackgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";
import { openTerminal, sbxCommand } from "../helpers/tmux.js";
import { tempDir } from "../helpers/temp-dir.js";

async function psJson(project: BackgroundProject): Promise<Map<string, ServiceStatusView>> {
  const result = await project.sbx("ps", "--json");
  expect(result.code, result.stderr).toBe(0);
  return new Map((JSON.parse(result.stdout) as ServiceStatusView[]).map((row) => [row.name, row]));
}

/** The row of a service in the UI's list: its marker, status, ready and pid. */
function row(screen: string, name: string): { selected: boolean; status: string; ready: string; pid: string } | undefined {
  const match = new RegExp(`^(>?)\\s*${name}\\s+(\\S+)\\s+(yes|no|-)\\s+(\\S+)`, "m").exec(screen);
  return match ? { selected: match[1] === ">", status: match[2] as string, ready: match[3] as string, pid: match[4] as string } : undefined;
}

async function stack(): Promise<{ project: BackgroundProject; port: number }> {
  const port = await freePort();
  const project = backgroundProject(`
services:
  web:
    command: [node, ${fixture("tcp-server.mjs")}, "${port}"]
    ready: { tcp: ${port} }
  greeter:
    command: node -e 'console.log("hello from greeter"); console.log("nothing else"); setInterval(() => {}, 1000)'
  once:
    command: echo done
`);
  const up = await project.sbx("up", "--wait");
  expect(up.code, up.stderr).toBe(0);
  return { project, port };
}

describe("sbx ui", () => {
  it("shows every service and its state, restarts the selected one, searches the logs, and leaves the stack running on q", async () => {
    const { project } = await stack();
    const before = await psJson(project);
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("ui"), env: project.env, columns: 120, rows: 30 });

    let screen = await terminal.waitUntil((s) => row(s, "web")?.status === "ready" && row(s, "greeter")?.status === "ready" && row(s, "once")?.status === "completed", "every service with its state");
    expect(row(screen, "web")?.pid).toBe(String(before.get("web")?.pid));
    expect(screen).toMatch(/^>\s*all\b/m);
    // The help line names every key.
    for (const key of ["restart", "stop", "start", "follow", "search", "quit"]) expect(screen).toContain(key);
    await terminal.waitFor("hello from greeter");

    // Down to web, then r: a new process, shown in the list.
    terminal.keys("Down");
    screen = await terminal.waitUntil((s) => row(s, "web")?.selected === true, "web selected");
    terminal.keys("r");
    screen = await terminal.waitUntil((s) => {
      const web = row(s, "web");
      return web?.status === "ready" && web.pid !== String(before.get("web")?.pid) && web.pid !== "-";
    }, "web with a new pid");
    const after = await psJson(project);
    expect(row(screen, "web")?.pid).toBe(String(after.get("web")?.pid));
    expect(after.get("web")?.restarts).toBeGreaterThanOrEqual(0);

    // x stops it, s starts it again.
    terminal.keys("x");
    await terminal.waitUntil((s) => row(s, "web")?.status === "stopped", "web stopped");
    terminal.keys("s");
    await terminal.waitUntil((s) => row(s, "web")?.status === "ready", "web ready again");

    // Back to all, then search: only the lines that match.
    terminal.keys("Up");
    await terminal.waitUntil((s) => row(s, "all") === undefined && /^>\s*all\b/m.test(s), "all selected");
    terminal.keys("/");
    terminal.type("hello");
    terminal.keys("Enter");
    screen = await terminal.waitFor(/search "hello"/);
    expect(screen).toContain("greeter | hello from greeter");
    expect(screen).not.toContain("nothing else");

    // f pauses the logs and follows them again.
    terminal.keys("f");
    await terminal.waitFor("paused (f to follow)");
    terminal.keys("f");
    await terminal.waitUntil((s) => s.includes("following") && !s.includes("paused"), "following again");

    terminal.keys("q");
    expect(await terminal.exited()).toBe(0);
    expect(terminal.screen()).toMatch(/is still running \(sbx down stops it\)/);
    const still = await psJson(project);
    expect(still.get("web")?.status).toBe("ready");
    expect(still.get("greeter")?.status).toBe("ready");
  });

  it("redraws to the terminal's new size", async () => {
    const { project } = await stack();
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("ui"), env: project.env, columns: 120, rows: 30 });
    await terminal.waitUntil((s) => row(s, "web")?.status === "ready", "web ready");
    terminal.resize(70, 16);
    const screen = await terminal.waitUntil((s) => s.split("\n").every((line) => line.length <= 70) && /quit/.test(s) && row(s, "web")?.status === "ready", "the view at 70 columns");
    expect(screen.split("\n").length).toBeLessThanOrEqual(16);
    terminal.keys("q");
    expect(await terminal.exited()).toBe(0);
  });

  it("stays responsive under a flood of output, showing the newest lines", async () => {
    const project = backgroundProject(`
services:
  flood:
    command: [node, -e, "let i = 0; const w = () => { let s = ''; for (let j = 0; j < 2000; j++) s += 'flood line ' + i++ + '\\\\n'; process.stdout.write(s, w); }; w()"]
  quiet:
    command: node -e 'console.log("quiet line"); setInterval(() => {}, 1000)'
`);
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("ui"), env: project.env, columns: 100, rows: 24 });
    await terminal.waitFor(/flood \| flood line \d+/);
    // The newest lines: a later screen shows higher numbers than an earlier one.
    const newest = (s: string): number => Math.max(0, ...[...s.matchAll(/flood line (\d+)/g)].map((m) => Number(m[1])));
    const first = newest(terminal.screen());
    await terminal.waitUntil((s) => newest(s) > first + 10_000, "newer lines");
    // Keys still work: select quiet and see its line alone.
    terminal.keys("Down", "Down");
    await terminal.waitUntil((s) => row(s, "quiet")?.selected === true && s.includes("quiet | quiet line") && !s.includes("flood |"), "quiet's logs");
    terminal.keys("q");
    expect(await terminal.exited()).toBe(0);
  });

  it("shows a service's health and what it says of itself (STATUS=), and why the selected one is unhealthy", async () => {
    const project = backgroundProject(`
services:
  api:
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture("sickly-server.mjs"))}]
    ports: { http: auto }
    ready: { http: { port: http, path: /health } }
    health: { http: { port: http, path: /health }, interval: 100ms, timeout: 1s, retries: 2 }
    restart: "no"
  db:
    command: python3 ${fixture("notify.py")} 0.1 "accepting connections"
    ready: { notify: true }
`);
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("ui"), env: project.env, columns: 160, rows: 30 });
    let screen = await terminal.waitUntil((s) => /^\s*api\s+ready \(healthy\)\s+yes/m.test(s) && /^\s*db\s+ready\s+yes.*accepting connections\s*$/m.test(s), "api healthy, db saying its status");
    expect(screen).toMatch(/NAME\s+STATUS.*\sSAYS\s*$/m);

    // The server fails its next checks: unhealthy in the list, and why once it is selected.
    writeFileSync(join(project.dir, "sick.tmp"), "1000");
    renameSync(join(project.dir, "sick.tmp"), join(project.dir, "sick"));
    await terminal.waitUntil((s) => /^\s*api\s+ready \(unhealthy\)\s+yes/m.test(s), "api unhealthy");
    terminal.keys("Down");
    screen = await terminal.waitFor(/logs: api · unhealthy: http http:\/\/127\.0\.0\.1:\d+\/health: HTTP 500/);
    writeFileSync(join(project.dir, "sick.tmp"), "0");
    renameSync(join(project.dir, "sick.tmp"), join(project.dir, "sick"));
    await terminal.waitUntil((s) => /^>\s*api\s+ready \(healthy\)/m.test(s) && !s.includes("unhealthy:"), "api healthy again");
    terminal.keys("q");
    expect(await terminal.exited()).toBe(0);
  });

  it("shows each instance of a replicated service, and follows sbx scale up and down", async () => {
    const project = backgroundProject(`
services:
  api:
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture("replica-server.mjs"))}]
    replicas: 2
    ports: { http: auto }
    ready: { http: { port: http, path: / } }
`);
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("ui"), env: project.env, columns: 140, rows: 30 });
    await terminal.waitUntil((s) => row(s, "api\\.0")?.status === "ready" && row(s, "api\\.1")?.status === "ready", "both instances ready");
    expect((await project.sbx("scale", "api=3")).code).toBe(0);
    let screen = await terminal.waitUntil((s) => row(s, "api\\.2")?.status === "ready", "the third instance");
    expect(screen).toMatch(/3\/3 ready/);
    // In replica order.
    expect(screen.indexOf("api.0")).toBeLessThan(screen.indexOf("api.1"));
    expect(screen.indexOf("api.1")).toBeLessThan(screen.indexOf("api.2"));
    expect((await project.sbx("scale", "api=2")).code).toBe(0);
    screen = await terminal.waitUntil((s) => row(s, "api\\.2") === undefined && /2\/2 ready/.test(s), "the third instance gone");
    expect(row(screen, "api\\.1")?.status).toBe("ready");
    terminal.keys("q");
    expect(await terminal.exited()).toBe(0);
  });

  it("tells in its news line what up --watch saw and did: the files that changed, and a build that failed", async () => {
    const project = backgroundProject(`
services:
  api:
    command: sleep 600
    watch: { paths: [src], action: exec, command: "test ! -e src/broken", debounce: 50ms }
`);
    mkdirSync(join(project.dir, "src"));
    expect((await project.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("ui"), env: project.env, columns: 140, rows: 24 });
    await terminal.waitUntil((s) => row(s, "api")?.status === "ready", "api ready");
    writeFileSync(join(project.dir, "src", "index.js"), "one\n");
    await terminal.waitFor(/api: src\/index\.js changed: running test ! -e src\/broken, then restarting/);
    writeFileSync(join(project.dir, "src", "broken"), "x\n");
    await terminal.waitFor(/api: test ! -e src\/broken exited with code 1: not restarted, the running one goes on/);
    terminal.keys("q");
    expect(await terminal.exited()).toBe(0);
  });

  it("ends when the project is brought down under it", async () => {
    const { project } = await stack();
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("ui"), env: project.env, columns: 100, rows: 24 });
    await terminal.waitUntil((s) => row(s, "web")?.status === "ready", "web ready");
    expect((await project.sbx("down")).code).toBe(0);
    expect(await terminal.exited()).toBe(0);
    expect(terminal.screen()).toMatch(/has stopped/);
  });

  it("says so and exits 1 when nothing runs", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  a:\n    command: sleep 5\n" });
    const terminal = openTerminal({ cwd: dir, command: sbxCommand("ui") });
    expect(await terminal.exited()).toBe(1);
    expect(terminal.screen()).toMatch(/nothing is running/);
  });
});
