import { request, type IncomingMessage } from "node:http";
import { SbxError } from "../errors.js";
import { SSEParser, type SSEMessage } from "./sse.js";

/** A client of a running project's control API, over its Unix socket. */
export class ControlClient {
  constructor(readonly socketPath: string) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  post<T>(path: string): Promise<T> {
    return this.call<T>("POST", path);
  }

  /** The events of a stream endpoint, as they come; ends when the server ends it or `signal` aborts. */
  async *stream(path: string, options: { signal?: AbortSignal; lastEventId?: string } = {}): AsyncGenerator<SSEMessage> {
    const response = await this.open("GET", path, options);
    if (response.statusCode !== 200) throw await errorFrom(response);
    const parser = new SSEParser();
    response.setEncoding("utf8");
    try {
      for await (const chunk of response) for (const message of parser.push(chunk as string)) yield message;
    } catch (error) {
      if (!options.signal?.aborted) throw error;
    } finally {
      response.destroy();
    }
  }

  private async call<T>(method: string, path: string): Promise<T> {
    const response = await this.open(method, path, {});
    const body = await readBody(response);
    if (response.statusCode !== 200) throw new SbxError("USAGE", errorMessage(body, response.statusCode));
    return JSON.parse(body) as T;
  }

  private open(method: string, path: string, options: { signal?: AbortSignal; lastEventId?: string }): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({
        socketPath: this.socketPath,
        path,
        method,
        agent: false,
        headers: options.lastEventId ? { "last-event-id": options.lastEventId } : {},
        ...(options.signal ? { signal: options.signal } : {}),
      });
      req.once("response", resolve);
      req.once("error", reject);
      req.end();
    });
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (body += chunk));
    response.once("end", () => resolve(body));
    response.once("error", reject);
  });
}

async function errorFrom(response: IncomingMessage): Promise<SbxError> {
  return new SbxError("USAGE", errorMessage(await readBody(response), response.statusCode));
}

function errorMessage(body: string, status: number | undefined): string {
  try {
    return (JSON.parse(body) as { error?: string }).error ?? `HTTP ${status}`;
  } catch {
    return `HTTP ${status}: ${body}`;
  }
}
