import { describe, expect, it } from "vitest";
import { parseSSEStream } from "../../src/index.js";

// As the SDK's parseSSEStream (packages/sandbox/src/sse-parser.ts) reads a stream.

/** A stream of these chunks; it stays open (a server that sends nothing more) unless `end`. */
function streamOf(chunks: string[], end = true): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (end) controller.close();
    },
  });
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe("parseSSEStream", () => {
  it("yields each event's JSON data, across chunks cut anywhere, \\r\\n or \\n, several data lines joined", async () => {
    const wire = 'id: 1\nevent: stdout\ndata: {"n":1}\n\n' + 'data: {"n":\r\ndata: 2}\r\n\r\n' + ": a comment\n\n" + 'data: {"n":"é"}\n\n';
    const bytes = new TextEncoder().encode(wire);
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    expect(await all(parseSSEStream(cut))).toEqual([{ n: 1 }, { n: 2 }, { n: "é" }]);
  });

  it("skips [DONE], empty and malformed frames, as the SDK does", async () => {
    const wire = ['data: {"a":1}\n\n', "data: [DONE]\n\n", "data:\n\n", "data:    \n\n", "data: {not json\n\n", "event: x\n\n", 'data: {"b":2}\n\n'];
    expect(await all(parseSSEStream(streamOf(wire)))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("gives a last frame that has no blank line after it", async () => {
    expect(await all(parseSSEStream(streamOf(['data: {"a":1}\n\ndata: {"b":2}'])))).toEqual([{ a: 1 }, { b: 2 }]);
    expect(await all(parseSSEStream(streamOf(['data: {"a":1}\n\ndata: {"b":2}\n'])))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("wakes a consumer blocked in a read when its signal aborts, and cancels the stream", async () => {
    let cancelled = false;
    const encoder = new TextEncoder();
    const open = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('data: {"a":1}\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const controller = new AbortController();
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const event of parseSSEStream(open, controller.signal)) {
        seen.push(event);
        // The next read blocks: nothing more comes. The abort must end it.
        setTimeout(() => controller.abort(), 10);
      }
    })();
    await expect(reading).rejects.toThrow("Operation was aborted");
    expect(seen).toEqual([{ a: 1 }]);
    expect(cancelled).toBe(true);
  });

  it("throws at once for a signal already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(all(parseSSEStream(streamOf(['data: {"a":1}\n\n'], false), controller.signal))).rejects.toThrow("Operation was aborted");
  });
});
