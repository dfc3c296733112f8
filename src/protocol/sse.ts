/** Server-Sent Events: the wire format of the control API's streams and of streamProcessLogs. */
import { createParser } from "eventsource-parser";
import type { LogLine } from "../process/log-line.js";

export interface SSEMessage {
  id?: string;
  event?: string;
  data: string;
}

/** One event on the wire; data with newlines becomes several `data:` lines, as the format wants. */
export function formatSSE(message: SSEMessage): string {
  let out = "";
  if (message.id !== undefined) out += `id: ${message.id}\n`;
  if (message.event !== undefined) out += `event: ${message.event}\n`;
  for (const line of message.data.split("\n")) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A log line as GET /v1/logs sends it: event `stdout` or `stderr`, id `service:seq`, the line as JSON. */
export function formatLogLineEvent(line: LogLine): string {
  return `id: ${line.service}:${line.seq}\nevent: ${line.stream}\ndata: ${JSON.stringify(line)}\n\n`;
}

/**
 * Reads events from text chunks as they arrive: feed it chunks, it returns the events they
 * complete (eventsource-parser underneath: the WHATWG rules, `:` comments, `\r\n`, `\n` or `\r`,
 * several `data:` lines joined). An event's id is its own (undefined when it has none).
 */
export class SSEParser {
  private messages: SSEMessage[] = [];
  private readonly parser = createParser({
    onEvent: ({ id, event, data }) => this.messages.push({ ...(id !== undefined ? { id } : {}), ...(event !== undefined ? { event } : {}), data }),
  });

  push(chunk: string): SSEMessage[] {
    this.parser.feed(chunk);
    return this.take();
  }

  /** The last event, when the stream ended without the blank line after it. */
  end(): SSEMessage[] {
    this.parser.feed("\n\n");
    return this.take();
  }

  private take(): SSEMessage[] {
    const messages = this.messages;
    this.messages = [];
    return messages;
  }
}
