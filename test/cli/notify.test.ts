import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ServiceStatusView } from "../../src/protocol/views.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { fixture } from "../helpers/processes.js";

const notify = fixture("notify.py");

describe("ready: { notify: true }", () => {
  it("counts a service ready when it sends READY=1 to its NOTIFY_SOCKET, and only then starts what waits for it", async () => {
    const project = backgroundProject(`
services:
  daemon:
    command: python3 ${notify} 0.3 "accepting connections"
    ready: { notify: true, timeout: 20s }
  client:
    command: echo daemon was ready && sleep 30
    depends_on: { daemon: { condition: service_healthy } }
`);
    const upped = await project.sbx("up", "--wait");
    expect(upped.stderr).toBe("");
    expect(upped.code).toBe(0);
    const ps = JSON.parse((await project.sbx("ps", "--json")).stdout) as ServiceStatusView[];
    expect(ps.map((s) => [s.name, s.status])).toEqual([
      ["daemon", "ready"],
      ["client", "ready"],
    ]);
    // What it says with STATUS= is its status text, in ps and the API.
    expect(ps.map((s) => s.statusText)).toEqual(["accepting connections", null]);
    expect((await project.sbx("ps")).stdout).toMatch(/^daemon says: accepting connections$/m);
    const logs = (await project.sbx("logs", "--no-log-prefix", "daemon")).stdout;
    expect(logs).toContain("starting, NOTIFY_SOCKET is set");
    expect(logs).toContain("sent READY=1");
  });

  it("fails a service that never sends READY=1 once its ready timeout passes, saying what it waited for", async () => {
    const project = backgroundProject(`
services:
  mute:
    command: python3 -c "import time; time.sleep(60)"
    ready: { notify: true, timeout: 1s }
`);
    const upped = await project.sbx("up", "--wait");
    expect(upped.code).toBe(1);
    expect(upped.stderr).toMatch(/mute.*not ready.*notify: no READY=1 on NOTIFY_SOCKET yet/s);
  });

  it("with a watchdog, ends a service that stops sending WATCHDOG=1 as a failure, restarts it by its policy, and fails it for good after", async () => {
    const project = backgroundProject(`
services:
  daemon:
    command: python3 ${notify} 0.1 serving 3
    ready: { notify: true, watchdog: 1s, timeout: 20s }
    restart: { policy: on-failure, max_restarts: 1, backoff: 100ms }
  steady:
    command: python3 ${notify} 0.1 steady -1
    ready: { notify: true, watchdog: 1s }
`);
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const daemon = async (): Promise<ServiceStatusView | undefined> =>
      (JSON.parse((await project.sbx("ps", "--json")).stdout) as ServiceStatusView[]).find((s) => s.name === "daemon");
    let last: ServiceStatusView | undefined;
    const deadline = Date.now() + 20_000;
    while (last?.status !== "failed" && Date.now() < deadline) last = await daemon();
    expect(last).toMatchObject({ status: "failed", restarts: 1 });
    const log = readFileSync(join(project.dir, ".sbx", "sbx.log"), "utf8");
    expect(log).toMatch(/daemon +» no WATCHDOG=1 within its watchdog of 1s: ended; restarting in 100 ms \(restart 1\)/);
    expect(log).toMatch(/daemon +» failed: no WATCHDOG=1 within its watchdog of 1s/);
    // The one that keeps sending them runs on, ready, through the same time.
    const steady = (JSON.parse((await project.sbx("ps", "--json")).stdout) as ServiceStatusView[]).find((s) => s.name === "steady");
    expect(steady).toMatchObject({ status: "ready", restarts: 0 });
  });
});
