import { SbxError } from "../errors.js";
import { didYouMean } from "../manifest/did-you-mean.js";
import { instanceNames, projectInstances } from "../manifest/instances.js";
import type { Project, Service } from "../manifest/types.js";
import { DependencyGraph } from "./dependency-graph.js";

export interface SelectionOptions {
  /** The services asked for by name; none means every service enabled by the active profiles. */
  services?: readonly string[];
  /** Active profiles (`--profile`). */
  profiles?: readonly string[];
  /** Only the named services, not what they depend on (`--no-deps`). */
  noDeps?: boolean;
}

/** The services of one run (each instance of a replicated one), and the graph among them (dependencies outside the run dropped). */
export interface Selection {
  services: Service[];
  graph: DependencyGraph;
}

/**
 * Which services a run starts, as compose decides it: a service with `profiles` is enabled only
 * when one of them is active or when it is named; what a selected service depends on is pulled
 * in whatever its profiles (unless `noDeps`); a dependency with `required: false` only when it is
 * enabled anyway. A service of several instances is all of them (a dependent waits for each); an
 * instance may be named on its own (`api.1`).
 */
export function selectServices(project: Project, options: SelectionOptions = {}): Selection {
  const active = new Set(options.profiles ?? []);
  const instances = projectInstances(project);
  const all = [...instances.values()];
  const enabled = (service: Service): boolean =>
    service.profiles.length === 0 || service.profiles.some((profile) => active.has(profile));

  const named = (options.services ?? []).flatMap((name) => {
    const declared = project.services.get(name);
    if (declared) return instanceNames(declared);
    if (instances.has(name)) return [name];
    throw new SbxError("UNKNOWN_SERVICE", `no service "${name}" in ${project.files.join(", ")}${didYouMean(name, project.services.keys())}`, {
      service: name,
    });
  });
  const roots = (options.services ?? []).length > 0 ? new Set(named) : new Set(all.filter(enabled).map((s) => s.name));

  const fullGraph = new DependencyGraph(all);
  const names = options.noDeps
    ? fullGraph.order.filter((name) => roots.has(name))
    : fullGraph.closure(roots, (dep) => dep.required || roots.has(dep.service) || enabled(instances.get(dep.service) as Service));

  const selected = new Set(names);
  const services = names.map((name) => {
    const service = instances.get(name) as Service;
    const dependsOn = service.dependsOn.filter((dep) => selected.has(dep.service));
    return dependsOn.length === service.dependsOn.length ? service : { ...service, dependsOn };
  });
  return { services, graph: new DependencyGraph(services) };
}
