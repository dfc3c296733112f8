import { instanceOf } from "../manifest/instances.js";
import { httpCheckUrl } from "../manifest/http-check-url.js";
import { envName, substituteRuntimeRefs, type RuntimeRef } from "../manifest/runtime-refs.js";
import type { Command, HealthSpec, ReadySpec, Service } from "../manifest/types.js";
import type { ServiceAddress } from "./port-assignments.js";

/**
 * The service as one run starts it: its runtime values substituted (`${ports.http}`,
 * `${services.api.url}`) in its environment, command and ready.exec, the checks that name a port
 * given its number, and its ports in its environment, under what the manifest sets: `PORT` when it
 * has exactly one, `SBX_PORT_<NAME>` for each, and for each dependency that has ports
 * `SBX_SERVICE_<SERVICE>_PORT_<NAME>` and `SBX_SERVICE_<SERVICE>_URL`, and `SBX_REPLICA`, which
 * instance of its service it is (0 for a service of one). The manifest's checks
 * made sure that every reference names a port declared and a dependency, whose address is known
 * once it has started.
 */
export function resolveRun(service: Service, ports: Readonly<Record<string, number>>, dependencies: ReadonlyMap<string, ServiceAddress>): Service {
  const value = (ref: RuntimeRef, written: string): string => {
    if (ref.kind === "own-port") return stringOr(ports[ref.port], written);
    const address = dependencies.get(ref.service);
    return ref.kind === "service-url" ? stringOr(address?.url, written) : stringOr(address?.ports[ref.port], written);
  };
  const substitute = (text: string): string => substituteRuntimeRefs(text, value);

  const portVariables: Record<string, string> = { SBX_REPLICA: String(instanceOf(service).replica) };
  const names = Object.keys(ports);
  if (names.length === 1) portVariables.PORT = String(ports[names[0] as string]);
  for (const name of names) portVariables[`SBX_PORT_${envName(name)}`] = String(ports[name]);
  for (const [dependency, address] of dependencies) {
    for (const [name, port] of Object.entries(address.ports)) portVariables[`SBX_SERVICE_${envName(dependency)}_PORT_${envName(name)}`] = String(port);
    if (address.url !== undefined) portVariables[`SBX_SERVICE_${envName(dependency)}_URL`] = address.url;
  }
  const environment: Record<string, string> = { ...portVariables };
  for (const [key, text] of Object.entries(service.environment)) environment[key] = substitute(text);

  const ready = service.ready && resolveChecks(service.ready, ports, substitute);
  const health = service.health && resolveChecks(service.health, ports, substitute);
  return { ...service, environment, command: resolveCommand(service.command, substitute), ...(ready ? { ready } : {}), ...(health ? { health } : {}) };
}

function resolveCommand(command: Command, substitute: (text: string) => string): Command {
  if (command.kind === "shell") return { ...command, script: substitute(command.script) };
  return { kind: "exec", argv: command.argv.map(substitute) as [string, ...string[]] };
}

/** A `ready` or `health` block with its named ports given their numbers and its exec's runtime values substituted. */
function resolveChecks<T extends ReadySpec | HealthSpec>(ready: T, ports: Readonly<Record<string, number>>, substitute: (text: string) => string): T {
  const resolved: T = { ...ready };
  if (ready.tcp?.portName !== undefined) resolved.tcp = { ...ready.tcp, port: ports[ready.tcp.portName] ?? ready.tcp.port };
  if (ready.http?.portName !== undefined) {
    const port = ports[ready.http.portName] ?? ready.http.port;
    resolved.http = { ...ready.http, port, url: httpCheckUrl(ready.http.host, port, ready.http.path) };
  }
  if (ready.exec) resolved.exec = resolveCommand(ready.exec, substitute);
  return resolved;
}

function stringOr(value: string | number | undefined, written: string): string {
  return value === undefined ? written : String(value);
}

/**
 * The dependencies' addresses that a run of the service may refer to, by the dependency's service
 * name: those of its dependencies that have ports. A dependency of several instances is known by
 * its first, replica 0 (`${services.api.url}` is api.0's).
 */
export function dependencyAddresses(service: Service, addressOf: (name: string) => ServiceAddress | undefined): Map<string, ServiceAddress> {
  const out = new Map<string, ServiceAddress>();
  for (const dependency of service.dependsOn) {
    const instance = dependency.instance ?? { service: dependency.service, replica: 0 };
    if (instance.replica !== 0) continue;
    const address = addressOf(dependency.service);
    if (address && Object.keys(address.ports).length > 0) out.set(instance.service, address);
  }
  return out;
}

/** The ports a service declares with a number: what is known of its ports before it runs. */
export function fixedPorts(service: Service): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const port of service.ports) if (port.port !== "auto") ports[port.name] = port.port;
  return ports;
}
