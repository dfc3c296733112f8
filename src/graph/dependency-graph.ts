import toposort from "toposort";
import type { Dependency, Service } from "../manifest/types.js";

/**
 * The services and what each waits for. Built from a valid project (no unknown
 * dependency, no cycle: the loader has checked), so its orders always exist.
 */
export class DependencyGraph {
  /** Dependencies first. */
  readonly order: readonly string[];
  private readonly dependencies = new Map<string, readonly Dependency[]>();
  private readonly dependents = new Map<string, string[]>();

  constructor(services: Iterable<Pick<Service, "name" | "dependsOn">>) {
    const names: string[] = [];
    const edges: [string, string][] = [];
    for (const service of services) {
      names.push(service.name);
      this.dependencies.set(service.name, service.dependsOn);
      this.dependents.set(service.name, this.dependents.get(service.name) ?? []);
      for (const dep of service.dependsOn) {
        edges.push([dep.service, service.name]);
        const list = this.dependents.get(dep.service) ?? [];
        list.push(service.name);
        this.dependents.set(dep.service, list);
      }
    }
    this.order = toposort.array(names, edges);
  }

  has(name: string): boolean {
    return this.dependencies.has(name);
  }

  /** What `name` waits for, and under which condition. */
  dependenciesOf(name: string): readonly Dependency[] {
    return this.dependencies.get(name) ?? [];
  }

  /** The services that wait for `name`. */
  dependentsOf(name: string): readonly string[] {
    return this.dependents.get(name) ?? [];
  }

  /** Teardown order: dependents before what they depend on. */
  get reverseOrder(): string[] {
    return [...this.order].reverse();
  }

  /** `names` and everything they depend on, transitively, in dependency order. */
  closure(names: Iterable<string>, include: (dep: Dependency) => boolean = () => true): string[] {
    const wanted = new Set<string>();
    const visit = (name: string): void => {
      if (wanted.has(name)) return;
      wanted.add(name);
      for (const dep of this.dependenciesOf(name)) if (include(dep)) visit(dep.service);
    };
    for (const name of names) visit(name);
    return this.order.filter((name) => wanted.has(name));
  }
}
