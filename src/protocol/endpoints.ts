import type { ApplyBody, ExecBody, StartProcessBody } from "./bodies.js";
import { badRequest, RequestError } from "./request-error.js";
import type {
  ApplyView,
  ExecResultView,
  ExitView,
  LogLineView,
  ProcessEventView,
  ProcessLogsResultView,
  ProcessView,
  ProjectView,
  ReadyView,
  ServiceEnvironmentView,
  ServiceStatusView,
  WatchView,
} from "./views.js";

/**
 * Every endpoint of the control API, once: its method and path (`:name` is a path parameter),
 * whether it answers with a stream of Server-Sent Events, and the body it takes. The server
 * answers from this table and the client asks from it; nothing else names a path.
 */
export const endpoints = {
  project: { method: "GET", path: "/v1/project" },
  services: { method: "GET", path: "/v1/services" },
  service: { method: "GET", path: "/v1/services/:name" },
  serviceAction: { method: "POST", path: "/v1/services/:name/:action" },
  serviceEnvironment: { method: "GET", path: "/v1/services/:name/environment" },
  down: { method: "POST", path: "/v1/down" },
  apply: { method: "POST", path: "/v1/apply", body: "apply" },
  scale: { method: "POST", path: "/v1/scale" },
  ready: { method: "GET", path: "/v1/ready" },
  logs: { method: "GET", path: "/v1/logs", stream: true },
  events: { method: "GET", path: "/v1/events", stream: true },
  processes: { method: "GET", path: "/v1/processes" },
  startProcess: { method: "POST", path: "/v1/processes", body: "startProcess" },
  process: { method: "GET", path: "/v1/processes/:id" },
  processLogs: { method: "GET", path: "/v1/processes/:id/logs" },
  cleanupProcesses: { method: "POST", path: "/v1/processes/cleanup" },
  processStream: { method: "GET", path: "/v1/processes/:id/stream", stream: true },
  killProcess: { method: "POST", path: "/v1/processes/:id/kill" },
  exec: { method: "POST", path: "/v1/exec", body: "exec" },
} as const satisfies Record<string, { method: "GET" | "POST"; path: string; stream?: true; body?: string }>;

export type EndpointName = keyof typeof endpoints;

/** What each endpoint takes and gives: its query, its body, and its answer (or its events, for a stream). */
export interface EndpointTypes {
  project: { answer: ProjectView };
  /** With `usage`, each running service's CPU and memory of its process tree. */
  services: { query: { usage?: boolean }; answer: ServiceStatusView[] };
  service: { query: { usage?: boolean }; answer: ServiceStatusView };
  serviceAction: { answer: ServiceStatusView };
  /** The service's environment, working directory and user, runtime values resolved: what `sbx exec` runs a command with. */
  serviceEnvironment: { answer: ServiceEnvironmentView };
  down: { query: { timeout?: number }; answer: { stopped: true } };
  /** Loads the manifest again and applies it; answers once what it launched has started, or ended without. */
  apply: { body: ApplyBody; answer: ApplyView };
  /** Runs each service named with the count of instances given (`replicas=api=5`, repeated); answers once the new instances have started, or ended without. */
  scale: { query: { replicas: readonly string[] }; answer: ApplyView };
  /** Waits until the services are ready now (all when none named), or one fails, or `timeout` ms pass. */
  ready: { query: { service?: readonly string[]; timeout?: number }; answer: ReadyView };
  /** Events `stdout`/`stderr` (LogLineView), `lagged`, `gap`. */
  logs: { query: { service?: readonly string[]; tail?: number; follow?: boolean }; event: LogLineView };
  /** Events `status` (ServiceStatusView), `exit` (ExitView), `watch` (WatchView), `lagged`. */
  events: { event: ServiceStatusView | ExitView | WatchView };
  processes: { answer: ProcessView[] };
  startProcess: { body: StartProcessBody; answer: ProcessView };
  process: { answer: ProcessView };
  processLogs: { answer: ProcessLogsResultView };
  /** Forgets the started processes that have ended (services stay); answers with how many. */
  cleanupProcesses: { answer: { cleaned: number } };
  processStream: { query: { after?: number }; event: ProcessEventView };
  killProcess: { query: { signal?: NodeJS.Signals }; answer: ProcessView };
  exec: { body: ExecBody; answer: ExecResultView };
}

/** The actions on one service. */
export const SERVICE_ACTIONS = ["start", "stop", "restart"] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

/** The names of a path's parameters: `/v1/services/:name/:action` → "name" | "action". */
type ParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNames<`/${Rest}`> : Path extends `${string}:${infer Name}` ? Name : never;

export type PathParams<Name extends EndpointName> = { [P in ParamNames<(typeof endpoints)[Name]["path"]>]: string };

type QueryValue = string | number | boolean | readonly string[] | undefined;

/** The path and query string of a request to `name`: parameters escaped, undefined query values left out. */
export function pathTo<Name extends EndpointName>(name: Name, params: PathParams<Name>, query: Readonly<Record<string, QueryValue>> = {}): string {
  const path = endpoints[name].path.replace(/:([a-z]+)/g, (_, param: string) => encodeURIComponent((params as Record<string, string>)[param] as string));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) search.append(key, item);
    else search.append(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  const text = search.toString();
  return text === "" ? path : `${path}?${text}`;
}

interface CompiledEndpoint {
  name: EndpointName;
  method: "GET" | "POST";
  pattern: RegExp;
  params: string[];
}

const compiled: CompiledEndpoint[] = (Object.keys(endpoints) as EndpointName[]).map((name) => {
  const { method, path } = endpoints[name];
  const params: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:([a-z]+)/g, (_, param: string) => (params.push(param), "([^/]+)"))}$`);
  return { name, method, pattern, params };
});

/**
 * The endpoint a request is for, with its path parameters decoded: a 404 for a path that is no
 * endpoint's, a 405 (with the methods it takes) for a method it does not take.
 */
export function matchEndpoint(method: string, path: string): { name: EndpointName; params: Record<string, string> } {
  const onPath = compiled.filter((endpoint) => endpoint.pattern.test(path));
  if (onPath.length === 0) throw new RequestError(404, "NOT_FOUND", `no such endpoint: ${method} ${path}`);
  const endpoint = onPath.find((candidate) => candidate.method === method);
  if (!endpoint) {
    const allowed = onPath.map((candidate) => candidate.method).join(", ");
    throw Object.assign(new RequestError(405, "METHOD_NOT_ALLOWED", `${method} ${path}: this endpoint takes ${allowed}`), { allowed });
  }
  const values = (endpoint.pattern.exec(path) as RegExpExecArray).slice(1).map(pathSegment);
  return { name: endpoint.name, params: Object.fromEntries(endpoint.params.map((param, i) => [param, values[i] as string])) };
}

/** A path segment as it was meant (`%2F` is `/`); a malformed escape is the client's mistake. */
function pathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`"${segment}" is not a valid URL path segment`);
  }
}
