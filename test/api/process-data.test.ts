import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { parseSSEStream, Sandbox, type LogEvent, type Process } from "../../src/index.js";
import { fixture } from "../helpers/processes.js";
import { markedSandbox } from "../helpers/sandboxes.js";

const newSandbox = (env: Record<string, string> = {}): Sandbox => markedSandbox({ env });

/** The SDK's Process data fields, as its createProcessFromDTO builds them. */
const SDK_FIELDS = ["id", "pid", "command", "status", "startTime", "endTime", "exitCode"];

describe("a process, serialised, is the SDK's data and nothing else", () => {
  it("JSON.stringify, util.inspect and console.log give id, pid, command, status, startTime, endTime, exitCode: no environment", async () => {
    const secret = `s3cret-${Math.random().toString(36).slice(2)}`;
    const parentSecret = `parent-${Math.random().toString(36).slice(2)}`;
    process.env.SBX_TEST_PARENT_SECRET = parentSecret;
    try {
      const sandbox = newSandbox({ SANDBOX_SECRET: secret });
      const running = await sandbox.startProcess("echo started; sleep 30", { processId: "web", env: { API_KEY: secret }, cwd: "." });
      const done = await sandbox.startProcess("exit 3", { env: { API_KEY: secret } });
      await done.waitForExit();
      await running.waitForLog("started");

      const events: string[] = [];
      const reader = (await sandbox.streamProcessLogs(done.id)).getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) events.push(new TextDecoder().decode(chunk.value));

      const list = await sandbox.listProcesses();
      const forms = [
        JSON.stringify(running),
        JSON.stringify(done),
        JSON.stringify(list),
        inspect(running, { depth: Infinity, showHidden: true }),
        inspect(list, { depth: Infinity, showHidden: true, getters: true }),
        inspect(running, { depth: Infinity, customInspect: false, showHidden: true }),
        ...events,
      ];
      for (const form of forms) {
        expect(form).not.toContain(secret);
        expect(form).not.toContain(parentSecret);
      }

      const data = JSON.parse(JSON.stringify(done)) as Record<string, unknown>;
      expect(Object.keys(data).sort()).toEqual([...SDK_FIELDS].sort());
      expect(data).toEqual({
        id: done.id,
        pid: done.pid,
        command: "exit 3",
        status: "failed",
        startTime: done.startTime.toISOString(),
        endTime: (done.endTime as Date).toISOString(),
        exitCode: 3,
      });
      const live = JSON.parse(JSON.stringify(running)) as Record<string, unknown>;
      expect(live).toEqual({ id: "web", pid: running.pid, command: "echo started; sleep 30", status: "running", startTime: running.startTime.toISOString(), exitCode: null });
      expect(JSON.parse(JSON.stringify(list))).toEqual([live, data]);
      expect(inspect(running)).toBe(inspect({ id: "web", pid: running.pid, command: running.command, status: "running", startTime: running.startTime, endTime: undefined, exitCode: null }));
    } finally {
      delete process.env.SBX_TEST_PARENT_SECRET;
    }
  });

  it("its own enumerable properties are none: a spread or Object.keys shows no internals either", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess("true");
    expect(Object.keys(proc)).toEqual([]);
  });
});

describe("how a process ended, as the SDK says it", () => {
  it("a signal's exit code is 128 + its number: exitCode, waitForExit, onExit and the stream's exit event; sbx's signal beside it", async () => {
    const sandbox = newSandbox();
    const exits: (number | null)[] = [];
    const term = await sandbox.startProcess("sleep 30", { onExit: (code) => exits.push(code) });
    const kill = await sandbox.startProcess([process.execPath, fixture("ignore-sigterm.mjs")], { onExit: (code) => exits.push(code) });
    await kill.waitForLog("ready");
    await sandbox.killProcess(term.id);
    await sandbox.killProcess(kill.id, "SIGKILL");
    expect(await term.waitForExit()).toEqual({ exitCode: 143, signal: "SIGTERM" });
    expect(await kill.waitForExit()).toEqual({ exitCode: 137, signal: "SIGKILL" });
    expect([term.exitCode, kill.exitCode]).toEqual([143, 137]);
    expect([term.status, kill.status]).toEqual(["killed", "killed"]);
    expect(exits.sort()).toEqual([137, 143]);
    const events: LogEvent[] = [];
    for await (const event of parseSSEStream<LogEvent>(await sandbox.streamProcessLogs(term.id))) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: "exit", exitCode: 143, data: "Process killed with exit code 143" });
  });

  it("a process ended by its timeout is killed, with SIGTERM's code", async () => {
    const sandbox = newSandbox();
    const slow = await sandbox.startProcess("sleep 30", { timeout: 50 });
    expect(await slow.waitForExit()).toEqual({ exitCode: 143, signal: "SIGTERM" });
    expect(slow.status).toBe("killed");
  });

  it("has an endTime once it has ended, none before", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess("sleep 0.1");
    expect(proc.endTime).toBeUndefined();
    await proc.waitForExit();
    expect(proc.endTime).toBeInstanceOf(Date);
    expect((proc.endTime as Date).getTime()).toBeGreaterThanOrEqual(proc.startTime.getTime());
  });

  it("calls onStart with the process once it runs, and onError when it cannot start or a callback throws", async () => {
    const sandbox = newSandbox();
    const started: Process[] = [];
    const errors: Error[] = [];
    const proc = await sandbox.startProcess("echo hi", { onStart: (p) => started.push(p), onError: (e) => errors.push(e) });
    expect(started).toEqual([proc]);
    expect(started[0]?.status).toBe("running");
    await proc.waitForExit();
    expect(errors).toEqual([]);

    const missing = await sandbox.startProcess(["no-such-program-sbx"], { onStart: (p) => started.push(p), onError: (e) => errors.push(e) });
    expect(missing.status).toBe("error");
    expect(started).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual(["command not found: no-such-program-sbx"]);

    const throwing = await sandbox.startProcess("echo hi", {
      onOutput: () => {
        throw new Error("a bug in onOutput");
      },
      onError: (e) => errors.push(e),
    });
    await throwing.waitForExit();
    expect(errors.map((e) => e.message)).toContain("a bug in onOutput");
    expect(throwing.status).toBe("completed");
  });
});
