/** Server-Sent Events: the wire format of the control API's streams and of streamProcessLogs. */
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
 * complete. Follows the WHATWG rules: `:` comments, `\r\n` or `\n`, several `data:` lines joined.
 */
export class SSEParser {
  private buffer = "";
  private current: { id?: string; event?: string; data: string[] } = { data: [] };

  push(chunk: string): SSEMessage[] {
    this.buffer += chunk;
    const messages: SSEMessage[] = [];
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) !== -1) {
      let line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (this.current.data.length > 0 || this.current.event !== undefined) {
          messages.push({
            ...(this.current.id !== undefined ? { id: this.current.id } : {}),
            ...(this.current.event !== undefined ? { event: this.current.event } : {}),
            data: this.current.data.join("\n"),
          });
        }
        this.current = { data: [] };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") this.current.data.push(value);
      else if (field === "event") this.current.event = value;
      else if (field === "id") this.current.id = value;
    }
    return messages;
  }
}
