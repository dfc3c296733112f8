import { describe, expect, it } from "vitest";
import { lineEventStream } from "../../src/api/log-event-stream.js";
import { parseSSEStream } from "../../src/api/parse-sse-stream.js";
import type { LogEvent } from "../../src/api/types.js";
import { LineBlock } from "../../src/process/line-block.js";
import { ServiceLog } from "../../src/process/service-log.js";

// A service's stream (Sandbox.connect(), up()'s processes) is read from its line log.

const subject = { processId: "api", command: "node api.js", status: () => "running" as const };
const lines = (from: number, to: number): LineBlock => LineBlock.of(Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`));

async function eventsOf(stream: ReadableStream<Uint8Array>, until?: (event: LogEvent) => boolean): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  for await (const event of parseSSEStream<LogEvent>(stream)) {
    events.push(event);
    if (until?.(event)) break;
  }
  return events;
}

describe("a service's event stream", () => {
  it("gives each line with its newline, after process_info", async () => {
    const log = new ServiceLog("api", undefined, 1000);
    log.appendLines("stdout", lines(1, 2));
    log.append("stderr", "oops");
    const events = await eventsOf(lineEventStream(subject, log, Promise.resolve({ exitCode: 0, signal: null })));
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ["process_info", ""],
      ["stdout", "line 1\n"],
      ["stdout", "line 2\n"],
      ["stderr", "oops\n"],
      ["exit", "Process completed with exit code 0"],
    ]);
    expect(events[0]).toMatchObject({ command: "node api.js", status: "running" });
  });

  it("says a service killed by a signal was killed, with 128 + the signal's number", async () => {
    const log = new ServiceLog("api", undefined, 1000);
    const events = await eventsOf(lineEventStream(subject, log, Promise.resolve({ exitCode: null, signal: "SIGTERM" })));
    expect(events.at(-1)).toMatchObject({ type: "exit", exitCode: 143, data: "Process killed with exit code 143" });
  });

  it("lets a reader that starts or resumes more than maxBehind lines back catch up from a gap, rather than sending it away again and again", async () => {
    const log = new ServiceLog("api", undefined, 50);
    log.appendLines("stdout", lines(1, 500));
    for (const afterSeq of [0, 10]) {
      const events = await eventsOf(lineEventStream(subject, log, new Promise(() => {}), { afterSeq, maxBehind: 100 }), (e) => e.data === "line 500\n");
      expect(events.map((e) => e.type)).toEqual(["process_info", "gap", ...Array.from({ length: 50 }, () => "stdout")]);
      expect(events[1]).toMatchObject({ from: afterSeq + 1, to: 450, skipped: 450 - afterSeq });
    }
  });

  it("sends a reader that falls more than maxBehind lines behind while it reads away, telling it where to resume", async () => {
    const log = new ServiceLog("api", undefined, 1000);
    log.appendLines("stdout", lines(1, 3));
    const reader = lineEventStream(subject, log, new Promise(() => {}), { maxBehind: 100 }).getReader();
    const decoder = new TextDecoder();
    let wire = decoder.decode((await reader.read()).value);
    wire += decoder.decode((await reader.read()).value);
    log.appendLines("stdout", lines(4, 200));
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) wire += decoder.decode(chunk.value);
    expect(wire).toContain("event: lagged");
    expect(wire).toMatch(/id: 3\nevent: lagged\n/);
  });
});
