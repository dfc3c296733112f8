import { SSEParser } from "../protocol/sse.js";

/**
 * Reads a stream of Server-Sent Events (from streamProcessLogs) and yields each event's JSON data:
 * for logs, `{ type: 'stdout' | 'stderr' | 'exit', data, processId, timestamp, exitCode? }`.
 * Breaking out of the loop cancels the stream.
 */
export async function* parseSSEStream<T = unknown>(stream: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const parser = new SSEParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) yield JSON.parse(message.data) as T;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
