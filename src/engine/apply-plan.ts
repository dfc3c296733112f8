import type { Selection } from "../graph/select-services.js";
import { instanceOf, projectInstances } from "../manifest/instances.js";
import type { Project, Service } from "../manifest/types.js";
import { definitionChanges } from "./service-definition.js";
import type { ServiceState } from "./service-state.js";

/** Why a service is restarted, started or stopped when a manifest is applied. */
export type ChangeReason =
  /** Its resolved definition differs: `changed` names the keys. */
  | "changed"
  /** Nothing differs, but a restart was asked for (`--force-recreate`, `sbx restart`). */
  | "forced"
  /** It was not part of the running project. */
  | "new"
  /** It had been stopped (`sbx stop`), failed, or not started as a dependency failed: `up -d` starts it again, as compose starts a stopped container. */
  | "was-stopped"
  | "had-failed"
  | "was-skipped"
  /** It is no longer in the manifest (or, an instance, no longer among its service's replicas). */
  | "removed";

/** One thing that applying a manifest does to one service. */
export interface ServiceChange {
  service: string;
  action: "restarted" | "started" | "stopped";
  reason: ChangeReason;
  /** For `changed`: the manifest keys whose resolved values differ (`command`, `environment`, …). */
  changed: string[];
}

export interface ApplyOptions {
  /** Restart every selected service, changed or not (`--force-recreate`, `sbx restart`). */
  force?: boolean;
  /** Stop the running services that the new manifest no longer declares (`up -d` of the whole project; not when services are named). */
  removeMissing?: boolean;
  /** Stop the running instances of these services that the new project no longer has (`sbx scale` down). */
  removeInstancesOf?: readonly string[];
}

/** What the project runs now: each service's definition as declared (its full `depends_on`), and its state. */
export interface RunningProject {
  declared: ReadonlyMap<string, Service>;
  states: ReadonlyMap<string, ServiceState>;
}

/**
 * What applying `next` to a running project does, service by service, as `docker compose up -d`
 * decides it: a selected service whose resolved definition changed is restarted, a new one started,
 * one that was stopped or failed started again, and (with `removeMissing`) one the manifest no longer
 * declares stopped; the rest is left alone — a completed one-shot job too, and a service whose
 * dependency is restarted while its own definition is the same (compose's default: it keeps its
 * connections' chance to recover, and a restart of a database does not cascade through the stack).
 * In dependency order, the removed ones last.
 */
export function planApply(running: RunningProject, next: { project: Project; selection: Selection }, options: ApplyOptions = {}): ServiceChange[] {
  const changes: ServiceChange[] = [];
  const instances = projectInstances(next.project);
  for (const selected of next.selection.services) {
    const name = selected.name;
    const declared = instances.get(name) ?? selected;
    const current = running.declared.get(name);
    if (current === undefined) {
      changes.push({ service: name, action: "started", reason: "new", changed: [] });
      continue;
    }
    const changed = definitionChanges(current, declared);
    if (changed.length > 0) changes.push({ service: name, action: "restarted", reason: "changed", changed });
    else if (options.force) changes.push({ service: name, action: "restarted", reason: "forced", changed: [] });
    else {
      const again = startAgainBecause(running.states.get(name));
      if (again) changes.push({ service: name, action: "started", reason: again, changed: [] });
    }
  }
  const scaled = new Set(options.removeInstancesOf ?? []);
  if (options.removeMissing || scaled.size > 0) {
    for (const [name, service] of running.declared) {
      if (instances.has(name) || !(options.removeMissing || scaled.has(instanceOf(service).service))) continue;
      changes.push({ service: name, action: "stopped", reason: "removed", changed: [] });
    }
  }
  return changes;
}

function startAgainBecause(state: ServiceState | undefined): ChangeReason | undefined {
  switch (state?.status) {
    case "stopped":
      return "was-stopped";
    case "failed":
      return "had-failed";
    case "skipped":
      return "was-skipped";
    default:
      return undefined;
  }
}
