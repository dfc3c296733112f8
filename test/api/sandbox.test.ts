import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseSSEStream,
  ProcessExistsError,
  ProcessExitedBeforeReadyError,
  ProcessNotFoundError,
  ProcessReadyTimeoutError,
  ProcessWaitAbortedError,
  ProcessWaitTimeoutError,
  Sandbox,
  type LogEvent,
} from "../../src/index.js";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";
import { installed } from "../helpers/tools.js";
import { markedSandbox as newSandbox } from "../helpers/sandboxes.js";

const hasRedis = installed("redis-server");

const SERVER = `const http = require("node:http"); const port = Number(process.env.PORT);
http.createServer((req, res) => res.writeHead(req.url === "/health" ? 200 : 404).end("ok")).listen(port, "127.0.0.1", () => console.log("Server listening on port " + port));`;

describe("the seeds' guide, on the local machine", () => {
  it("starts a web server in the background and waits for its port", async () => {
    const sandbox = newSandbox();
    const port = await freePort();
    const server = await sandbox.startProcess(`python3 -m http.server ${port} --bind 127.0.0.1`);
    expect(server.id).toMatch(/^proc-/);
    expect(typeof server.pid).toBe("number");
    expect(server.status).toBe("running");
    expect(server.command).toBe(`python3 -m http.server ${port} --bind 127.0.0.1`);
    await server.waitForPort(port);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it("configures the working directory and environment", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "api"));
    const sandbox = newSandbox({ cwd: dir });
    const proc = await sandbox.startProcess(`node -e "console.log(process.env.NODE_ENV, process.env.PORT, process.cwd())"`, {
      cwd: "api",
      env: { NODE_ENV: "production", PORT: "8080" },
    });
    await proc.waitForExit();
    expect((await sandbox.getProcessLogs(proc.id)).stdout).toBe(`production 8080 ${join(dir, "api")}\n`);
  });

  it("lists processes and tells which are running", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess("sleep 30", { processId: "sleeper" });
    await sandbox.startProcess("true", { processId: "quick" });
    await (await sandbox.getProcess("quick"))!.waitForExit();
    const processes = await sandbox.listProcesses();
    expect(processes.map((p) => `${p.id}: ${p.command} (${p.status})`)).toEqual(["sleeper: sleep 30 (running)", "quick: true (completed)"]);
    expect(processes.some((p) => p.id === proc.id && p.status === "running")).toBe(true);
  });

  it("waits for a log line, with a string or a RegExp and its capture groups", async () => {
    const sandbox = newSandbox();
    const port = await freePort();
    const server = await sandbox.startProcess(["node", "-e", SERVER], { env: { PORT: String(port) } });
    const result = await server.waitForLog(/Server listening on port (\d+)/);
    expect(result.line).toBe(`Server listening on port ${port}`);
    expect(result.match?.[1]).toBe(String(port));
    // Printed before this call: still found.
    expect(await server.waitForLog("Server listening", 1_000)).toEqual({ line: `Server listening on port ${port}`, match: null });
    await server.waitForPort(port, { path: "/health" });
  });

  it("streams logs: what was printed so far, then live lines, then the exit, each with an id", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess(`echo one; echo two >&2; sleep 0.3; echo three; exit 3`);
    await proc.waitForLog("two");
    const events: LogEvent[] = [];
    for await (const event of parseSSEStream<LogEvent>(await sandbox.streamProcessLogs(proc.id))) events.push(event);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ["process_info", ""],
      ["stdout", "one\n"],
      ["stderr", "two\n"],
      ["stdout", "three\n"],
      ["exit", "Process failed with exit code 3"],
    ]);
    expect(events.every((e) => e.processId === proc.id && !Number.isNaN(Date.parse(e.timestamp)))).toBe(true);
    expect(events[4]?.exitCode).toBe(3);

    const resumed: LogEvent[] = [];
    for await (const event of parseSSEStream<LogEvent>(await sandbox.streamProcessLogs(proc.id, { lastEventId: "2" }))) resumed.push(event);
    expect(resumed.map((e) => e.data)).toEqual(["", "three\n", "Process failed with exit code 3"]);
  });

  it("streams with no gap and no duplicate while lines keep coming", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess(["node", fixture("print-lines.mjs"), "20000"]);
    let stdout = "";
    for await (const event of parseSSEStream<LogEvent>(await sandbox.streamProcessLogs(proc.id))) {
      if (event.type === "stdout") stdout += event.data;
    }
    expect(stdout.split("\n").slice(0, -1).map((line) => Number(line.slice(5)))).toEqual(Array.from({ length: 20000 }, (_, i) => i + 1));
  });

  it("keeps accumulated logs apart by stream", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess(`echo out; echo err >&2; printf 'no newline'`);
    await proc.waitForExit();
    expect(await sandbox.getProcessLogs(proc.id)).toEqual({ processId: proc.id, stdout: "out\nno newline", stderr: "err\n" });
  });

  it("kills the whole process tree, and SIGKILL forces it", async () => {
    const sandbox = newSandbox();
    const batch = await sandbox.startProcess(`bash -c "sleep 100 & sleep 100 & sleep 100 & wait"`);
    await sandbox.killProcess(batch.id);
    expect(batch.status).toBe("killed");
    const stubborn = await sandbox.startProcess(["node", fixture("ignore-sigterm.mjs")]);
    await stubborn.waitForLog("ready");
    await sandbox.killProcess(stubborn.id, "SIGKILL");
    expect(await stubborn.waitForExit()).toEqual({ exitCode: 137, signal: "SIGKILL" });
    await sandbox.startProcess("sleep 100");
    await sandbox.startProcess("sleep 100");
    expect(await sandbox.killAllProcesses()).toBe(2);
  });

  it.runIf(hasRedis || process.env.CI)("runs dependent services in order: redis, then an API that uses it", async () => {
    const sandbox = newSandbox();
    const redisPort = await freePort();
    const apiPort = await freePort();
    const db = await sandbox.startProcess(`redis-server --port ${redisPort} --bind 127.0.0.1 --save ""`);
    await db.waitForPort(redisPort, { mode: "tcp" });
    const api = await sandbox.startProcess(["node", "-e", SERVER], { env: { PORT: String(apiPort), DATABASE_URL: `redis://localhost:${redisPort}` } });
    await api.waitForPort(apiPort, { path: "/health" });
    expect(db.status).toBe("running");
  });

  it("a process that exits at once is listed as failed, with its logs", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess(`node -e "console.error('Error: Cannot find module server.js'); process.exit(1)"`);
    await proc.waitForExit();
    const processes = await sandbox.listProcesses();
    expect(processes.find((p) => p.id === proc.id)?.status).toBe("failed");
    expect((await sandbox.getProcessLogs(proc.id)).stderr).toContain("Cannot find module server.js");
  });

  it("follows a long build's logs until it says it is complete, then stops reading", async () => {
    const sandbox = newSandbox();
    const build = await sandbox.startProcess(`for step in compile bundle minify; do echo "$step done"; sleep 0.05; done; echo "Build complete"; sleep 30`);
    const seen: string[] = [];
    for await (const log of parseSSEStream<LogEvent>(await sandbox.streamProcessLogs(build.id))) {
      seen.push(log.data);
      if (log.data.includes("Build complete")) break;
    }
    expect(seen).toEqual(["", "compile done\n", "bundle done\n", "minify done\n", "Build complete\n"]);
    expect(await build.getStatus()).toBe("running");
  });

  it("frees a port held by an earlier process with killAllProcesses, then starts again", async () => {
    const sandbox = newSandbox();
    const port = await freePort();
    const first = await sandbox.startProcess(["node", "-e", SERVER], { env: { PORT: String(port) } });
    await first.waitForPort(port, { path: "/health" });
    await sandbox.killAllProcesses();
    const second = await sandbox.startProcess(["node", "-e", SERVER], { env: { PORT: String(port) } });
    await second.waitForPort(port, { path: "/health" });
    expect([first.status, second.status]).toEqual(["killed", "running"]);
  });

  it("destroy() kills everything it started", async () => {
    const sandbox = newSandbox();
    const first = await sandbox.startProcess(`bash -c "sleep 100 & wait"`);
    await sandbox.destroy();
    expect(first.status).toBe("killed");
  });
});

describe("Sandbox statuses, options and errors", () => {
  it("reports completed, failed, killed (by its timeout too) and error", async () => {
    const sandbox = newSandbox();
    const ok = await sandbox.startProcess("true");
    const bad = await sandbox.startProcess("exit 2");
    const slow = await sandbox.startProcess("sleep 30", { timeout: 100 });
    const missing = await sandbox.startProcess(["no-such-program-sbx"]);
    await Promise.all([ok.waitForExit(), bad.waitForExit(), slow.waitForExit()]);
    expect([ok.status, bad.status, slow.status, missing.status]).toEqual(["completed", "failed", "killed", "error"]);
    expect([ok.exitCode, bad.exitCode]).toEqual([0, 2]);
    expect(missing.pid).toBeUndefined();
    expect((await missing.getLogs()).stderr).toBe("command not found: no-such-program-sbx\n");
  });

  it("calls onOutput and onExit", async () => {
    const sandbox = newSandbox();
    const chunks: string[] = [];
    let exitCode: number | null | undefined;
    const proc = await sandbox.startProcess("echo hi; exit 4", { onOutput: (stream, data) => chunks.push(`${stream}:${data}`), onExit: (code) => (exitCode = code) });
    await proc.waitForExit();
    expect(chunks.join("")).toBe("stdout:hi\n");
    expect(exitCode).toBe(4);
  });

  it("refuses a duplicate processId, and names an unknown one", async () => {
    const sandbox = newSandbox();
    await sandbox.startProcess("sleep 30", { processId: "web" });
    await expect(sandbox.startProcess("sleep 30", { processId: "web" })).rejects.toBeInstanceOf(ProcessExistsError);
    expect(await sandbox.getProcess("nope")).toBeNull();
    const error = await sandbox.killProcess("nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessNotFoundError);
    expect(error).toMatchObject({ code: "PROCESS_NOT_FOUND", processId: "nope", message: "Process nope not found", httpStatus: 404 });
  });

  it("a wait on a process that exits rejects at once with its exit code and last lines", async () => {
    const sandbox = newSandbox();
    const port = await freePort();
    const proc = await sandbox.startProcess(`echo starting; echo 'fatal: port in use' >&2; exit 7`);
    const begun = Date.now();
    const error = (await proc.waitForPort(port, { timeout: 30_000 }).catch((e: unknown) => e)) as ProcessExitedBeforeReadyError;
    expect(Date.now() - begun).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(ProcessExitedBeforeReadyError);
    // The SDK's fields, and sbx's last lines.
    expect(error).toMatchObject({ processId: proc.id, command: proc.command, condition: `port ${port} (HTTP /)`, exitCode: 7, lastLines: ["starting", "fatal: port in use"] });
    expect(error).toMatchObject({ code: "PROCESS_EXITED_BEFORE_READY", httpStatus: 500 });
    expect(error.message).toContain(`Process exited with code 7 before becoming ready. Waiting for: port ${port} (HTTP /)`);
    await expect(proc.waitForLog("never", 30_000)).rejects.toBeInstanceOf(ProcessExitedBeforeReadyError);
  });

  it("a readiness timeout says what the check last saw", async () => {
    const sandbox = newSandbox();
    const port = await freePort();
    const proc = await sandbox.startProcess("sleep 30");
    const error = (await proc.waitForPort(port, { timeout: 300, interval: 20 }).catch((e: unknown) => e)) as ProcessReadyTimeoutError;
    expect(error).toBeInstanceOf(ProcessReadyTimeoutError);
    expect(error.message).toBe(`Process did not become ready within 300ms. Waiting for: port ${port} (HTTP /) (last check: connection refused)`);
    expect(error).toMatchObject({ processId: proc.id, command: "sleep 30", condition: `port ${port} (HTTP /)`, timeout: 300, code: "PROCESS_READY_TIMEOUT", httpStatus: 408 });
    await expect(proc.waitForLog("never", 100)).rejects.toMatchObject({ condition: '"never"', timeout: 100 });
    await expect(proc.waitForLog(/nev(er)/, 100)).rejects.toMatchObject({ condition: "/nev(er)/" });
    // waitForExit's timeout is the SDK's ProcessReadyTimeoutError too (condition "process exit"), as sbx's ProcessWaitTimeoutError.
    const exitWait = proc.waitForExit(100);
    await expect(exitWait).rejects.toBeInstanceOf(ProcessWaitTimeoutError);
    await expect(exitWait).rejects.toBeInstanceOf(ProcessReadyTimeoutError);
    await expect(exitWait).rejects.toMatchObject({ condition: "process exit", timeout: 100, message: expect.stringContaining("did not become ready") });
  });

  it("every wait takes an AbortSignal", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess("sleep 30");
    const controller = new AbortController();
    const waits = [proc.waitForLog("never", { signal: controller.signal }), proc.waitForPort(1, { signal: controller.signal }), proc.waitForExit({ signal: controller.signal })];
    controller.abort();
    for (const wait of waits) await expect(wait).rejects.toBeInstanceOf(ProcessWaitAbortedError);
    expect(proc.status).toBe("running");
  });

  it("exec runs a command to its end", async () => {
    const sandbox = newSandbox();
    const begun = Date.now();
    const built = await sandbox.exec("echo built; echo warning >&2");
    expect(built).toEqual({
      success: true,
      exitCode: 0,
      stdout: "built\n",
      stderr: "warning\n",
      command: "echo built; echo warning >&2",
      duration: expect.any(Number),
      timestamp: expect.any(String),
    });
    expect(Date.parse(built.timestamp)).toBeGreaterThanOrEqual(begun - 1);
    expect(built.duration).toBeLessThanOrEqual(Date.now() - begun);
    expect(await sandbox.exec(["sh", "-c", "exit 3"])).toMatchObject({ exitCode: 3, success: false });
    expect(await sandbox.listProcesses()).toEqual([]);
  });

  it("with autoCleanup a finished process's record goes away; with false it stays", async () => {
    const sandbox = newSandbox({ recordTtlMs: 50 });
    const cleaned = await sandbox.startProcess("true");
    const kept = await sandbox.startProcess("true", { autoCleanup: false });
    await Promise.all([cleaned.waitForExit(), kept.waitForExit()]);
    // The cleaned record goes after its 50 ms; the kept one stays whatever the wait.
    let ids = (await sandbox.listProcesses()).map((p) => p.id);
    for (const deadline = Date.now() + 5_000; ids.length > 1 && Date.now() < deadline; ids = (await sandbox.listProcesses()).map((p) => p.id)) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(ids).toEqual([kept.id]);
  });
});
