import { describe, expect, it } from "vitest";
import { parseSSEStream, type LogEvent } from "../../src/index.js";
import { fixture } from "../helpers/processes.js";
import { markedSandbox as newSandbox } from "../helpers/sandboxes.js";

// streamProcessLogs as the SDK's container sends it (process-handler.ts handleStream): a
// `process_info` event, raw output chunks, and `exit` with "Process <status> with exit code N".

async function eventsOf(stream: ReadableStream<Uint8Array>): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  for await (const event of parseSSEStream<LogEvent>(stream)) events.push(event);
  return events;
}

const join = (events: LogEvent[], type: string): string =>
  events
    .filter((e) => e.type === type)
    .map((e) => e.data)
    .join("");

describe("streamProcessLogs, as the SDK sends it", () => {
  it("starts with process_info, carries the output's chunks with their newlines, and ends with the exit's sentence", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess(`printf 'one\\r\\ntwo'; printf 'oops\\n' >&2; sleep 0.2; printf ' three\\n'; exit 3`, { processId: "job" });
    const events = await eventsOf(await sandbox.streamProcessLogs(proc.id));
    expect(events[0]).toEqual({ type: "process_info", processId: "job", command: proc.command, status: "running", timestamp: expect.any(String), data: "" });
    expect(join(events, "stdout")).toBe("one\r\ntwo three\n");
    expect(join(events, "stderr")).toBe("oops\n");
    expect(events.at(-1)).toEqual({ type: "exit", processId: "job", exitCode: 3, data: "Process failed with exit code 3", timestamp: expect.any(String) });
    expect(events.every((e) => e.processId === "job" && !Number.isNaN(Date.parse(e.timestamp)))).toBe(true);
  });

  it("after the end, replays everything, then the exit; a process that could not start ends with status error", async () => {
    const sandbox = newSandbox();
    const done = await sandbox.startProcess("printf 'a\\nb'");
    await done.waitForExit();
    const events = await eventsOf(await sandbox.streamProcessLogs(done.id));
    expect(events.map((e) => e.type)).toEqual(["process_info", "stdout", "exit"]);
    expect(events[0]?.status).toBe("completed");
    expect(events[1]?.data).toBe("a\nb");
    expect(events[2]?.data).toBe("Process completed with exit code 0");

    const missing = await sandbox.startProcess(["no-such-program-sbx"]);
    const failed = await eventsOf(await sandbox.streamProcessLogs(missing.id));
    expect(failed.map((e) => [e.type, e.data])).toEqual([
      ["process_info", ""],
      ["stderr", "command not found: no-such-program-sbx\n"],
      ["exit", "Process error with exit code null"],
    ]);
  });

  it("gives each event an id, and lastEventId resumes after it with no gap and no duplicate", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess([process.execPath, fixture("print-lines.mjs"), "5000"]);
    await proc.waitForExit();
    const reader = (await sandbox.streamProcessLogs(proc.id)).getReader();
    const decoder = new TextDecoder();
    let wire = "";
    // Read only a part: the first event ids give a place to resume from.
    while ((wire.match(/^id: /gm) ?? []).length < 2) wire += decoder.decode((await reader.read()).value);
    await reader.cancel();
    const firstId = /^id: (\d+)$/m.exec(wire)?.[1] as string;
    const upToFirst = /^data: (.*)$/gm;
    const firstData = [...wire.matchAll(upToFirst)].map((m) => JSON.parse(m[1] as string) as LogEvent).find((e) => e.type === "stdout") as LogEvent;
    const rest = await eventsOf(await sandbox.streamProcessLogs(proc.id, { lastEventId: firstId }));
    expect(rest[0]?.type).toBe("process_info");
    expect(firstData.data + join(rest, "stdout")).toBe(Array.from({ length: 5000 }, (_, i) => `line ${i + 1}\n`).join(""));
  });

  it("ends when the signal given aborts, while the process goes on", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess("echo first; sleep 30");
    await proc.waitForLog("first");
    const controller = new AbortController();
    const events: LogEvent[] = [];
    const reading = (async () => {
      for await (const event of parseSSEStream<LogEvent>(await sandbox.streamProcessLogs(proc.id, { signal: controller.signal }))) {
        events.push(event);
        if (event.type === "stdout") controller.abort();
      }
    })();
    await reading;
    expect(events.map((e) => e.type)).toEqual(["process_info", "stdout"]);
    expect(proc.status).toBe("running");
    // Already aborted: an empty stream.
    expect(await eventsOf(await sandbox.streamProcessLogs(proc.id, { signal: controller.signal }))).toEqual([]);
  });

  it("tells a reader that starts after the oldest output was dropped what it missed, then gives the rest", async () => {
    const sandbox = newSandbox({ maxOutputBytes: 16 * 1024 });
    const proc = await sandbox.startProcess([process.execPath, "-e", `for (let i = 1; i <= 40; i++) process.stdout.write(String(i).padStart(4, "0").repeat(1024) + "\\n")`]);
    await proc.waitForExit();
    const events = await eventsOf(await sandbox.streamProcessLogs(proc.id));
    expect(events.map((e) => e.type)).toEqual(["process_info", "gap", ...events.slice(2, -1).map(() => "stdout"), "exit"]);
    expect(events[1]).toMatchObject({ from: 1, skipped: expect.any(Number) });
    const stdout = join(events, "stdout");
    expect(stdout.endsWith(`${"0040".repeat(1024)}\n`)).toBe(true);
    expect((await proc.getLogs()).stdout.length).toBe(16 * 1024);
    expect(stdout.endsWith((await proc.getLogs()).stdout)).toBe(true);
  });

  it("joins a live flood's chunks back to the exact output", async () => {
    const sandbox = newSandbox();
    const proc = await sandbox.startProcess([process.execPath, fixture("print-lines.mjs"), "20000"]);
    const events = await eventsOf(await sandbox.streamProcessLogs(proc.id));
    expect(join(events, "stdout")).toBe(Array.from({ length: 20000 }, (_, i) => `line ${i + 1}\n`).join(""));
    expect(events.filter((e) => e.type === "gap" || e.type === "lagged")).toEqual([]);
  });
});
