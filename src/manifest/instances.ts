import type { Dependency, InstanceId, Project, Service } from "./types.js";

/**
 * The instances of a project's services, the one place that names them: a service of one instance
 * keeps its own name (`api`); one with `replicas: N` (N ≠ 1) runs as `api.0` … `api.N-1`, each
 * carrying its InstanceId, so that nothing else ever takes a name apart. The engine, ps, the
 * logs and the API know the instances; the manifest, `sbx config` and `sbx scale` the services.
 */

/** The most instances of one service: the schema's maximum of `replicas`, and what `sbx scale` takes. */
export const MAX_REPLICAS = 100;

/** How many instances of the service run. */
export function replicaCount(service: Pick<Service, "replicas">): number {
  return service.replicas ?? 1;
}

/** The name of one instance: the service's own when it has one instance, `service.replica` otherwise. */
export function instanceName(id: InstanceId, count: number): string {
  return count === 1 ? id.service : `${id.service}.${id.replica}`;
}

/** The instance a run's service is: itself, replica 0, when no instances were made of it. */
export function instanceOf(service: Pick<Service, "name" | "instance">): InstanceId {
  return service.instance ?? { service: service.name, replica: 0 };
}

/** The names of the service's instances, in replica order (none for `replicas: 0`). */
export function instanceNames(service: Pick<Service, "name" | "replicas">): string[] {
  const count = replicaCount(service);
  return Array.from({ length: count }, (_, replica) => instanceName({ service: service.name, replica }, count));
}

const cache = new WeakMap<Project, ReadonlyMap<string, Service>>();

/**
 * Every instance of every service of the project, by instance name, in declaration order: each
 * with its InstanceId, and each dependency on a service turned into one dependency on each of its
 * instances (a dependent waits for all of them; on a service of none, for nothing).
 */
export function projectInstances(project: Project): ReadonlyMap<string, Service> {
  const known = cache.get(project);
  if (known) return known;
  const instances = new Map<string, Service>();
  for (const service of project.services.values()) {
    const dependsOn = service.dependsOn.flatMap((dependency) => dependencyOnInstances(dependency, project.services.get(dependency.service)));
    const count = replicaCount(service);
    for (let replica = 0; replica < count; replica++) {
      const name = instanceName({ service: service.name, replica }, count);
      instances.set(name, { ...service, name, instance: { service: service.name, replica }, dependsOn });
    }
  }
  cache.set(project, instances);
  return instances;
}

/** The project's services with one service's count changed (`sbx scale`): what the running project becomes. */
export function withReplicas(project: Project, counts: ReadonlyMap<string, number>): Project {
  const services = new Map<string, Service>();
  for (const [name, service] of project.services) {
    const count = counts.get(name);
    services.set(name, count === undefined ? service : { ...service, replicas: count });
  }
  return { ...project, services };
}

function dependencyOnInstances(dependency: Dependency, target: Service | undefined): Dependency[] {
  // An unknown one is the loader's to tell; kept as written so that the graph still sees it.
  if (target === undefined) return [dependency];
  return instanceNames(target).map((name, replica) => ({ ...dependency, service: name, instance: { service: target.name, replica } }));
}

/**
 * Among instance names (the log files of `.sbx/logs`, when no supervisor can say), those of the
 * service named: its own name, and `service.N` for each replica.
 */
export function instanceNamesAmong(service: string, names: readonly string[]): string[] {
  const replicaOf = (name: string): number | undefined => {
    if (!name.startsWith(`${service}.`)) return undefined;
    const rest = name.slice(service.length + 1);
    return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
  };
  const replicas = names.filter((name) => replicaOf(name) !== undefined).sort((a, b) => (replicaOf(a) as number) - (replicaOf(b) as number));
  return [...(names.includes(service) ? [service] : []), ...replicas];
}
