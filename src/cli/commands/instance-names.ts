import type { ServiceStatusView } from "../../protocol/views.js";

/**
 * The names a command acts on, a service of several instances standing for each of them (`api` →
 * api.0, api.1, api.2), read from the running project's views; a name no view has is kept, for
 * the supervisor to refuse with its own words.
 */
export function instancesNamed(asked: readonly string[], views: readonly Pick<ServiceStatusView, "name" | "service" | "replica">[]): string[] {
  const out: string[] = [];
  for (const name of asked) {
    if (views.some((view) => view.name === name)) out.push(name);
    else {
      const instances = views.filter((view) => view.service === name).sort((a, b) => (a.replica ?? 0) - (b.replica ?? 0));
      out.push(...(instances.length > 0 ? instances.map((view) => view.name) : [name]));
    }
  }
  return [...new Set(out)];
}

/** The views with each service's instances together, in replica order, where its first one stands (new instances of a scale join their service). */
export function groupedByService<T extends Pick<ServiceStatusView, "name" | "service" | "replica">>(views: readonly T[]): T[] {
  const firstAt = new Map<string, number>();
  views.forEach((view, index) => {
    const service = view.service ?? view.name;
    if (!firstAt.has(service)) firstAt.set(service, index);
  });
  return [...views].sort((a, b) => (firstAt.get(a.service ?? a.name) as number) - (firstAt.get(b.service ?? b.name) as number) || (a.replica ?? 0) - (b.replica ?? 0));
}
