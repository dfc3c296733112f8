import { chmodSync, existsSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Subscription } from "rxjs";
import { SbxError } from "../errors.js";
import type { Orchestrator } from "../engine/orchestrator.js";
import type { ServiceState } from "../engine/service-state.js";
import type { LogLine } from "../process/log-line.js";
import { Readable } from "node:stream";
import { ProcessError } from "../api/errors.js";
import { processView } from "../api/process-view.js";
import type { StartProcessOptions } from "../api/types.js";
import type { ProcessRegistry } from "./process-registry.js";
import { formatSSE } from "./sse.js";

/** One row of `sbx ps --json`. */
export interface ServiceStatusView {
  name: string;
  status: ServiceState["status"];
  ready: boolean;
  pid: number | null;
  restarts: number;
  exitCode: number | null;
  /** ISO time the current (or last) run started; null before the first. */
  startedAt: string | null;
  /** Why its log file could not be written (a full disk), if it could not; its lines still reach followers. */
  logError: string | null;
}

export function statusView(state: ServiceState): ServiceStatusView {
  const running = state.status === "running" || state.status === "ready" || state.status === "stopping";
  return {
    name: state.name,
    status: state.status,
    ready: state.status === "ready",
    pid: state.pid ?? null,
    restarts: state.restarts,
    exitCode: state.exitCode ?? null,
    startedAt: state.startedAt !== undefined && (running || state.exitCode !== undefined) ? new Date(state.startedAt).toISOString() : null,
    logError: state.logError ?? null,
  };
}

export interface ControlServerOptions {
  orchestrator: Orchestrator;
  /** Called by POST /v1/down: stops everything (with the grace period given, if one is); the response goes out once it is done. */
  down: (gracePeriodMs?: number) => Promise<void>;
  /** What GET /v1/project tells. */
  project: { name: string; dir: string; supervisorPid: number; startedAt: number };
  /** The services and started processes, for the Sandbox API's endpoints (/v1/processes, /v1/exec). */
  processes: ProcessRegistry;
}

/**
 * The control API of a running project: HTTP/1.1 on a Unix socket that only its owner may use.
 * JSON for state and actions, Server-Sent Events for logs and status changes.
 */
export class ControlServer {
  private readonly server: Server;
  private readonly streams = new Set<ServerResponse>();
  /** Requests whose answer has not gone out yet (event streams excluded). */
  private answering = 0;

  constructor(private readonly options: ControlServerOptions) {
    this.server = createServer((request, response) => void this.route(request, response));
    // Clients of a long-lived event stream must not be cut by the default timeouts.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.keepAliveTimeout = 5_000;
  }

  /** Listens on `socketPath` (a stale socket file is replaced) with mode 0600. */
  listen(socketPath: string): Promise<void> {
    if (existsSync(socketPath)) rmSync(socketPath, { force: true });
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      // The umask would give the socket to the group too for a moment: chmod at once after bind.
      this.server.listen(socketPath, () => {
        chmodSync(socketPath, 0o600);
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  /**
   * Listens again at `socketPath` after its file was removed (the project's `.sbx` deleted while it
   * runs): the old listening socket is closed, connections already open go on.
   */
  relisten(socketPath: string): Promise<void> {
    this.server.close();
    return this.listen(socketPath);
  }

  /**
   * Stops listening, ends the event streams, and lets the answers under way go out — POST /v1/down
   * is answered after the services stopped, which is also when the supervisor closes — before
   * cutting what is left (after a second at most).
   */
  async close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = Date.now() + 1_000;
    while (this.answering > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    this.server.closeAllConnections();
    await closed;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.answering++;
    let counted = true;
    const settle = (): void => {
      if (counted) this.answering--;
      counted = false;
    };
    response.once("finish", settle);
    response.once("close", settle);
    // An event stream stays open for as long as its client wants: it does not hold a close.
    response.once("stream", settle);
    return this.answer(request, response);
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://sbx");
    const path = url.pathname;
    const method = request.method ?? "GET";
    const { orchestrator } = this.options;
    try {
      if (method === "GET" && path === "/v1/project") {
        return json(response, 200, { ...this.options.project, services: [...orchestrator.states.keys()] });
      }
      if (method === "GET" && path === "/v1/services") {
        return json(response, 200, [...orchestrator.states.values()].map(statusView));
      }
      const one = /^\/v1\/services\/([^/]+)$/.exec(path);
      if (method === "GET" && one) {
        const state = orchestrator.state(decodeURIComponent(one[1] as string));
        return state ? json(response, 200, statusView(state)) : notFound(response, decodeURIComponent(one[1] as string));
      }
      const action = /^\/v1\/services\/([^/]+)\/(start|stop|restart)$/.exec(path);
      if (method === "POST" && action) {
        const name = decodeURIComponent(action[1] as string);
        if (!orchestrator.state(name)) return notFound(response, name);
        const verb = action[2] as "start" | "stop" | "restart";
        if (verb === "stop") await orchestrator.stopService(name);
        else if (verb === "start") await orchestrator.startService(name);
        else await orchestrator.restartService(name);
        return json(response, 200, statusView(orchestrator.state(name) as ServiceState));
      }
      if (method === "POST" && path === "/v1/down") {
        const timeout = url.searchParams.get("timeout");
        await this.options.down(timeout === null ? undefined : Number(timeout));
        return json(response, 200, { stopped: true });
      }
      if (path === "/v1/processes" || path.startsWith("/v1/processes/") || path === "/v1/exec") {
        return await this.routeProcesses(method, path, url, request, response);
      }
      if (method === "GET" && path === "/v1/logs") return this.streamLogs(url, request, response);
      if (method === "GET" && path === "/v1/events") return this.streamEvents(response);
      return json(response, 404, { error: `no such endpoint: ${method} ${path}` });
    } catch (error) {
      const status =
        error instanceof ProcessError
          ? error.code === "PROCESS_NOT_FOUND"
            ? 404
            : 409
          : error instanceof SbxError && (error.code === "UNKNOWN_SERVICE" || error.code === "USAGE")
            ? 400
            : 500;
      const code = error instanceof ProcessError || error instanceof SbxError ? error.code : undefined;
      return json(response, status, { error: error instanceof Error ? error.message : String(error), ...(code ? { code } : {}) });
    }
  }

  /**
   * The Sandbox API over the socket: POST /v1/processes starts a process in the supervisor,
   * GET lists or reads one (services included, by name), …/logs gives its output, …/stream its
   * output as SSE until it exits (Last-Event-ID resumes), …/kill ends its tree; POST /v1/exec runs one.
   */
  private async routeProcesses(method: string, path: string, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const registry = this.options.processes;
    if (path === "/v1/exec" && method === "POST") {
      const body = (await readJson(request)) as { command: string | string[]; cwd?: string; env?: Record<string, string>; timeout?: number };
      return json(response, 200, await registry.exec(body.command, { ...(body.cwd ? { cwd: body.cwd } : {}), ...(body.env ? { env: body.env } : {}), ...(body.timeout ? { timeout: body.timeout } : {}) }));
    }
    if (path === "/v1/processes") {
      if (method === "GET") return json(response, 200, (await registry.list()).map(processView));
      if (method === "POST") {
        const body = (await readJson(request)) as { command: string | string[] } & Omit<StartProcessOptions, "onOutput" | "onExit">;
        const { command, ...options } = body;
        return json(response, 201, processView(await registry.start(command, options)));
      }
    }
    const match = /^\/v1\/processes\/([^/]+)(?:\/(logs|stream|kill))?$/.exec(path);
    if (!match) return json(response, 404, { error: `no such endpoint: ${method} ${path}` });
    const id = decodeURIComponent(match[1] as string);
    const what = match[2];
    if (method === "GET" && what === undefined) return json(response, 200, processView(await registry.get(id)));
    if (method === "GET" && what === "logs") return json(response, 200, await (await registry.get(id)).getLogs());
    if (method === "POST" && what === "kill") {
      const signal = (url.searchParams.get("signal") ?? "SIGTERM") as NodeJS.Signals;
      return json(response, 200, processView(await registry.kill(id, signal)));
    }
    if (method === "GET" && what === "stream") {
      const lastId = request.headers["last-event-id"];
      const after = Number.parseInt((Array.isArray(lastId) ? lastId[0] : lastId) ?? url.searchParams.get("after") ?? "0", 10) || 0;
      const stream = await registry.stream(id, after);
      openStream(response);
      const readable = Readable.fromWeb(stream as import("node:stream/web").ReadableStream<Uint8Array>);
      readable.pipe(response);
      response.on("close", () => readable.destroy());
      return;
    }
    return json(response, 404, { error: `no such endpoint: ${method} ${path}` });
  }

  /**
   * GET /v1/logs?service=a&service=b&tail=N&follow=1: the last N lines of each service (all those
   * in memory by default), then with follow the new ones, as `stdout`/`stderr` events whose id is
   * `service:seq`. A Last-Event-ID of that form resumes that service after the line it names.
   */
  private streamLogs(url: URL, request: IncomingMessage, response: ServerResponse): void {
    const { orchestrator } = this.options;
    const asked = url.searchParams.getAll("service");
    const names = asked.length > 0 ? asked : [...orchestrator.states.keys()];
    for (const name of names) if (!orchestrator.serviceLog(name)) return notFound(response, name);
    const tail = url.searchParams.has("tail") ? Number(url.searchParams.get("tail")) : Infinity;
    const follow = url.searchParams.get("follow") === "1" || url.searchParams.get("follow") === "true";
    const resume = parseLastEventId(request.headers["last-event-id"]);

    openStream(response);
    const send = (line: LogLine): void => {
      response.write(formatSSE({ id: `${line.service}:${line.seq}`, event: line.stream, data: JSON.stringify(line) }));
    };
    // In one synchronous step: take each service's recent lines and subscribe to its new ones, so
    // that nothing falls between the two; then send the recent ones merged in time order.
    const replay: LogLine[] = [];
    const subscriptions: Subscription[] = [];
    for (const name of names) {
      const log = orchestrator.serviceLog(name);
      if (!log) continue;
      const lines = log.tail();
      const after = resume.get(name) ?? (Number.isFinite(tail) ? (lines[Math.max(0, lines.length - tail)]?.seq ?? log.lastSeq + 1) - 1 : 0);
      for (const line of lines) if (line.seq > after) replay.push(line);
      if (follow) subscriptions.push(log.lines$.subscribe(send));
    }
    replay.sort((a, b) => a.time - b.time || (a.service === b.service ? a.seq - b.seq : 0)).forEach(send);
    if (!follow) {
      response.end();
      return;
    }
    this.track(response, () => subscriptions.forEach((s) => s.unsubscribe()));
  }

  /** GET /v1/events: a `status` event with each service's state on every change, and `exit` events. */
  private streamEvents(response: ServerResponse): void {
    const { orchestrator } = this.options;
    openStream(response);
    for (const state of orchestrator.states.values()) response.write(formatSSE({ event: "status", data: JSON.stringify(statusView(state)) }));
    const subscription = orchestrator.events$.subscribe((event) => {
      const state = orchestrator.state(event.service);
      if (state) response.write(formatSSE({ event: "status", data: JSON.stringify(statusView(state)) }));
      if (event.type === "exited") {
        response.write(formatSSE({ event: "exit", data: JSON.stringify({ service: event.service, exitCode: event.exitCode, signal: event.signal, time: event.time }) }));
      }
    });
    this.track(response, () => subscription.unsubscribe());
  }

  private track(response: ServerResponse, release: () => void): void {
    this.streams.add(response);
    response.on("close", () => {
      release();
      this.streams.delete(response);
    });
  }
}

function openStream(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  response.flushHeaders();
  response.emit("stream");
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.once("end", () => {
      try {
        resolve(body === "" ? {} : JSON.parse(body));
      } catch {
        reject(new SbxError("USAGE", "the request body is not valid JSON"));
      }
    });
    request.once("error", reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function notFound(response: ServerResponse, service: string): void {
  json(response, 404, { error: `no service "${service}" in this project` });
}

/** `api:42` (or several, comma-separated) → api after 42. */
function parseLastEventId(header: string | string[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const text = Array.isArray(header) ? header[0] : header;
  for (const part of (text ?? "").split(",")) {
    const colon = part.lastIndexOf(":");
    if (colon > 0) out.set(part.slice(0, colon).trim(), Number(part.slice(colon + 1)));
  }
  return out;
}
