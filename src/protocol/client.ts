import { request, type IncomingMessage, type RequestOptions } from "node:http";
import { connect } from "node:net";
import { defaults } from "../defaults.js";
import { SbxError } from "../errors.js";
import type { ApplyBody, ExecBody, StartProcessBody } from "./bodies.js";
import { endpoints, pathTo, type EndpointName, type EndpointTypes, type PathParams, type ServiceAction } from "./endpoints.js";
import { SSEParser, type SSEMessage } from "./sse.js";
import type { ApplyView, ExecResultView, ProcessLogsResultView, ProcessView, ProjectView, ReadyView, ServiceEnvironmentView, ServiceStatusView } from "./views.js";

export interface ControlClientOptions {
  /** The supervisor's pid: the error says which process does not answer. */
  supervisorPid?: number;
  /** Where a background supervisor's output goes (`.sbx/sbx.log`): the error says where to look. */
  logPath?: string;
  /** A call not answered within this long makes the client check that the supervisor still answers at all. */
  livenessAfterMs?: number;
  /** How long that check (GET /v1/project, answered by a live supervisor in milliseconds) may take. */
  livenessTimeoutMs?: number;
  /** A stream that brings nothing for this long is checked the same way. */
  streamIdleMs?: number;
}

export type OpenOptions = { signal?: AbortSignal; lastEventId?: string };

/**
 * A client of a running project's control API, over its Unix socket.
 *
 * No call has a fixed timeout — stopping services waits for their grace periods, which may be long —
 * but one that is not answered within a second makes the client ask GET /v1/project beside it,
 * every second, each time with a short timeout: a supervisor that is busy answers that at once
 * and is waited for, one whose event loop is stuck does not, and the call fails with
 * SupervisorUnresponsiveError within seconds instead of hanging.
 */
export class ControlClient {
  private readonly livenessAfterMs: number;
  private readonly livenessTimeoutMs: number;
  private readonly streamIdleMs: number;

  constructor(
    readonly socketPath: string,
    private readonly options: ControlClientOptions = {},
  ) {
    this.livenessAfterMs = options.livenessAfterMs ?? defaults.controlLivenessAfterMs;
    this.livenessTimeoutMs = options.livenessTimeoutMs ?? defaults.controlLivenessTimeoutMs;
    this.streamIdleMs = options.streamIdleMs ?? defaults.controlStreamIdleMs;
  }

  /** GET /v1/project. */
  project(): Promise<ProjectView> {
    return this.ask("project", {});
  }

  /** Every service's status; with `usage`, the CPU and memory of each one's process tree too. */
  services(options: { usage?: boolean } = {}): Promise<ServiceStatusView[]> {
    return this.ask("services", {}, options.usage ? { usage: true } : {});
  }

  service(name: string, options: { usage?: boolean } = {}): Promise<ServiceStatusView> {
    return this.ask("service", { name }, options.usage ? { usage: true } : {});
  }

  /** Starts, stops or restarts one service; answers with its new status. */
  serviceAction(name: string, action: ServiceAction): Promise<ServiceStatusView> {
    return this.ask("serviceAction", { name, action });
  }

  /** The service's environment, working directory and user as its run has them: what `sbx exec` runs a command with. */
  serviceEnvironment(name: string): Promise<ServiceEnvironmentView> {
    return this.ask("serviceEnvironment", { name });
  }

  /** Stops every service (each with `timeoutMs` as its grace period, if given); answers once all are stopped. */
  down(options: { timeoutMs?: number } = {}): Promise<{ stopped: true }> {
    return this.ask("down", {}, { timeout: options.timeoutMs });
  }

  /** Loads the manifest again and applies it to the running project (`sbx up -d`, `sbx restart`). */
  apply(body: ApplyBody): Promise<ApplyView> {
    return this.ask("apply", {}, {}, body);
  }

  /** Runs `count` instances of each service named (`sbx scale`); answers once the new ones have started, or ended without. */
  scale(counts: ReadonlyMap<string, number>): Promise<ApplyView> {
    return this.ask("scale", {}, { replicas: [...counts].map(([service, count]) => `${service}=${count}`) });
  }

  /** Waits until the services (all when none named) are ready now, or one fails, or `timeoutMs` pass. */
  ready(services: readonly string[], options: { timeoutMs?: number } = {}): Promise<ReadyView> {
    return this.ask("ready", {}, { service: services, timeout: options.timeoutMs });
  }

  processes(): Promise<ProcessView[]> {
    return this.ask("processes", {});
  }

  startProcess(body: StartProcessBody): Promise<ProcessView> {
    return this.ask("startProcess", {}, {}, body);
  }

  process(id: string): Promise<ProcessView> {
    return this.ask("process", { id });
  }

  processLogs(id: string): Promise<ProcessLogsResultView> {
    return this.ask("processLogs", { id });
  }

  cleanupProcesses(): Promise<{ cleaned: number }> {
    return this.ask("cleanupProcesses", {});
  }

  killProcess(id: string, signal: NodeJS.Signals): Promise<ProcessView> {
    return this.ask("killProcess", { id }, { signal });
  }

  exec(body: ExecBody): Promise<ExecResultView> {
    return this.ask("exec", {}, {}, body);
  }

  /** The events of GET /v1/logs (see EndpointTypes["logs"]). */
  logs(query: EndpointTypes["logs"]["query"], options: OpenOptions = {}): AsyncGenerator<SSEMessage> {
    return this.stream(pathTo("logs", {}, query), options);
  }

  /** The events of GET /v1/events. */
  events(options: OpenOptions = {}): AsyncGenerator<SSEMessage> {
    return this.stream(pathTo("events", {}), options);
  }

  /** A process's stream, as it comes, for passing on byte for byte. */
  processStream(id: string, options: OpenOptions = {}): Promise<IncomingMessage> {
    return this.open200(pathTo("processStream", { id }), options);
  }

  /** A call to one endpoint of the table, its answer as the table types it. */
  private ask<Name extends EndpointName>(
    name: Name,
    params: PathParams<Name>,
    query: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>> = {},
    body?: unknown,
  ): Promise<EndpointTypes[Name] extends { answer: infer Answer } ? Answer : never> {
    return this.call(endpoints[name].method, pathTo(name, params, query), body);
  }

  /** The response of a stream endpoint as it comes. */
  private async open200(path: string, options: OpenOptions = {}): Promise<IncomingMessage> {
    const response = await this.watched((signal) => this.open("GET", path, { ...options, signal: joined(signal, options.signal) }));
    if (response.statusCode !== 200) throw await errorFrom(response);
    return response;
  }

  /**
   * The events of a stream endpoint, as they come; ends when the server ends it or `signal`
   * aborts. A stream quiet for a while is checked as calls are: it fails with
   * SupervisorUnresponsiveError if the supervisor no longer answers.
   */
  private async *stream(path: string, options: OpenOptions = {}): AsyncGenerator<SSEMessage> {
    const response = await this.watched((signal) => this.open("GET", path, { ...options, signal: joined(signal, options.signal) }));
    if (response.statusCode !== 200) throw await errorFrom(response);
    const parser = new SSEParser();
    response.setEncoding("utf8");
    let frozen: SupervisorUnresponsiveError | undefined;
    let idle: NodeJS.Timeout | undefined;
    const watchIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        void this.answers().then((alive) => {
          if (response.destroyed) return;
          if (alive) return watchIdle();
          frozen = this.unresponsive();
          response.destroy(frozen);
        });
      }, this.streamIdleMs);
      idle.unref();
    };
    watchIdle();
    try {
      for await (const chunk of response) {
        watchIdle();
        for (const message of parser.push(chunk as string)) yield message;
      }
    } catch (error) {
      if (frozen) throw frozen;
      if (!options.signal?.aborted) throw error;
    } finally {
      clearTimeout(idle);
      response.destroy();
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { response, text } = await this.watched(async (signal) => {
      const response = await this.open(method, path, { signal }, body);
      return { response, text: await readBody(response) };
    });
    if (response.statusCode !== 200 && response.statusCode !== 201) throw new ControlApiError(response.statusCode ?? 0, text);
    return JSON.parse(text) as T;
  }

  /**
   * Runs `work` (given a signal to abort it with), checking beside it, once it has taken longer than
   * livenessAfterMs, that the supervisor still answers; if it does not, `work` is aborted and the
   * call fails with SupervisorUnresponsiveError.
   */
  private async watched<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let frozen: SupervisorUnresponsiveError | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const check = (): void => {
      timer = setTimeout(() => {
        void this.answers().then((alive) => {
          if (settled) return;
          if (alive) return check();
          frozen = this.unresponsive();
          controller.abort(frozen);
        });
      }, this.livenessAfterMs);
    };
    check();
    try {
      return await work(controller.signal);
    } catch (error) {
      throw frozen ?? error;
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  /** Whether the supervisor answers GET /v1/project within livenessTimeoutMs (a refused connection counts as an answer: the call itself will fail for it). */
  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request({ ...this.connection(), path: pathTo("project", {}), method: "GET", signal: AbortSignal.timeout(this.livenessTimeoutMs) }, (response) => {
        response.resume();
        resolve(true);
      });
      req.once("error", (error) => resolve(error.name !== "AbortError"));
      req.end();
    });
  }

  /**
   * Each request on a connection of its own to the socket, with no agent: an agent works out a
   * TLS server name for every request, and the first one compiles Node's IPv6 address pattern,
   * a third of the time `sbx down` took before its request went out (14 of 40 ms).
   */
  private connection(): Pick<RequestOptions, "createConnection"> {
    return { createConnection: () => connect(this.socketPath) };
  }

  private unresponsive(): SupervisorUnresponsiveError {
    return new SupervisorUnresponsiveError(this.options.supervisorPid, this.options.logPath, this.livenessTimeoutMs);
  }

  private open(method: string, path: string, options: OpenOptions, body?: unknown): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({
        ...this.connection(),
        path,
        method,
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

function joined(own: AbortSignal, caller: AbortSignal | undefined): AbortSignal {
  return caller ? AbortSignal.any([own, caller]) : own;
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

/** The supervisor does not answer: its event loop is stuck (or the process stopped). */
export class SupervisorUnresponsiveError extends SbxError {
  constructor(pid: number | undefined, logPath: string | undefined, waitedMs: number) {
    const who = pid === undefined ? "the supervisor" : `the supervisor (pid ${pid})`;
    const where = logPath === undefined ? "" : `; a background supervisor's output is in ${logPath}`;
    super("SUPERVISOR_UNRESPONSIVE", `${who} does not answer: a status check went unanswered for ${waitedMs / 1000} s, so its event loop is stuck or the process is stopped${where}`, {
      ...(pid === undefined ? {} : { pid }),
    });
  }
}

/**
 * An answer of the control API other than success: its status, message and code. A 4xx is the
 * request's fault (code USAGE, or UNKNOWN_SERVICE for a 404: the command line was wrong, exit 2); a
 * 5xx is the supervisor's (SUPERVISOR_ERROR: exit 1). `remoteCode` is the code the server gave.
 */
export class ControlApiError extends SbxError {
  readonly status: number;
  /** The error's code on the server side, e.g. PROCESS_NOT_FOUND. */
  readonly remoteCode: string | undefined;

  constructor(status: number, body: string) {
    super(status === 404 ? "UNKNOWN_SERVICE" : status >= 400 && status < 500 ? "USAGE" : "SUPERVISOR_ERROR", errorMessage(body, status));
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
