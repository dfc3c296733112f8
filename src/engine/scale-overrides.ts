import { replicaCount, withReplicas } from "../manifest/instances.js";
import type { Project } from "../manifest/types.js";

/**
 * The counts `sbx scale` set on a running project. Each holds through later applies of the manifest
 * (`sbx restart api`, `sbx up -d`) while the manifest's own `replicas` for the service is still
 * the one it replaced; once the manifest says another count, the manifest's new word wins.
 */
export class ScaleOverrides {
  private readonly counts = new Map<string, { count: number; declared: number }>();

  /** `service` runs `count` instances where the manifest says `declared`. */
  set(service: string, count: number, declared: number): void {
    if (count === declared) this.counts.delete(service);
    else this.counts.set(service, { count, declared });
  }

  /** What the manifest says of the service's count, under any override: what a scale replaces. */
  declaredCount(project: Project, service: string): number {
    const override = this.counts.get(service);
    const declared = project.services.get(service);
    return override?.declared ?? (declared ? replicaCount(declared) : 1);
  }

  /** A freshly loaded project with each override that still holds; those whose service's count the manifest has changed since are dropped. */
  applyTo(project: Project): Project {
    const counts = new Map<string, number>();
    for (const [service, { count, declared }] of this.counts) {
      const now = project.services.get(service);
      if (now && replicaCount(now) === declared) counts.set(service, count);
      else this.counts.delete(service);
    }
    return counts.size === 0 ? project : withReplicas(project, counts);
  }
}
