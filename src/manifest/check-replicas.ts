import type { Diagnostic } from "../errors.js";
import { instanceName, replicaCount } from "./instances.js";
import { findRuntimeRefs, parseRuntimeRef } from "./runtime-refs.js";
import type { KeyPath, SourceLocator } from "./source-file.js";
import type { Project, Service } from "./types.js";

/** Something that makes no sense for a service run as several instances: where it is written, and why. */
export interface ReplicaConflict {
  path: KeyPath;
  message: string;
}

/**
 * What keeps `count` instances of the service from running side by side: a fixed port, which
 * every instance would bind, and a ready or health check on a fixed port, which would ask the same
 * port for every instance (`auto` ports are each instance's own). None for one instance or none.
 * `sbx scale` asks it too, of the count asked for.
 */
export function replicaConflicts(service: Service, count: number): ReplicaConflict[] {
  if (count <= 1) return [];
  const path = ["services", service.name];
  const conflicts: ReplicaConflict[] = [];
  for (const port of service.ports) {
    if (port.port === "auto") continue;
    conflicts.push({
      path: [...path, "ports", port.name],
      message: `fixed port ${port.port} cannot serve ${count} replicas of "${service.name}": every instance would bind it; write auto, and each instance gets its own`,
    });
  }
  for (const [key, checks] of [["ready", service.ready], ["health", service.health]] as const) {
    for (const kind of ["tcp", "http"] as const) {
      const check = checks?.[kind];
      // A named port is the instance's own when auto; a named fixed one is told under ports.
      if (check === undefined || check.portName !== undefined) continue;
      conflicts.push({
        path: [...path, key, kind],
        message: `${key}.${kind} checks fixed port ${check.port} for each of ${count} replicas of "${service.name}", which cannot all listen on it: declare ports: { http: auto } and name it (${key}: { ${kind}: http })`,
      });
    }
  }
  return conflicts;
}

/**
 * Where the project's services refer to `target`'s address (`${services.api.url}`, `${services.api.ports.http}`)
 * in their environment or command: what has no value when it runs no instance.
 */
export function addressReferences(project: Project, target: string): ReplicaConflict[] {
  const found: ReplicaConflict[] = [];
  for (const service of project.services.values()) {
    const texts: [KeyPath, string][] = [
      ...Object.entries(service.environment).map(([key, text]): [KeyPath, string] => [["services", service.name, "environment", key], text]),
      ...(service.command.kind === "shell" ? [[["services", service.name, "command"], service.command.script] as [KeyPath, string]] : service.command.argv.map((text, index): [KeyPath, string] => [["services", service.name, "command", index], text])),
    ];
    for (const [path, text] of texts) {
      const ref = findRuntimeRefs(text).find((match) => {
        const parsed = match.escaped ? undefined : parseRuntimeRef(match.body);
        return parsed !== undefined && parsed.kind !== "own-port" && parsed.service === target;
      });
      if (ref) found.push({ path, message: `${ref.text} has no value: "${target}" runs no instance (replicas: 0)` });
    }
  }
  return found;
}

/**
 * The checks of `replicas` on the loaded project: the conflicts above, a declared service whose
 * name is one an instance of a replicated service takes (`api.1` beside `api` with replicas: 3),
 * and a reference to the address of a service of no instance.
 */
export function checkReplicas(project: Project, locator: SourceLocator): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const service of project.services.values()) {
    const count = replicaCount(service);
    for (const conflict of replicaConflicts(service, count)) diagnostics.push(locator.diagnostic(conflict.path, conflict.message));
    if (count === 0) for (const reference of addressReferences(project, service.name)) diagnostics.push(locator.diagnostic(reference.path, reference.message));
    if (count <= 1) continue;
    for (let replica = 0; replica < count; replica++) {
      const taken = instanceName({ service: service.name, replica }, count);
      if (!project.services.has(taken)) continue;
      diagnostics.push(locator.diagnostic(["services", taken], `the name "${taken}" is that of replica ${replica} of "${service.name}" (replicas: ${count}): rename one of them`, "key"));
    }
  }
  return diagnostics;
}
