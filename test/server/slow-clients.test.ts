import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSSEStream } from "../../src/api/parse-sse-stream.js";
import { Sandbox } from "../../src/api/sandbox.js";
import { defaults } from "../../src/defaults.js";
import { LineBlock } from "../../src/process/line-block.js";
import type { ServiceLog } from "../../src/process/service-log.js";
import { SSEParser, type SSEMessage } from "../../src/protocol/sse.js";
import { liveHeapBytes } from "../helpers/heap.js";
import { eventually, fixture } from "../helpers/processes.js";
import { runningProject } from "../helpers/project-supervisor.js";

const node = JSON.stringify(process.execPath);
/** 40,000 lines of 200 characters (8 MB; 12 MB as events), printed once the file `go` exists, as fast as they can or `perMs` a millisecond. */
const LINES = 40_000;
const flood = (service: string, perMs = 0): string =>
  `  ${service}: { command: [${node}, ${JSON.stringify(fixture("wide-lines.mjs"))}, "${LINES}", "200", go, "${perMs}"] }\n`;

/** Memory of this process (the supervisor's) still in use after a full collection: heap and buffers. */
function liveBytes(): number {
  liveHeapBytes();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** A GET whose answer is not read (a client that stalls) until `read` is called. */
function stalledGet(socketPath: string, path: string, lastEventId?: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, agent: false, headers: lastEventId ? { "last-event-id": lastEventId } : {} }, resolve);
    req.once("error", reject);
    req.end();
  });
}

/** Every event of a response until the server ends it. */
async function readAll(response: IncomingMessage): Promise<SSEMessage[]> {
  const parser = new SSEParser();
  const messages: SSEMessage[] = [];
  response.setEncoding("utf8");
  for await (const chunk of response) messages.push(...parser.push(chunk as string));
  return messages;
}

describe("a client that does not keep up", () => {
  it("of GET /v1/logs costs the supervisor no memory, is told where to resume, and is disconnected", async () => {
    const { dir, supervisor, client } = await runningProject(`services:\n${flood("a")}`);
    const response = await stalledGet(client.socketPath, "/v1/logs?service=a&follow=1");
    const before = liveBytes();
    writeFileSync(join(dir, "go"), "");
    const log = supervisor.orchestrator.serviceLog("a");
    await eventually(() => log?.lastSeq === LINES, "the flood to be read", 20_000);
    expect(liveBytes() - before).toBeLessThan(4 * 1024 * 1024);

    const messages = await readAll(response);
    const lagged = messages.at(-1) as SSEMessage;
    const lines = messages.slice(0, -1);
    expect(lagged.event).toBe("lagged");
    expect(lines.every((m, i) => m.event === "stdout" && m.id === `a:${i + 1}`)).toBe(true);
    expect(lagged.id).toBe(`a:${lines.length}`);
    expect(JSON.parse(lagged.data)).toMatchObject({ resume: `a:${lines.length}`, behind: expect.any(Number) });
    expect(JSON.parse(lagged.data).behind).toBeGreaterThan(defaults.clientMaxBehindLines);

    // Resuming there: what is no longer in memory is a gap (in the log file), then every line to the last.
    const resumed: SSEMessage[] = [];
    const controller = new AbortController();
    const reading = (async () => {
      for await (const message of client.logs({ service: ["a"], follow: true }, { lastEventId: lagged.id as string, signal: controller.signal })) {
        resumed.push(message);
        if (message.id === `a:${LINES}`) controller.abort();
      }
    })();
    await reading;
    const [gap, ...rest] = resumed;
    expect(gap?.event).toBe("gap");
    const gapData = JSON.parse(gap?.data ?? "{}");
    expect(gapData).toMatchObject({ service: "a", from: lines.length + 1, file: join(dir, ".sbx", "logs", "a.log") });
    expect(gap?.id).toBe(`a:${gapData.to}`);
    expect(gapData.skipped).toBe(gapData.to - lines.length);
    expect(rest.map((m) => m.id)).toEqual(Array.from({ length: LINES - gapData.to }, (_, i) => `a:${gapData.to + 1 + i}`));
    expect(JSON.parse(rest.at(-1)?.data ?? "{}").text).toBe(`${LINES}`.padEnd(200, "x"));
  });

  it("of GET /v1/processes/ID/stream costs the supervisor no memory and is told where to resume", async () => {
    const { dir, supervisor, client } = await runningProject(`services:\n${flood("a")}`);
    const response = await stalledGet(client.socketPath, "/v1/processes/a/stream");
    const before = liveBytes();
    writeFileSync(join(dir, "go"), "");
    await eventually(() => supervisor.orchestrator.state("a")?.status === "completed", "the flood to end", 20_000);
    expect(liveBytes() - before).toBeLessThan(4 * 1024 * 1024);

    const [info, ...messages] = await readAll(response);
    expect(info?.event).toBe("process_info");
    const lagged = messages.at(-1) as SSEMessage;
    const lines = messages.slice(0, -1);
    expect(lagged.event).toBe("lagged");
    expect(lines.every((m, i) => m.event === "stdout" && m.id === `${i + 1}`)).toBe(true);
    expect(lagged.id).toBe(`${lines.length}`);
    expect(JSON.parse(lagged.data)).toMatchObject({ type: "lagged", processId: "a", resume: `${lines.length}` });
  });

  it("of an in-process streamProcessLogs costs no memory, and reads on to where to resume", async () => {
    const sandbox = new Sandbox({ cwd: process.cwd() });
    try {
      const before = liveBytes();
      const flooding = await sandbox.startProcess([process.execPath, fixture("wide-lines.mjs"), String(LINES), "200"]);
      const unread = await sandbox.streamProcessLogs(flooding.id);
      await flooding.waitForExit();
      expect(liveBytes() - before).toBeLessThan(4 * 1024 * 1024);
      // It read nothing while the flood pushed the oldest output out: it is told where to resume, the start.
      const events: { type: string; resume?: string }[] = [];
      for await (const event of parseSSEStream<{ type: string; resume?: string }>(unread)) events.push(event);
      expect(events).toEqual([expect.objectContaining({ type: "process_info" }), expect.objectContaining({ type: "lagged", resume: "0" })]);
    } finally {
      await sandbox.destroy();
    }
  });

  it("that is slower than the services loses no line the supervisor still holds: every one comes, in order, with no gap and no lagged event", async () => {
    // 1,000 lines of 200 characters a service: all of them fit in its tail, however far behind the reader is.
    const { dir, client } = await runningProject(
      `services:\n${["a", "b"].map((name) => `  ${name}: { command: [${node}, ${JSON.stringify(fixture("wide-lines.mjs"))}, "1000", "200", go] }\n`).join("")}`,
    );
    // The reader is a process of its own, as clients are: in this one, it would share the supervisor's event loop.
    const reader = spawn(process.execPath, [fixture("sse-reader.mjs"), client.socketPath, "/v1/logs?follow=1", "1000", "a", "b"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    reader.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const done = new Promise((resolve) => reader.once("close", resolve));
    await eventually(() => out.startsWith("open\n"), "the reader to connect");
    writeFileSync(join(dir, "go"), "");
    await done;
    expect(JSON.parse(out.split("\n")[1] as string)).toEqual({ events: { stdout: 2000 }, inOrder: true, seen: { a: 1000, b: 1000 } });
  });

  it("that has just been given its recent lines may still fall the whole limit behind", async () => {
    // Three services with 5,000 lines each: the client is given 10,000 of them (the most), then
    // 5,000 more come at once before it reads anything.
    const { supervisor, client } = await runningProject(`services:\n${["a", "b", "c"].map((name) => `  ${name}: { command: "seq 5000; sleep 30" }\n`).join("")}`);
    const log = (name: string) => supervisor.orchestrator.serviceLog(name) as ServiceLog;
    await eventually(() => ["a", "b", "c"].every((name) => log(name).lastSeq === 5000), "every line read");
    const response = await stalledGet(client.socketPath, "/v1/logs?follow=1");
    log("a").appendLines("stdout", LineBlock.of(Array.from({ length: 5000 }, (_, i) => `late ${i + 1}`)));
    const messages: SSEMessage[] = [];
    const parser = new SSEParser();
    response.setEncoding("utf8");
    for await (const chunk of response) {
      messages.push(...parser.push(chunk as string));
      if (messages.at(-1)?.id === "a:10000" || messages.at(-1)?.event === "lagged") break;
    }
    response.destroy();
    expect(messages.filter((m) => m.event !== "stdout")).toEqual([]);
    expect(messages).toHaveLength(9_999 + 5_000);
  });
});
