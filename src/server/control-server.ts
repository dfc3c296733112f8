import { chmodSync, existsSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Subscription } from "rxjs";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ProcessError } from "../api/errors.js";
import { processView } from "../api/process-view.js";
import { defaults } from "../defaults.js";
import { SbxError } from "../errors.js";
import type { Orchestrator } from "../engine/orchestrator.js";
import { isRunningStatus, type ServiceState } from "../engine/service-state.js";
import type { InstanceId } from "../manifest/types.js";
import type { ServiceLog } from "../process/service-log.js";
import { QueuedEventSink } from "./event-sink.js";
import { LogStream } from "./log-stream.js";
import type { ProcessRegistry } from "./process-registry.js";
import { failureOf } from "../engine/service-failure.js";
import { checkApplyBody, checkExecBody, checkStartProcessBody } from "../protocol/bodies.js";
import { applyManifest, outcome } from "./apply-manifest.js";
import { matchEndpoint, SERVICE_ACTIONS, type EndpointName, type ServiceAction } from "../protocol/endpoints.js";
import { countParam, durationParam, flagParam, lastEventIds, lineNumber, readJsonBody, signalParam } from "../protocol/params.js";
import { ERROR_STATUS, RequestError } from "../protocol/request-error.js";
import type { ServiceStatusView, WatchView } from "../protocol/views.js";
import { UsageSampler } from "./usage-sampler.js";
import { formatSSE } from "../protocol/sse.js";

export type { ServiceStatusView };

/** The view of a service's state; `instance` says which replica of which service it is (none: itself, replica 0). */
export function statusView(state: ServiceState, instance?: InstanceId): ServiceStatusView {
  const running = isRunningStatus(state.status);
  return {
    name: state.name,
    service: instance?.service ?? state.name,
    replica: instance?.replica ?? 0,
    status: state.status,
    ready: state.status === "ready",
    pid: state.pid ?? null,
    restarts: state.restarts,
    exitCode: state.exitCode ?? null,
    startedAt: state.startedAt !== undefined && (running || state.exitCode !== undefined) ? new Date(state.startedAt).toISOString() : null,
    logError: state.logError ?? null,
    ports: { ...state.ports },
    url: state.url ?? null,
    health: state.health ?? null,
    ...(state.unhealthy ? { healthFailures: state.unhealthy } : {}),
    statusText: state.statusText ?? null,
  };
}

export interface ControlServerOptions {
  orchestrator: Orchestrator;
  /** Called by the `down` endpoint: stops everything (with the grace period given, if one is); the response goes out once it is done. */
  down: (gracePeriodMs?: number) => Promise<void>;
  /** What the `project` endpoint tells. */
  project: { name: string; dir: string; supervisorPid: number; startedAt: number };
  /** The services and started processes, for the Sandbox API's endpoints (`processes`, `exec`, …). */
  processes: ProcessRegistry;
}

/** What a handler gets: the request, its URL, and its path's parameters, decoded. */
interface Call {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

/** How the server answers each endpoint of the protocol's table: one handler each, none left out. */
type Handlers = { [Name in EndpointName]: (call: Call) => Promise<void> | void };

/**
 * The control API of a running project: HTTP/1.1 on a Unix socket that only its owner may use.
 * JSON for state and actions, Server-Sent Events for logs and status changes.
 *
 * A request it cannot act on gets a 4xx and `{ error, code }` saying why (a body that is not a
 * JSON object, a wrong field, an unknown service or process, a body over the size limit); a 500
 * is only for a fault of sbx itself. Every event stream writes only as fast as its client reads.
 */
export class ControlServer {
  private readonly server: Server;
  /** Open event streams, and how to end each. */
  private readonly streams = new Map<ServerResponse, () => void>();
  /** Requests whose answer has not gone out yet (event streams excluded). */
  private answering = 0;
  private readonly handlers: Handlers;
  private readonly usage = new UsageSampler();

  constructor(private readonly options: ControlServerOptions) {
    this.server = createServer((request, response) => void this.route(request, response));
    // Clients of a long-lived event stream must not be cut by the default timeouts.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.keepAliveTimeout = 5_000;
    this.handlers = this.endpoints();
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
   * Stops listening, ends the event streams, and lets the answers under way go out — `down`
   * is answered after the services stopped, which is also when the supervisor closes — before
   * cutting what is left (after a second at most).
   */
  async close(): Promise<void> {
    for (const end of this.streams.values()) end();
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
    const method = request.method ?? "GET";
    try {
      const url = requestUrl(request.url);
      const path = url.pathname;
      const declared = Number(request.headers["content-length"]);
      if (Number.isFinite(declared) && declared > defaults.controlBodyMaxBytes) {
        throw new RequestError(413, "BODY_TOO_LARGE", `the request body is larger than ${defaults.controlBodyMaxBytes} bytes`);
      }
      let endpoint: ReturnType<typeof matchEndpoint>;
      try {
        endpoint = matchEndpoint(method, path);
      } catch (error) {
        const allowed = (error as { allowed?: string }).allowed;
        if (allowed !== undefined) response.setHeader("allow", allowed);
        throw error;
      }
      await this.handlers[endpoint.name]({ request, response, url, params: endpoint.params });
    } catch (error) {
      // A stream already under way cannot turn into an error answer: it is cut.
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const { status, code, message } = errorAnswer(error);
      // The rest of a body too large is not read: the connection goes with the answer.
      if (status === 413) response.setHeader("connection", "close");
      json(response, status, { error: message, code });
    }
  }

  /** The states' views with what each running one's process tree uses. */
  private async withUsage(states: readonly ServiceState[]): Promise<ServiceStatusView[]> {
    const names = new Set(states.map((state) => state.name));
    const runs = this.options.orchestrator.runningProcesses().filter((run) => names.has(run.service));
    const usage = await this.usage.sample(runs);
    return states.map((state) => ({ ...this.view(state), usage: usage.get(state.name) ?? null }));
  }

  /** A state's view, with which instance of which service it is. */
  private view(state: ServiceState): ServiceStatusView {
    return statusView(state, this.options.orchestrator.definition(state.name)?.instance);
  }

  private endpoints(): Handlers {
    const { orchestrator } = this.options;
    const registry = this.options.processes;
    const service = (name: string): ServiceState => orchestrator.state(name) ?? unknownService(name);
    return {
      project: ({ response }) => json(response, 200, { ...this.options.project, services: [...orchestrator.states.keys()] }),
      services: async ({ response, url }) => {
        const states = [...orchestrator.states.values()];
        json(response, 200, flagParam("usage", url.searchParams.get("usage")) ? await this.withUsage(states) : states.map((state) => this.view(state)));
      },
      service: async ({ response, params, url }) => {
        const state = service(params.name as string);
        json(response, 200, flagParam("usage", url.searchParams.get("usage")) ? (await this.withUsage([state]))[0] : this.view(state));
      },
      serviceAction: async ({ response, params, request }) => {
        const name = params.name as string;
        const action = params.action as ServiceAction;
        if (!SERVICE_ACTIONS.includes(action)) throw new RequestError(404, "NOT_FOUND", `no such endpoint: ${request.method} ${request.url}`);
        service(name);
        if (action === "stop") await orchestrator.stopService(name);
        else if (action === "start") await orchestrator.startService(name);
        else await orchestrator.restartService(name);
        json(response, 200, this.view(service(name)));
      },
      serviceEnvironment: ({ response, params }) => {
        // A service of several instances is run as its first, replica 0; `api.2` names another.
        const name = orchestrator.instancesOf(params.name as string)[0] ?? (params.name as string);
        const definition = orchestrator.runDefinition(name) ?? unknownService(name);
        const { uid, gid, name: userName, home } = definition.user ?? {};
        const user = uid === undefined || gid === undefined ? null : { uid, gid, ...(userName === undefined ? {} : { name: userName }), ...(home === undefined ? {} : { home }) };
        json(response, 200, { name, environment: definition.environment, workingDir: definition.workingDir, user });
      },
      down: async ({ response, url }) => {
        await this.options.down(durationParam("timeout", url.searchParams.get("timeout")));
        json(response, 200, { stopped: true });
      },
      apply: async ({ request, response }) => {
        const { changes, launched, failed } = await applyManifest(orchestrator, checkApplyBody(await readJsonBody(request)));
        json(response, 200, { changes, services: launched.map((state) => this.view(state)), failures: failed.flatMap((state) => failureOf(state) ?? []) });
      },
      scale: async ({ response, url }) => {
        const { changes, launched, failed } = outcome(orchestrator, await orchestrator.scale(scaleCounts(url.searchParams.getAll("replicas"))));
        json(response, 200, { changes, services: launched.map((state) => this.view(state)), failures: failed.flatMap((state) => failureOf(state) ?? []) });
      },
      ready: async ({ response, url }) => {
        // A service of several instances is ready when each is.
        const names = [...new Set(url.searchParams.getAll("service").flatMap((name) => instancesOrUnknown(orchestrator, name)))];
        const timeoutMs = durationParam("timeout", url.searchParams.get("timeout"));
        try {
          await orchestrator.whenReady(names.length > 0 ? names : [...orchestrator.states.keys()], { current: true, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
          json(response, 200, { ready: true });
        } catch (error) {
          if (!(error instanceof SbxError) || (error.code !== "SERVICE_FAILED" && error.code !== "NOT_READY")) throw error;
          const { service: failing, lastLogLines } = error.context;
          json(response, 200, { ready: false, failure: { ...(failing === undefined ? {} : { service: failing }), message: error.message, lastLines: [...(lastLogLines ?? [])] } });
        }
      },
      processes: async ({ response }) => json(response, 200, (await registry.list()).map(processView)),
      startProcess: async ({ request, response }) => {
        const { command, ...options } = checkStartProcessBody(await readJsonBody(request));
        json(response, 201, processView(await registry.start(command, options)));
      },
      process: async ({ response, params }) => json(response, 200, processView(await registry.get(params.id as string))),
      processLogs: async ({ response, params }) => {
        const id = params.id as string;
        json(response, 200, { processId: id, ...(await (await registry.get(id)).getLogs()) });
      },
      cleanupProcesses: async ({ response }) => json(response, 200, { cleaned: await registry.cleanup() }),
      killProcess: async ({ response, url, params }) => {
        const signal = signalParam(url.searchParams.get("signal"), "SIGTERM");
        json(response, 200, processView(await registry.kill(params.id as string, signal)));
      },
      processStream: (call) => this.streamProcess(call),
      exec: async ({ request, response }) => {
        const { command, ...options } = checkExecBody(await readJsonBody(request));
        json(response, 200, await registry.exec(command, options));
      },
      logs: (call) => this.streamLogs(call),
      events: (call) => this.streamEvents(call),
    };
  }

  /**
   * The `processStream` endpoint: the process's output as SSE until it exits (Last-Event-ID, or
   * `after`, resumes after a line), at the pace its client reads (see logEventStream).
   */
  private async streamProcess({ request, response, url, params }: Call): Promise<void> {
    const header = request.headers["last-event-id"];
    const after = lineNumber("Last-Event-ID", (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get("after") ?? undefined);
    const stream = await this.options.processes.stream(params.id as string, after);
    openStream(response);
    const readable = Readable.fromWeb(stream as WebReadableStream<Uint8Array>);
    readable.pipe(response);
    // A client told to go that does not read the end is cut after a while.
    readable.once("end", () => {
      if (response.writableFinished) return;
      const timer = setTimeout(() => response.destroy(), defaults.streamEndGraceMs).unref();
      response.once("close", () => clearTimeout(timer));
    });
    this.track(response, () => {
      readable.destroy();
      response.end();
    });
    response.once("close", () => readable.destroy());
  }

  /**
   * The `logs` endpoint (service=a&service=b&tail=N&follow=1): the last N lines of each service (those in
   * memory by default), then with follow the new ones, as `stdout`/`stderr` events whose id is
   * `service:seq`; a Last-Event-ID of that form (several, comma-separated) resumes each service
   * after the line it names. See LogStream for the `gap` and `lagged` events.
   */
  private streamLogs({ request, response, url }: Call): void {
    const { orchestrator } = this.options;
    const asked = [...new Set(url.searchParams.getAll("service"))];
    // A service of several instances is each of them.
    const names = asked.length > 0 ? [...new Set(asked.flatMap((name) => (orchestrator.serviceLog(name) ? [name] : instancesOrUnknown(orchestrator, name))))] : [...orchestrator.states.keys()];
    const logs = names.map((name): ServiceLog => orchestrator.serviceLog(name) ?? unknownService(name));
    const tail = countParam("tail", url.searchParams.get("tail"));
    const follow = flagParam("follow", url.searchParams.get("follow"));
    const resume = lastEventIds(request.headers["last-event-id"]);
    openStream(response);
    const stream = new LogStream(response, { logs, resume, ...(tail === undefined ? {} : { tail }), follow, maxBehind: defaults.clientMaxBehindLines });
    this.track(response, () => stream.close());
    stream.start();
  }

  /**
   * The `events` endpoint: a `status` event with each service's state on every change, and `exit` events.
   * A client that leaves more than clientMaxQueuedBytes of them unread gets a `lagged` event and
   * is disconnected: it asks again, and gets every state afresh.
   */
  private streamEvents({ response }: Call): void {
    const { orchestrator } = this.options;
    openStream(response);
    let subscription: Subscription | undefined;
    const sink = new QueuedEventSink(response, defaults.clientMaxQueuedBytes, () => {
      subscription?.unsubscribe();
      return formatSSE({ event: "lagged", data: JSON.stringify({ limit: defaults.clientMaxQueuedBytes }) });
    });
    for (const state of orchestrator.states.values()) sink.send(formatSSE({ event: "status", data: JSON.stringify(this.view(state)) }));
    subscription = orchestrator.events$.subscribe((event) => {
      const state = orchestrator.state(event.service);
      if (state) sink.send(formatSSE({ event: "status", data: JSON.stringify(this.view(state)) }));
      if (event.type === "exited") {
        sink.send(formatSSE({ event: "exit", data: JSON.stringify({ service: event.service, exitCode: event.exitCode, signal: event.signal, time: event.time }) }));
      }
      // What `sbx up --watch` saw and did, as the engine tells it: no state holds it.
      if (event.type === "files-changed" || event.type === "watch-command-failed") {
        const view: WatchView = event;
        sink.send(formatSSE({ event: "watch", data: JSON.stringify(view) }));
      }
    });
    this.track(response, () => {
      subscription?.unsubscribe();
      sink.end();
    });
    response.once("close", () => subscription?.unsubscribe());
  }

  private track(response: ServerResponse, end: () => void): void {
    this.streams.set(response, end);
    response.once("close", () => this.streams.delete(response));
  }
}

function openStream(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  response.flushHeaders();
  response.emit("stream");
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? "/", "http://sbx");
  } catch {
    throw new RequestError(400, "BAD_REQUEST", `"${target}" is not a valid request target`);
  }
}

/** The scale endpoint's `replicas=NAME=COUNT` parameters, checked: a count the engine judges, a pair it cannot read a 400. */
function scaleCounts(pairs: readonly string[]): Map<string, number> {
  if (pairs.length === 0) throw new RequestError(400, "BAD_REQUEST", "no service to scale: give replicas=NAME=COUNT");
  const counts = new Map<string, number>();
  for (const pair of pairs) {
    const eq = pair.lastIndexOf("=");
    const count = eq < 1 ? Number.NaN : Number(pair.slice(eq + 1));
    if (eq < 1 || pair.slice(eq + 1).trim() === "" || !Number.isFinite(count)) throw new RequestError(400, "BAD_REQUEST", `"${pair}" is not NAME=COUNT`);
    counts.set(pair.slice(0, eq), count);
  }
  return counts;
}

/** The run's instances of the service named, or 404. */
function instancesOrUnknown(orchestrator: Orchestrator, name: string): string[] {
  const instances = orchestrator.instancesOf(name);
  return instances.length > 0 ? instances : unknownService(name);
}

function unknownService(name: string): never {
  throw new RequestError(404, "UNKNOWN_SERVICE", `no service "${name}" in this project`);
}

/** The status, code and message of an error: 4xx for what the request got wrong (the protocol's table), 500 for sbx's own faults. */
export function errorAnswer(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof RequestError) return { status: error.status, code: error.code, message: error.message };
  // An error sbx raises on purpose is about the request or the project's state (409 when the
  // table says nothing more precise); anything else is a fault of sbx.
  if (error instanceof ProcessError || error instanceof SbxError) return { status: ERROR_STATUS[error.code] ?? 409, code: error.code, message: error.message };
  return { status: 500, code: "INTERNAL", message: `internal error of the supervisor: ${error instanceof Error ? error.message : String(error)}` };
}
