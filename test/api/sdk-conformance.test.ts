import { createServer, type Server } from "node:http";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  isProcess,
  isProcessStatus,
  ProcessExitedBeforeReadyError,
  ProcessReadyTimeoutError,
  Sandbox,
  SandboxError,
  up,
  type ExecResult,
} from "../../src/index.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { tempDir } from "../helpers/temp-dir.js";
import { markedSandbox as newSandbox } from "../helpers/sandboxes.js";

describe("the SDK's errors", () => {
  it("a readiness timeout carries the SDK's code, status, context and message", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess("echo booting; sleep 30");
    const error = (await proc.waitForLog("never printed", 300).catch((e: unknown) => e)) as ProcessReadyTimeoutError;
    expect(error).toBeInstanceOf(ProcessReadyTimeoutError);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error.code).toBe("PROCESS_READY_TIMEOUT");
    expect(error.httpStatus).toBe(408);
    expect(error.context).toMatchObject({ processId: proc.id, command: "echo booting; sleep 30", condition: '"never printed"', timeout: 300 });
    expect(error.message).toMatch(/^Process did not become ready within 300ms\. Waiting for: "never printed"/);
    expect(error.message).toContain("booting");
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json).toMatchObject({ name: "ProcessReadyTimeoutError", code: "PROCESS_READY_TIMEOUT", httpStatus: 408, context: { processId: proc.id } });
    expect(Date.parse(json.timestamp as string)).not.toBeNaN();
  });

  it("an exit before ready names the condition, and a signal's exit code is 128 + its number", async () => {
    const sandbox = newSandbox();
    const port = await freePort();
    const proc = await sandbox.startProcess("kill -TERM $$");
    const error = (await proc.waitForPort(port, { path: "/health" }).catch((e: unknown) => e)) as ProcessExitedBeforeReadyError;
    expect(error).toBeInstanceOf(ProcessExitedBeforeReadyError);
    expect(error.code).toBe("PROCESS_EXITED_BEFORE_READY");
    expect(error.context).toMatchObject({ processId: proc.id, condition: `port ${port} (HTTP /health)`, exitCode: 143 });
    expect(error.message).toMatch(new RegExp(`^Process exited with code 143 before becoming ready\\. Waiting for: port ${port} \\(HTTP /health\\)`));
  });
});

describe("the SDK's exec", () => {
  it("streams each chunk to onOutput and the result to onComplete", async () => {
    const sandbox = newSandbox();
    const heard: string[] = [];
    let completed: ExecResult | undefined;
    const result = await sandbox.exec("echo one; echo two >&2; echo three", {
      stream: true,
      onOutput: (stream, data) => heard.push(`${stream}:${data}`),
      onComplete: (r) => (completed = r),
    });
    expect(heard.join("")).toContain("stdout:one\n");
    expect(heard.filter((h) => h.startsWith("stderr:")).join("")).toBe("stderr:two\n");
    expect(completed).toBe(result);
    expect(result).toMatchObject({ success: true, exitCode: 0, stdout: "one\nthree\n", stderr: "two\n" });
  });

  it("gives 128 + the signal's number for a command a signal ended", async () => {
    const sandbox = newSandbox();
    expect(await sandbox.exec("kill -KILL $$")).toMatchObject({ success: false, exitCode: 137 });
  });

  it("aborting its signal kills the command's whole tree, rejects, and tells onError", async () => {
    const sandbox = newSandbox();
    const controller = new AbortController();
    const errors: Error[] = [];
    const running = sandbox.exec("sleep 30 & sleep 30; wait", { signal: controller.signal, onError: (e) => errors.push(e) });
    setTimeout(() => controller.abort(), 200);
    await expect(running).rejects.toThrow("Operation was aborted");
    expect(errors).toHaveLength(1);
    // afterEach checks that neither sleep is left.
  });

  it("rejects at once for a signal already aborted, starting nothing", async () => {
    const sandbox = newSandbox();
    await expect(sandbox.exec("sleep 30", { signal: AbortSignal.abort() })).rejects.toThrow("Operation was aborted");
    expect(await sandbox.listProcesses()).toEqual([]);
  });
});

describe("the SDK's process bookkeeping", () => {
  it("getProcess answers null for an unknown id; cleanupCompletedProcesses forgets only the ended", async () => {
    const sandbox = newSandbox();
    expect(await sandbox.getProcess("nope")).toBeNull();
    const quick = await sandbox.startProcess("true", { autoCleanup: false });
    const slow = await sandbox.startProcess("sleep 30");
    await quick.waitForExit();
    expect(await sandbox.cleanupCompletedProcesses()).toBe(1);
    expect((await sandbox.listProcesses()).map((p) => p.id)).toEqual([slow.id]);
    expect(await sandbox.getProcess(quick.id)).toBeNull();
    expect(await sandbox.cleanupCompletedProcesses()).toBe(0);
  });

  it("isProcess and isProcessStatus tell a process and a status", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess("sleep 30");
    expect(isProcess(proc)).toBe(true);
    expect(isProcess({ id: "x" })).toBe(false);
    expect(isProcess(null)).toBe(false);
    expect(isProcessStatus("running")).toBe(true);
    expect(isProcessStatus("ready")).toBe(false);
  });
});

describe("the SDK's exposed ports, locally", () => {
  it("a port is reached at localhost, listed until unexposed, and a bad port is refused", async () => {
    const sandbox = newSandbox();
    const port = await freePort();
    expect(await sandbox.exposePort(port, { name: "web" })).toEqual({ url: `http://localhost:${port}/`, port, name: "web" });
    expect(await sandbox.getExposedPorts()).toEqual([{ url: `http://localhost:${port}/`, port, name: "web", status: "active" }]);
    await sandbox.unexposePort(port);
    expect(await sandbox.getExposedPorts()).toEqual([]);
    await expect(sandbox.unexposePort(port)).rejects.toMatchObject({ code: "PORT_NOT_EXPOSED", httpStatus: 404 });
    await expect(sandbox.exposePort(70_000)).rejects.toMatchObject({ code: "INVALID_PORT", httpStatus: 400 });
    await expect(sandbox.exposePort(70_000)).rejects.toBeInstanceOf(SandboxError);
  });
});

/** Whether this machine can listen on ::1 (a container may have no IPv6 at all). */
async function listenOn(host: string, port: number): Promise<Server | undefined> {
  const server = createServer((_request, response) => response.end("ok"));
  return new Promise((resolve) => {
    server.once("error", () => resolve(undefined));
    server.listen(port, host, () => resolve(server));
  });
}

describe("waitForPort's defaults", () => {
  it("probes localhost, as the SDK does: a server on ::1 alone is found", async (context) => {
    const port = await freePort();
    const server = await listenOn("::1", port);
    if (!server) return context.skip();
    try {
      const sandbox = newSandbox();
      const proc = await sandbox.startProcess("sleep 30");
      await proc.waitForPort(port, { timeout: 10_000 });
    } finally {
      server.close();
    }
  });
});

describe("a process as plain data", () => {
  const secret = "s3cret-value-that-must-not-leak";

  it("a stack's service shows its own fields only, never its environment", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": "services:\n  web:\n    command: sleep 30\n    environment:\n      API_TOKEN: ${API_TOKEN}\n" });
    const stack = await up({ cwd: dir, env: { API_TOKEN: secret, [marker.name]: marker.value } });
    try {
      const web = stack.process("web");
      const json = JSON.parse(JSON.stringify(web)) as Record<string, unknown>;
      expect(Object.keys(json).sort()).toEqual(["command", "exitCode", "id", "pid", "startTime", "status"]);
      expect(json).toMatchObject({ id: "web", command: "sleep 30", status: "running", pid: web.pid });
      expect(inspect(web, { depth: 10 })).not.toContain(secret);
      expect(inspect(web)).toMatch(/^ServiceProcess \{.*id: .web./s);
      expect(JSON.stringify({ ...web })).not.toContain(secret);
    } finally {
      await stack.down();
    }
    const stopped = JSON.parse(JSON.stringify(stack.process("web"))) as { status: string; endTime?: string };
    expect(stopped.status).toBe("killed");
    expect(Date.parse(stopped.endTime ?? "")).not.toBeNaN();
    await expectNothingLeft(marker);
  });
});
