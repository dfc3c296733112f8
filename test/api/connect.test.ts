import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { parseSSEStream, ProcessExitedBeforeReadyError, ProcessNotFoundError, Sandbox, SbxError, type ExecResult, type LogEvent } from "../../src/index.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { freePort } from "../helpers/ports.js";
import { runSbx } from "../helpers/run-sbx.js";
import { tempDir } from "../helpers/temp-dir.js";

async function runningProject(): Promise<{ dir: string; port: number }> {
  const port = await freePort();
  const project = backgroundProject(`
services:
  api:
    command: [node, -e, "require('node:http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1', () => console.log('api listening'))"]
    ready: { log: "api listening" }
  worker:
    command: "echo worker up; sleep 60"
`);
  const up = await project.sbx("up", "--wait");
  expect(up.code).toBe(0);
  return { dir: project.dir, port };
}

describe("Sandbox.connect: the same interface over a running project", () => {
  it("sees the services as processes, reads their logs and waits on them", async () => {
    const { dir, port } = await runningProject();
    const sandbox = Sandbox.connect(dir);
    const processes = await sandbox.listProcesses();
    expect(processes.map((p) => [p.id, p.status])).toEqual([
      ["api", "running"],
      ["worker", "running"],
    ]);
    const api = (await sandbox.getProcess("api"))!;
    const ps = JSON.parse((await runSbx(dir, ["ps", "--json"])).stdout) as { name: string; pid: number }[];
    expect(api.pid).toBe(ps.find((s) => s.name === "api")?.pid);
    expect(api.command).toContain("createServer");
    expect((await sandbox.getProcessLogs("worker")).stdout).toBe("worker up\n");
    await api.waitForPort(port);
    expect((await api.waitForLog(/api (listening)/, 2_000)).match?.[1]).toBe("listening");
    expect(await sandbox.getProcess("nope")).toBeNull();
    await expect(sandbox.getProcessLogs("nope")).rejects.toBeInstanceOf(ProcessNotFoundError);
  });

  it("starts processes in the project's supervisor, streams them, and down ends them too", async () => {
    const { dir } = await runningProject();
    const sandbox = Sandbox.connect(dir);
    const probe = await sandbox.startProcess("echo hello from the supervisor; sleep 60", { processId: "probe" });
    expect(probe.status).toBe("running");
    expect((await probe.waitForLog("hello", 2_000)).line).toBe("hello from the supervisor");
    expect((await sandbox.listProcesses()).map((p) => p.id)).toEqual(["api", "worker", "probe"]);

    const job = await sandbox.startProcess(["sh", "-c", "echo one; echo two >&2; exit 4"]);
    const events: LogEvent[] = [];
    for await (const event of parseSSEStream<LogEvent>(await sandbox.streamProcessLogs(job.id))) events.push(event);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ["process_info", ""],
      ["stdout", "one\n"],
      ["stderr", "two\n"],
      ["exit", "Process failed with exit code 4"],
    ]);
    expect(await job.getStatus()).toBe("failed");

    const failing = await sandbox.startProcess("echo 'boom' >&2; exit 9");
    const error = (await failing.waitForLog("never", 5_000).catch((e: unknown) => e)) as ProcessExitedBeforeReadyError;
    expect(error).toBeInstanceOf(ProcessExitedBeforeReadyError);
    expect(error).toMatchObject({ exitCode: 9, lastLines: ["boom"] });
    expect(await sandbox.exec("echo ran in the supervisor")).toMatchObject({ exitCode: 0, stdout: "ran in the supervisor\n", stderr: "", success: true, command: "echo ran in the supervisor" });
    // `probe` is still running: sbx down in afterEach must end it along with the services.
  });

  it("answers as the SDK does: logs with their process's id, plain-data processes, exec streamed or aborted, ended records cleaned up", async () => {
    const { dir } = await runningProject();
    const sandbox = Sandbox.connect(dir);
    expect(await sandbox.getProcessLogs("worker")).toEqual({ processId: "worker", stdout: "worker up\n", stderr: "" });

    const worker = (await sandbox.getProcess("worker"))!;
    const data = JSON.parse(JSON.stringify(worker)) as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(["command", "exitCode", "id", "pid", "startTime", "status"]);
    expect(inspect(worker)).toMatch(/^RemoteProcess \{.*id: 'worker'/s);

    const heard: string[] = [];
    let completed: ExecResult | undefined;
    const streamed = await sandbox.exec("echo first; echo second >&2; exit 3", {
      stream: true,
      onOutput: (stream, text) => heard.push(`${stream}:${text}`),
      onComplete: (result) => (completed = result),
    });
    expect(streamed).toMatchObject({ success: false, exitCode: 3, stdout: "first\n", stderr: "second\n", command: "echo first; echo second >&2; exit 3" });
    expect(completed).toBe(streamed);
    expect(heard.sort()).toEqual(["stderr:second\n", "stdout:first\n"]);

    const controller = new AbortController();
    const aborted = sandbox.exec("echo going; sleep 60", { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(aborted).rejects.toThrow("Operation was aborted");
    // It rejects once the command's tree is gone.
    const execs = (await sandbox.listProcesses()).filter((p) => p.id.startsWith("exec-"));
    expect(execs.map((p) => p.status)).toContain("killed");
    for (const exec of execs) expect(exec.status).not.toBe("running");

    const done = await sandbox.startProcess("true", { autoCleanup: false });
    await done.waitForExit();
    expect(await sandbox.cleanupCompletedProcesses()).toBeGreaterThanOrEqual(1);
    expect(await sandbox.getProcess(done.id)).toBeNull();
    expect((await sandbox.listProcesses()).map((p) => p.id)).toEqual(["api", "worker"]);
  });

  it("kills a service as sbx stop does, and a started process by its signal", async () => {
    const { dir } = await runningProject();
    const sandbox = Sandbox.connect(dir);
    await sandbox.killProcess("worker");
    expect(await (await sandbox.getProcess("worker"))!.getStatus()).toBe("killed");
    const sleeper = await sandbox.startProcess("sleep 60");
    await sleeper.kill("SIGKILL");
    expect(sleeper.status).toBe("killed");
    expect(await sandbox.killAllProcesses()).toBe(1);
  });

  it("says so where nothing runs", () => {
    expect(() => Sandbox.connect(tempDir())).toThrow(SbxError);
  });
});
