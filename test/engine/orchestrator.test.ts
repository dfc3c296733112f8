import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SbxError } from "../../src/errors.js";
import type { ServiceEvent } from "../../src/engine/events.js";
import { freePort } from "../helpers/ports.js";
import { lineOf, stateOf } from "../helpers/engine-waits.js";
import { expectAllGone, fixture } from "../helpers/processes.js";
import { stack } from "../helpers/stack.js";
import { outputLinesOf } from "../helpers/log-file-lines.js";

const node = JSON.stringify(process.execPath);
const fx = (name: string): string => JSON.stringify(fixture(name));

function eventOf<T extends ServiceEvent["type"]>(events: ServiceEvent[], service: string, type: T): Extract<ServiceEvent, { type: T }> {
  const found = events.find((e) => e.service === service && e.type === type);
  if (!found) throw new Error(`no ${type} event for ${service}: ${events.map((e) => `${e.service}:${e.type}`).join(" ")}`);
  return found as Extract<ServiceEvent, { type: T }>;
}

function recorded(file: string): Map<string, number> {
  return new Map(
    readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split(" ") as [string, string])
      .map(([name, time]) => [name, Number(time)]),
  );
}

describe("the orchestrator", () => {
  it("starts each service once its dependencies' conditions hold, and independent ones at once", async () => {
    const [dbPort, apiPort] = [await freePort(), await freePort()];
    const s = stack(
      `
services:
  db:
    command: [${node}, ${fx("record-start.mjs")}, db, starts.log, "${dbPort}"]
    environment: { LISTEN_DELAY_MS: "400" }
    ready: { tcp: ${dbPort}, interval: 20ms }
  migrate:
    command: [${node}, ${fx("record-start.mjs")}, migrate, starts.log, "-", "100"]
    depends_on: [db]
  api:
    command: [${node}, ${fx("record-start.mjs")}, api, starts.log, "${apiPort}"]
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
    ready: { tcp: ${apiPort}, interval: 20ms }
  other:
    command: [${node}, ${fx("record-start.mjs")}, other, starts.log, "-", "5000"]
`,
    );
    const starts = join(s.dir, "starts.log");
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const at = recorded(starts);
    const dbReady = eventOf(s.events, "db", "ready").time;
    const migrateDone = eventOf(s.events, "migrate", "completed").time;
    expect(at.get("migrate")).toBeGreaterThanOrEqual(dbReady);
    expect(at.get("api")).toBeGreaterThanOrEqual(migrateDone);
    // `other` depends on nothing: it starts while db is still getting ready.
    expect(at.get("other")).toBeLessThan(dbReady);
    expect(eventOf(s.events, "api", "waiting").on).toEqual(["db", "migrate"]);
    expect(s.of("migrate")).toEqual(["waiting", "starting", "running", "ready", "exited", "completed"]);
  });

  it("tears down dependents before their dependencies, each tree whole", async () => {
    const s = stack(`
services:
  db: { command: "sleep 30 & sleep 30 & echo started; wait" }
  api: { command: "sleep 30 & echo started; wait", depends_on: [db] }
  web: { command: "sleep 30", depends_on: [api] }
  worker: { command: "sleep 30", depends_on: [api] }
`);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const pids = s.events.filter((e) => e.type === "running").map((e) => (e as { pid: number }).pid);
    await s.orchestrator.stop();
    const stoppedAt = new Map(s.events.filter((e) => e.type === "stopped").map((e) => [e.service, s.events.indexOf(e)]));
    const stoppingAt = new Map(s.events.filter((e) => e.type === "stopping").map((e) => [e.service, s.events.indexOf(e)]));
    expect(stoppingAt.get("api")).toBeGreaterThan(stoppedAt.get("web") as number);
    expect(stoppingAt.get("api")).toBeGreaterThan(stoppedAt.get("worker") as number);
    expect(stoppingAt.get("db")).toBeGreaterThan(stoppedAt.get("api") as number);
    for (const name of ["db", "api", "web", "worker"]) expect(s.orchestrator.state(name)?.status).toBe("stopped");
    await expectAllGone(pids);
  });

  it("kills a service that ignores its stop signal after its grace period, and one that left its group", async () => {
    const s = stack(`
services:
  stubborn:
    command: [${node}, ${fx("ignore-sigterm.mjs")}]
    stop_grace_period: 300ms
  escapee:
    command: "setsid sleep 30 & echo ready; wait"
`);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    await Promise.all([lineOf(s.orchestrator, "stubborn", "ready"), lineOf(s.orchestrator, "escapee", "ready")]);
    await s.orchestrator.stop();
    expect(s.events.find((e) => e.service === "stubborn" && e.type === "stopped")).toMatchObject({ forced: true });
    expect(s.output("stubborn")).toContain("ignoring SIGTERM");
    expect(s.events.find((e) => e.service === "escapee" && e.type === "stopped")).toMatchObject({ forced: false });
  });

  it("uses the service's stop_signal", async () => {
    const s = stack(`
services:
  graceful:
    command: [${node}, ${fx("graceful.mjs")}, SIGINT]
    stop_signal: SIGINT
`);
    void s.orchestrator.run();
    await lineOf(s.orchestrator, "graceful", "ready");
    await s.orchestrator.stop();
    expect(s.output("graceful")).toContain("got SIGINT, cleaning up");
    expect(eventOf(s.events, "graceful", "stopping").signal).toBe("SIGINT");
    expect(eventOf(s.events, "graceful", "stopped").forced).toBe(false);
  });

  describe("readiness", () => {
    it("tcp: ready once the port accepts", async () => {
      const port = await freePort();
      const s = stack(`
services:
  db:
    command: [${node}, ${fx("tcp-server.mjs")}, "${port}", "200"]
    ready: { tcp: ${port}, interval: 20ms }
`);
      void s.orchestrator.run();
      await s.orchestrator.whenReady();
      const ready = eventOf(s.events, "db", "ready");
      expect(ready.checked).toBe(true);
      expect(ready.afterMs).toBeGreaterThanOrEqual(200);
      // The port may accept before the line the server prints as it does reaches us: no order between the two.
      await lineOf(s.orchestrator, "db", `listening on 127.0.0.1:${port}`);
    });

    it("http: not ready on 503, ready on the expected status", async () => {
      const port = await freePort();
      const s = stack(`
services:
  api:
    command: [${node}, ${fx("http-server.mjs")}, "${port}", "0", "3"]
    ready:
      http: { port: ${port}, path: /health, status: 200 }
      interval: 30ms
`);
      void s.orchestrator.run();
      await s.orchestrator.whenReady();
      expect(eventOf(s.events, "api", "ready").afterMs).toBeGreaterThanOrEqual(60);
    });

    it("log: ready on a matching line", async () => {
      const s = stack(`
services:
  worker:
    command: "echo booting; sleep 0.2; echo 'Worker ready in 42ms'; sleep 30"
    ready: { log: "Worker ready in (\\\\d+)ms" }
`);
      void s.orchestrator.run();
      await s.orchestrator.whenReady();
      expect(eventOf(s.events, "worker", "ready").afterMs).toBeGreaterThanOrEqual(150);
    });

    it("exec: ready once the command exits 0", async () => {
      const s = stack(`
services:
  builder:
    command: "sleep 0.3 && touch built.flag && sleep 30"
    ready: { exec: "test -f built.flag", interval: 20ms }
`);
      void s.orchestrator.run();
      await s.orchestrator.whenReady();
      expect(eventOf(s.events, "builder", "ready").afterMs).toBeGreaterThanOrEqual(250);
    });

    it("a service that exits before it is ready fails at once, with its code and last lines", async () => {
      const port = await freePort();
      const s = stack(`
services:
  api:
    command: "echo starting; echo 'error: config missing' >&2; exit 4"
    ready: { tcp: ${port}, timeout: 60s }
  web:
    command: sleep 30
    depends_on: [api]
`);
      const begun = Date.now();
      void s.orchestrator.run();
      const error = await s.orchestrator.whenReady().catch((e: unknown) => e as Error & { context: { lastLogLines: string[] } });
      expect(Date.now() - begun).toBeLessThan(10_000);
      expect(error?.message).toBe("api failed: exited with code 4 before it was ready");
      expect(error?.context.lastLogLines).toEqual(["starting", "error: config missing"]);
      await s.orchestrator.run();
      expect(s.of("web")).toEqual(["waiting", "skipped"]);
      expect(eventOf(s.events, "web", "skipped").reason.message).toBe("dependency api failed to be ready: exited with code 4 before it was ready");
    });

    it("a readiness timeout names the check's last error, and stops the process", async () => {
      const port = await freePort();
      const s = stack(`
services:
  api:
    command: "echo up; sleep 30"
    ready: { tcp: ${port}, timeout: 300ms, interval: 20ms }
`);
      void s.orchestrator.run();
      await expect(s.orchestrator.whenReady()).rejects.toThrow(`api failed: not ready after`);
      const failed = eventOf(s.events, "api", "failed");
      expect(failed.reason.message).toMatch(new RegExp(`^not ready after \\d+ ms: tcp 127\\.0\\.0\\.1:${port}: connection refused$`));
      expect(failed.reason.lastLines).toEqual(["up"]);
      const pid = eventOf(s.events, "api", "running").pid;
      await expectAllGone([pid]);
    });

    it("a port already held by another process is reported by name, before starting", async () => {
      const port = await freePort();
      const squatter = spawn(process.execPath, [fixture("tcp-server.mjs"), String(port)], { stdio: ["ignore", "pipe", "ignore"] });
      try {
        // Its "listening" line: the port is taken.
        await new Promise<void>((resolve) => {
          let out = "";
          squatter.stdout?.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes("listening")) resolve();
          });
        });
        const s = stack(`
services:
  api:
    command: sleep 30
    ready: { http: { port: ${port} } }
`);
        void s.orchestrator.run();
        await expect(s.orchestrator.whenReady()).rejects.toThrow(`port ${port} is already in use by pid ${squatter.pid} (`);
        expect(s.of("api")).toEqual(["failed"]);
      } finally {
        squatter.kill("SIGKILL");
      }
    });
  });

  describe("waiting for readiness", () => {
    it("a wait with a timeout names each service not ready and why", async () => {
      const port = await freePort();
      const s = stack(`
services:
  db:
    command: "sleep 30"
    ready: { tcp: ${port}, interval: 20ms }
  api:
    command: sleep 30
    depends_on: [db]
`);
      void s.orchestrator.run();
      const error = (await s.orchestrator.whenReady(undefined, { timeoutMs: 400 }).catch((e: unknown) => e)) as SbxError;
      expect(error).toBeInstanceOf(SbxError);
      expect(error.code).toBe("NOT_READY");
      expect(error.message).toBe(`not ready within 400ms: db: running, not ready: tcp 127.0.0.1:${port}: connection refused; api: waiting for db`);
      expect(error.context.service).toBe("db");
    });

    it("a wait ends when its signal aborts", async () => {
      const s = stack(`
services:
  slow:
    command: "sleep 30"
    ready: { log: never }
`);
      void s.orchestrator.run();
      const controller = new AbortController();
      const waited = s.orchestrator.whenReady(undefined, { signal: controller.signal }).catch((e: unknown) => e);
      // Aborted while it waits for a service that runs and will never be ready.
      await stateOf(s.orchestrator, "slow", (state) => state.status === "running");
      controller.abort(new Error("test over"));
      const error = (await waited) as SbxError;
      expect(error.code).toBe("ABORTED");
      expect((error.cause as Error).message).toBe("test over");
    });
  });

  describe("restarts", () => {
    it("gives up after max_restarts, and what depends on it is skipped", async () => {
      const s = stack(`
services:
  broken:
    command: "echo trying; exit 1"
    ready: { log: never }
    restart: { policy: always, max_restarts: 2, backoff: 10ms }
  app:
    command: sleep 30
    depends_on: [broken]
`);
      await s.orchestrator.run();
      expect(s.of("broken").filter((t) => t === "starting")).toHaveLength(3);
      expect(s.orchestrator.state("broken")).toMatchObject({ status: "failed", restarts: 2 });
      expect(eventOf(s.events, "broken", "failed").reason.message).toBe("exited with code 1 before it was ready");
      expect(s.of("app")).toEqual(["waiting", "skipped"]);
    });

    it("never restarts a service stopped on purpose", async () => {
      const s = stack(`
services:
  keeper:
    command: sleep 30
    restart: always
`);
      void s.orchestrator.run();
      await s.orchestrator.whenReady();
      await s.orchestrator.stop();
      expect(s.of("keeper")).toEqual(["starting", "running", "ready", "stopping", "exited", "stopped"]);
    });
  });

  it("a service that prints its ready line and exits at once was ready, then completed", async () => {
    // The log pattern is matched on another thread: its answer must be in before the exit is judged.
    for (let i = 0; i < 5; i++) {
      const s = stack(`
services:
  job:
    command: "echo 'migrated to v3'; exit 0"
    ready: { log: "migrated to v\\\\d" }
`);
      await s.orchestrator.run();
      expect(s.of("job")).toEqual(["starting", "running", "unready", "ready", "exited", "completed"]);
    }
  });

  it("starts nothing once every service has ended: the project is over", async () => {
    const s = stack(`
services:
  job: { command: "echo done" }
`);
    await s.orchestrator.run();
    // A start that waited in the control socket while the last service ended must not outlive the supervisor.
    await expect(s.orchestrator.startService("job")).rejects.toThrow("the project has ended: nothing can start");
    expect(s.of("job")).toEqual(["starting", "running", "ready", "exited", "completed"]);
  });

  it("treats a service with no ready check that exits 0 as a finished job", async () => {
    const s = stack(`
services:
  build: { command: "echo built" }
  serve:
    command: "echo serving; sleep 30"
    depends_on: { build: { condition: service_completed_successfully } }
`);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    expect(s.orchestrator.state("build")?.status).toBe("completed");
    expect(eventOf(s.events, "serve", "starting").time).toBeGreaterThanOrEqual(eventOf(s.events, "build", "completed").time);
  });

  it("reports a command that cannot be found", async () => {
    const s = stack(`
services:
  listed: { command: [no-such-program-sbx, --flag] }
  shell: { command: "no-such-program-sbx --flag" }
`);
    await s.orchestrator.run();
    expect(eventOf(s.events, "listed", "failed").reason.message).toBe("could not start: command not found: no-such-program-sbx");
    expect(eventOf(s.events, "shell", "failed").reason.message).toBe("exited with code 127 (command not found)");
    expect(eventOf(s.events, "shell", "failed").reason.lastLines.join("\n")).toMatch(/no-such-program-sbx.*not found/);
  });

  it("loses no line: every one reaches the subscribers and the log file, in order", async () => {
    const count = 50_000;
    const s = stack(`
services:
  chatty: { command: [${node}, ${fx("print-lines.mjs")}, "${count}"] }
`);
    await s.orchestrator.run();
    await s.orchestrator.close();
    const out = s.output("chatty");
    expect(out).toHaveLength(count);
    expect(out.every((line, i) => line === `line ${i + 1}`)).toBe(true);
    const file = outputLinesOf(readFileSync(join(s.dir, ".sbx", "logs", "chatty.log"), "utf8"));
    expect(file).toHaveLength(count);
    expect(file.every((line, i) => line.endsWith(` out line ${i + 1}`))).toBe(true);
  });

  it("stops, starts and restarts single services while the rest runs", async () => {
    const s = stack(`
services:
  db: { command: "sleep 30 & echo started; wait" }
  api: { command: "echo api $$$$; sleep 30", depends_on: [db] }
`);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const firstPid = s.orchestrator.state("api")?.pid as number;
    const firstTree = s.orchestrator.runningProcesses().find((p) => p.service === "api");
    await s.orchestrator.restartService("api");
    await s.orchestrator.whenReady(["api"]);
    const secondPid = s.orchestrator.state("api")?.pid as number;
    expect(secondPid).not.toBe(firstPid);
    expect(firstTree?.pid).toBe(firstPid);
    await expectAllGone([firstPid]);
    expect(s.orchestrator.state("api")?.runs).toBe(2);
    expect(s.orchestrator.state("db")?.status).toBe("ready");

    await s.orchestrator.stopService("db");
    expect(s.orchestrator.state("db")?.status).toBe("stopped");
    expect(s.orchestrator.state("api")?.status).toBe("ready");
    await s.orchestrator.startService("db");
    await s.orchestrator.whenReady(["db"]);
    expect(s.orchestrator.state("db")).toMatchObject({ status: "ready", runs: 2 });
    await expect(s.orchestrator.startService("nope")).rejects.toThrow('no service "nope" in this run');
  });
});
