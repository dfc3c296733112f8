import type { HealthSpec, HttpCheck, ReadySpec, Service, TcpCheck } from "../../manifest/types.js";
import { containerCommand } from "./command.js";
import type { ExportContext } from "./context.js";
import type { Probe } from "./objects.js";
import { checkPort, isLocalHost } from "./ports.js";

type Check = Pick<Probe, "tcpSocket" | "httpGet" | "exec">;

/** Whole seconds, at least one: what probes count in. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The probe's check: the first of tcp, http and exec that the block has (the API takes one
 * handler a probe). A host that is the service's own (127.0.0.1) is left out: the kubelet probes
 * the pod. The others are carried over in `otherChecks`' warning.
 */
function probeCheck(spec: ReadySpec | HealthSpec, service: Service, ctx: ExportContext): Check | undefined {
  if (spec.http) return { httpGet: httpGet(spec.http, service) };
  if (spec.tcp) return { tcpSocket: { port: checkPort(spec.tcp, service), ...hostOf(spec.tcp) } };
  if (spec.exec) return { exec: { command: containerCommand(spec.exec, service, ctx) } };
  return undefined;
}

/** The check kinds beyond the first that a block names: a probe has one. */
export function otherChecks(spec: ReadySpec | HealthSpec): string[] {
  const kinds = (["http", "tcp", "exec"] as const).filter((kind) => spec[kind] !== undefined);
  return kinds.slice(1);
}

function httpGet(check: HttpCheck, service: Service): NonNullable<Probe["httpGet"]> {
  return { port: checkPort(check, service), path: check.path, ...hostOf(check) };
}

function hostOf(check: TcpCheck | HttpCheck): { host?: string } {
  return isLocalHost(check.host) ? {} : { host: check.host };
}

/**
 * `ready` → a readinessProbe, probing every `interval`, and a startupProbe with the same check
 * whose failures add up to `timeout`: the pod is restarted when it is not ready in that time, as
 * sbx fails a service that is not. Undefined without a tcp, http or exec check.
 */
export function readyProbes(service: Service, ctx: ExportContext): { readinessProbe: Probe; startupProbe: Probe } | undefined {
  const ready = service.ready;
  if (!ready) return undefined;
  const check = probeCheck(ready, service, ctx);
  if (!check) return undefined;
  const period = seconds(ready.intervalMs);
  const timeout = Math.min(period, seconds(ready.timeoutMs));
  return {
    readinessProbe: { ...check, periodSeconds: period, timeoutSeconds: timeout, failureThreshold: 3 },
    startupProbe: { ...check, periodSeconds: period, timeoutSeconds: timeout, failureThreshold: Math.max(1, Math.ceil(ready.timeoutMs / (period * 1000))) },
  };
}

/** `health` → a livenessProbe: `interval` → periodSeconds, `timeout` → timeoutSeconds, `retries` → failureThreshold. */
export function healthProbe(service: Service, ctx: ExportContext): Probe | undefined {
  const health = service.health;
  if (!health) return undefined;
  const check = probeCheck(health, service, ctx);
  if (!check) return undefined;
  return { ...check, periodSeconds: seconds(health.intervalMs), timeoutSeconds: seconds(health.timeoutMs), failureThreshold: Math.max(1, health.retries) };
}
