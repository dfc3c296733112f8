import type { Diagnostic } from "../../errors.js";
import type { Service, ServicePort, HttpCheck, TcpCheck } from "../../manifest/types.js";
import { serviceDiagnostic } from "./context.js";
import { portName } from "./names.js";

/** A port of the service's container: one it declares, or one its checks probe. */
export interface ContainerPort {
  /** The manifest's name; none for a port that only a check names. */
  declared?: string;
  /** The container port's and the Service port's name. */
  name: string;
  port: number;
}

/**
 * The container's ports. A declared port keeps its number unless kubernetes.ports gives another;
 * an `auto` one must be given one there, as a container's port is fixed. A port that a tcp or
 * http check probes on the service's own host and that no declared port has is a port too
 * (named port-N), so that a dependent has a Service to wait for.
 */
export function containerPorts(service: Service, errors: Diagnostic[]): ContainerPort[] {
  // kubernetes.ports naming no declared port is refused when the manifest loads (check-semantics.ts).
  const cluster = service.kubernetes?.ports ?? {};
  const out: ContainerPort[] = [];
  for (const declared of service.ports) {
    const port = Object.hasOwn(cluster, declared.name) ? cluster[declared.name] : declared.port;
    if (port === "auto" || port === undefined) {
      errors.push(
        serviceDiagnostic(
          service,
          `ports.${declared.name}`,
          `auto has no number for a container, whose port is fixed: give it one as kubernetes: { ports: { ${declared.name}: 8080 } }`,
        ),
      );
      continue;
    }
    out.push({ declared: declared.name, name: portName(declared.name), port });
  }
  for (const check of [service.ready?.tcp, service.ready?.http, service.health?.tcp, service.health?.http]) {
    if (!check || check.portName !== undefined || !isLocalHost(check.host)) continue;
    const port = checkPort(check, service);
    if (!out.some((known) => known.port === port)) out.push({ name: `port-${port}`, port });
  }
  const names = new Set<string>();
  for (const port of out) {
    if (names.has(port.name)) errors.push(serviceDiagnostic(service, "ports", `two ports have the name "${port.name}" in the cluster (at most 15 lowercase letters, digits and '-'): rename one`));
    names.add(port.name);
  }
  return out;
}

/** The container port a check probes: its named port's, or the declared port with that local number's, or the number itself. */
export function checkPort(check: TcpCheck | HttpCheck, service: Service): number {
  const cluster = service.kubernetes?.ports ?? {};
  const declared: ServicePort | undefined =
    check.portName !== undefined ? service.ports.find((p) => p.name === check.portName) : service.ports.find((p) => p.port === check.port);
  if (declared === undefined) return check.port;
  const mapped = cluster[declared.name];
  if (mapped !== undefined) return mapped;
  return declared.port === "auto" ? check.port : declared.port;
}

/** A host that means the service's own machine: in a cluster, the pod itself (a probe's default host). */
export function isLocalHost(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "0.0.0.0" || host === "::";
}
