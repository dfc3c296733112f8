import { request, type IncomingMessage } from "node:http";
import { SbxError } from "../errors.js";
import { SSEParser, type SSEMessage } from "./sse.js";

/** A client of a running project's control API, over its Unix socket. */
export class ControlClient {
  constructor(readonly socketPath: string) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>("POST", path, body);
  }

  /** The response of a stream endpoint as it comes, for passing on byte for byte. */
  async open200(path: string, options: { signal?: AbortSignal; lastEventId?: string } = {}): Promise<IncomingMessage> {
    const response = await this.open("GET", path, options);
    if (response.statusCode !== 200) throw await errorFrom(response);
    return response;
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

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.open(method, path, {}, body);
    const text = await readBody(response);
    if (response.statusCode !== 200 && response.statusCode !== 201) throw new ControlApiError(response.statusCode ?? 0, text);
    return JSON.parse(text) as T;
  }

  private open(method: string, path: string, options: { signal?: AbortSignal; lastEventId?: string }, body?: unknown): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({
        socketPath: this.socketPath,
        path,
        method,
        agent: false,
        headers: {
          ...(options.lastEventId ? { "last-event-id": options.lastEventId } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      req.once("response", resolve);
      req.once("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
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

/** An answer of the control API other than success: its status, message and code. */
export class ControlApiError extends SbxError {
  readonly status: number;
  /** The error's code on the server side, e.g. PROCESS_NOT_FOUND. */
  readonly remoteCode: string | undefined;

  constructor(status: number, body: string) {
    super(status === 404 ? "UNKNOWN_SERVICE" : "USAGE", errorMessage(body, status));
    this.status = status;
    try {
      this.remoteCode = (JSON.parse(body) as { code?: string }).code;
    } catch {
      this.remoteCode = undefined;
    }
  }
}

async function errorFrom(response: IncomingMessage): Promise<SbxError> {
  return new ControlApiError(response.statusCode ?? 0, await readBody(response));
}

function errorMessage(body: string, status: number | undefined): string {
  try {
    return (JSON.parse(body) as { error?: string }).error ?? `HTTP ${status}`;
  } catch {
    return `HTTP ${status}: ${body}`;
  }
}
