import { createParser } from "eventsource-parser";

/**
 * Reads a stream of Server-Sent Events (from streamProcessLogs) and yields each event's JSON data,
 * as the SDK's parseSSEStream does: for logs, `process_info`, then `{ type: 'stdout' | 'stderr',
 * data, processId, timestamp }` chunks, then `exit` (see LogEvent). Frames whose data is `[DONE]`,
 * empty or not JSON are skipped; a last frame with no blank line after it is still read. Breaking
 * out of the loop cancels the stream; so does `signal`, which also wakes a loop waiting for the
 * next event, and makes it throw an AbortError ("Operation was aborted").
 */
export async function* parseSSEStream<T = unknown>(stream: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<T> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const parsed: T[] = [];
  const parser = createParser({
    onEvent: ({ data }) => {
      if (data === "[DONE]" || data.trim() === "") return;
      try {
        parsed.push(JSON.parse(data) as T);
      } catch {
        // Not JSON: skipped, as the SDK does.
      }
    },
  });
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  const throwIfAborted = (): void => {
    if (signal?.aborted) throw new DOMException("Operation was aborted", "AbortError");
  };
  try {
    for (;;) {
      throwIfAborted();
      const { value, done } = await reader.read();
      throwIfAborted();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (parsed.length > 0) yield parsed.shift() as T;
    }
    // The last frame, if nothing ended it.
    parser.feed(`${decoder.decode()}\n\n`);
    while (parsed.length > 0) yield parsed.shift() as T;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
