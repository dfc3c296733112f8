import type { Diagnostic } from "../errors.js";
import { didYouMean } from "./did-you-mean.js";
import { findRuntimeRefs, parseRuntimeRef, type RuntimeRef } from "./runtime-refs.js";
import type { KeyPath, SourceLocator } from "./source-file.js";

/**
 * The checks of runtime values (`${ports.http}`, `${services.api.url}`) and of ready checks that
 * name a port: each names a port the service declares, or a dependency and one of its ports (a
 * service that is not a dependency may not have started when this one starts); they stand only
 * where the engine substitutes them before a run. Reads the data defensively, beside the schema's
 * own errors.
 */
export function checkRuntimeRefs(data: unknown, locator: SourceLocator): Diagnostic[] {
  const services = isRecord(data) && isRecord(data.services) ? data.services : undefined;
  if (!services) return [];
  const diagnostics: Diagnostic[] = [];
  const names = Object.keys(services);
  const portsOf = (name: string): string[] => {
    const service = services[name];
    return isRecord(service) && isRecord(service.ports) ? Object.keys(service.ports) : [];
  };

  for (const [name, service] of Object.entries(services)) {
    if (!isRecord(service)) continue;
    const dependencies = dependencyNames(service.depends_on);
    const check = (ref: RuntimeRef, written: string): string | undefined => {
      if (ref.kind === "own-port") {
        const own = portsOf(name);
        return own.includes(ref.port) ? undefined : `"${name}" declares no port "${ref.port}" in ${written}: add it under ports (${declares(own)})`;
      }
      if (!Object.hasOwn(services, ref.service)) return `unknown service "${ref.service}" in ${written}${didYouMean(ref.service, names.filter((n) => n !== name))}`;
      if (ref.service === name) return `${written} is this service's own: write ${ref.kind === "service-url" ? "${ports.NAME}" : `\${ports.${ref.port}}`}`;
      if (!dependencies.includes(ref.service)) {
        return `"${ref.service}" is not a dependency of "${name}" in ${written}: its values are known once it has started; add it to depends_on`;
      }
      const theirs = portsOf(ref.service);
      if (ref.kind === "service-url") return theirs.length > 0 ? undefined : `service "${ref.service}" declares no ports, so it has no url, in ${written}`;
      return theirs.includes(ref.port) ? undefined : `service "${ref.service}" has no port "${ref.port}" in ${written} (${declares(theirs)})`;
    };
    visitStrings(service, ["services", name], (text, path) => {
      for (const match of findRuntimeRefs(text)) {
        if (match.escaped) continue;
        const ref = parseRuntimeRef(match.body);
        let message: string | undefined;
        if (ref === undefined) message = `${match.text} is not a runtime value: use \${services.NAME.ports.PORT}, \${services.NAME.url} or \${ports.PORT}`;
        else if (!isSubstituted(path)) message = `${match.text} is known only when the service starts: ${whereInstead(path)}`;
        else message = check(ref, match.text);
        if (message !== undefined) {
          diagnostics.push(locator.diagnostic(path, message));
          return;
        }
      }
    });
    diagnostics.push(...checkNamedPorts(name, service.ready, portsOf(name), locator, "ready"));
    diagnostics.push(...checkNamedPorts(name, service.health, portsOf(name), locator, "health"));
  }
  return diagnostics;
}

/** What to write instead of a runtime value where none is substituted: a check names its port, the rest has none. */
function whereInstead(path: KeyPath): string {
  const [, , key, sub] = path;
  if ((key === "ready" || key === "health") && sub === "http") return `name the port instead, ${key}: { http: { port: http, path: /health } }`;
  if ((key === "ready" || key === "health") && sub === "tcp") return `name the port instead, ${key}: { tcp: http }`;
  return "use it in environment, command, ready.exec or health.exec";
}

/** Where the engine substitutes runtime values: the service's environment, command, ready.exec and health.exec. */
function isSubstituted(path: KeyPath): boolean {
  const [, , key, sub] = path;
  return key === "environment" || key === "command" || ((key === "ready" || key === "health") && sub === "exec");
}

/** A ready or health check's port given as a name must be one the service declares. */
function checkNamedPorts(service: string, ready: unknown, ports: readonly string[], locator: SourceLocator, key: "ready" | "health"): Diagnostic[] {
  if (!isRecord(ready)) return [];
  const named: [KeyPath, unknown][] = [
    [["services", service, key, "tcp"], ready.tcp],
    [["services", service, key, "http"], ready.http],
    [["services", service, key, "http", "port"], isRecord(ready.http) ? ready.http.port : undefined],
  ];
  return named.flatMap(([path, value]) => {
    if (typeof value !== "string" || !/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(value) || ports.includes(value)) return [];
    return [locator.diagnostic(path, `"${service}" declares no port "${value}" (${declares(ports)}): add it under ports, or give a number${didYouMean(value, ports)}`)];
  });
}

function declares(ports: readonly string[]): string {
  return ports.length === 0 ? "it declares none" : `it declares ${ports.join(", ")}`;
}

function visitStrings(value: unknown, path: KeyPath, visit: (text: string, path: KeyPath) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => visitStrings(item, [...path, index], visit));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) if (!key.startsWith("x-")) visitStrings(item, [...path, key], visit);
}

function dependencyNames(dependsOn: unknown): string[] {
  if (Array.isArray(dependsOn)) return dependsOn.filter((item): item is string => typeof item === "string");
  return isRecord(dependsOn) ? Object.keys(dependsOn) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
