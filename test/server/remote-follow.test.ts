import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RemoteSandbox } from "../../src/api/remote-sandbox.js";
import { Sandbox } from "../../src/api/sandbox.js";
import { ControlClient } from "../../src/protocol/client.js";
import { tempDir } from "../helpers/temp-dir.js";
import { fixture } from "../helpers/processes.js";
import { runningProject } from "../helpers/project-supervisor.js";

describe("a process of a running project, seen through Sandbox.connect()", () => {
  it("follows a flood to its last line", async () => {
    const printer = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(fixture("wide-lines.mjs"))} 60000 200 go`;
    const { dir } = await runningProject(`services:\n  a: { command: ${JSON.stringify(`echo ready; ${printer}`)} }\n`);
    const remote = Sandbox.connect(dir);
    const a = (await remote.getProcess("a"))!;
    // The first wait opens the stream the waits read; the flood starts after it.
    await a.waitForLog("ready");
    writeFileSync(join(dir, "go"), "");
    const { line } = await a.waitForLog(/^60000x+$/, 30_000);
    expect(line).toBe("60000".padEnd(200, "x"));
    expect(await a.waitForExit(10_000)).toEqual({ exitCode: 0, signal: null });
  });
});

describe("the stream that a remote process's waits read", () => {
  it("is opened again after a lagged event, from the line it names", async () => {
    // A supervisor's answers as they come when this side reads too slowly: the first stream ends
    // with `lagged`; the second, asked for after line 3, skips lines 4-5 (a gap) and goes to the exit.
    const event = (id: string, type: string, fields: Record<string, unknown> = {}): string =>
      `${id === "" ? "" : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify({ type, processId: "a", timestamp: new Date().toISOString(), data: "", ...fields })}\n\n`;
    const asked: (string | undefined)[] = [];
    const dir = tempDir();
    const socketPath = join(dir, "sbx.sock");
    const server = createServer((request, response) => {
      if (request.url === "/v1/processes/a") {
        response.end(JSON.stringify({ id: "a", pid: 1234, command: "x", status: "running", exitCode: null, startTime: new Date().toISOString() }));
        return;
      }
      const after = request.headers["last-event-id"] as string | undefined;
      asked.push(after);
      response.writeHead(200, { "content-type": "text/event-stream" });
      if (after === undefined) {
        response.end(event("", "process_info", { command: "x", status: "running" }) + ["1", "2", "3"].map((n) => event(n, "stdout", { data: `line ${n}\n` })).join("") + event("3", "lagged", { resume: "3" }));
      } else {
        response.end(
          event("", "process_info", { command: "x", status: "running" }) +
            event("5", "gap", { from: 4, to: 5, skipped: 2 }) +
            event("6", "stdout", { data: "line 6\nline 7 with" }) +
            event("7", "stdout", { data: "out its end" }) +
            event("7-exit", "exit", { data: "Process completed with exit code 0", exitCode: 0 }),
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const a = (await new RemoteSandbox(new ControlClient(socketPath), dir).getProcess("a"))!;
      expect((await a.waitForLog("line 6", 5_000)).line).toBe("line 6");
      // Chunks are joined into lines again, the last one without a newline by the exit.
      expect((await a.waitForLog("line 7", 5_000)).line).toBe("line 7 without its end");
      expect(await a.waitForExit(5_000)).toEqual({ exitCode: 0, signal: null });
      expect(asked).toEqual([undefined, "3"]);
    } finally {
      server.close();
    }
  });
});
