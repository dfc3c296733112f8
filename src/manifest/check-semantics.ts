import type { Diagnostic } from "../errors.js";
import { findCycles } from "./find-cycle.js";
import { didYouMean } from "./did-you-mean.js";
import { hasRuntimeRefs } from "./runtime-refs.js";
import type { KeyPath, SourceLocator } from "./source-file.js";

/**
 * The checks a JSON Schema cannot make: dependencies that name no service, a service that
 * depends on itself, cycles (each named in full), `service_healthy` on a service that has no
 * `ready` check, regular expressions that do not compile, http URLs that do not parse, a
 * `kubernetes.ports` entry for a port the service does not declare.
 * They read the data defensively, so that they can run beside the schema's own errors.
 */
export function checkSemantics(data: unknown, locator: SourceLocator): Diagnostic[] {
  const services = isRecord(data) && isRecord(data.services) ? data.services : undefined;
  if (!services) return [];
  const diagnostics: Diagnostic[] = [];
  if (Object.keys(services).length === 0) {
    diagnostics.push(locator.diagnostic(["services"], "declares no service: add at least one under services"));
  }
  const names = Object.keys(services);
  const edges = new Map<string, string[]>();
  const firstEdgePath = new Map<string, KeyPath>();

  for (const [name, service] of Object.entries(services)) {
    if (!isRecord(service)) continue;
    const valid: string[] = [];
    for (const entry of dependencyEntries(service.depends_on)) {
      const path: KeyPath = ["services", name, "depends_on", entry.key];
      const at = typeof entry.key === "number" ? "value" : "key";
      if (entry.dependency === name) {
        diagnostics.push(locator.diagnostic(path, `service "${name}" depends on itself`, at));
      } else if (!Object.hasOwn(services, entry.dependency)) {
        const hint = didYouMean(entry.dependency, names.filter((n) => n !== name));
        diagnostics.push(locator.diagnostic(path, `unknown service "${entry.dependency}"${hint}`, at));
      } else {
        valid.push(entry.dependency);
        if (!firstEdgePath.has(`${name}\u0000${entry.dependency}`)) firstEdgePath.set(`${name}\u0000${entry.dependency}`, path);
        const target = services[entry.dependency];
        const needsReady = entry.condition === "service_healthy" || entry.condition === "service_ready";
        if (needsReady && isRecord(target) && target.ready === undefined) {
          diagnostics.push(
            locator.diagnostic(
              [...path, "condition"],
              `${entry.condition} needs a ready check on "${entry.dependency}", which has none: add \`ready:\` to it, or wait for service_started`,
            ),
          );
        }
      }
    }
    edges.set(name, valid);
    diagnostics.push(...checkReady(name, service.ready, locator, "ready"));
    diagnostics.push(...checkReady(name, service.health, locator, "health"));
    diagnostics.push(...checkKubernetesPorts(name, service, locator));
    diagnostics.push(...checkWatch(name, service.watch, locator));
  }

  for (const cycle of findCycles(edges)) {
    const [from, to] = cycle as [string, string];
    const path = firstEdgePath.get(`${from}\u0000${to}`) ?? ["services", from];
    diagnostics.push(locator.diagnostic(path, `dependency cycle: ${cycle.join(" -> ")}`));
  }
  return diagnostics;
}

/** The checks of `ready`, or of `health` (which has the same tcp and http forms, and no log). */
function checkReady(service: string, ready: unknown, locator: SourceLocator, key: "ready" | "health"): Diagnostic[] {
  if (!isRecord(ready)) return [];
  const diagnostics: Diagnostic[] = [];
  if (typeof ready.log === "string") {
    try {
      new RegExp(ready.log);
    } catch (error) {
      const reason = (error as Error).message.replace(/^Invalid regular expression: /, "");
      diagnostics.push(locator.diagnostic(["services", service, key, "log"], `invalid regular expression: ${reason}`));
    }
  }
  // A runtime value in it is told by checkRuntimeRefs, with what to write instead.
  if (ready.watchdog !== undefined && ready.notify !== true) {
    diagnostics.push(locator.diagnostic(["services", service, "ready", "watchdog"], "a watchdog needs notify: true: the service's WATCHDOG=1 keep-alives come through its NOTIFY_SOCKET"));
  }
  if (typeof ready.http === "string" && ready.http.startsWith("http://") && !hasRuntimeRefs(ready.http)) {
    if (!URL.canParse(ready.http)) {
      diagnostics.push(locator.diagnostic(["services", service, key, "http"], `not a valid URL: "${ready.http}"`));
    }
  }
  if (typeof ready.tcp === "string" && ready.tcp.includes(":")) {
    const port = Number(ready.tcp.slice(ready.tcp.lastIndexOf(":") + 1));
    if (Number.isInteger(port) && (port < 1 || port > 65535)) {
      diagnostics.push(locator.diagnostic(["services", service, key, "tcp"], `port ${port} is out of range: must be from 1 to 65535`));
    }
  }
  return diagnostics;
}

/** `kubernetes.ports` gives numbers to the service's own ports: a name it does not declare is a typo. */
function checkKubernetesPorts(name: string, service: Record<string, unknown>, locator: SourceLocator): Diagnostic[] {
  const cluster = isRecord(service.kubernetes) && isRecord(service.kubernetes.ports) ? service.kubernetes.ports : undefined;
  if (!cluster) return [];
  const declared = isRecord(service.ports) ? Object.keys(service.ports) : [];
  return Object.keys(cluster)
    .filter((port) => !declared.includes(port))
    .map((port) =>
      locator.diagnostic(
        ["services", name, "kubernetes", "ports", port],
        `the service declares no port "${port}"${declared.length === 0 ? ": declare it under ports" : didYouMean(port, declared) || ` (its ports: ${declared.join(", ")})`}`,
        "key",
      ),
    );
}

interface DependencyEntry {
  /** The list index or map key it was written under. */
  key: string | number;
  dependency: string;
  condition?: string;
}

function dependencyEntries(dependsOn: unknown): DependencyEntry[] {
  if (Array.isArray(dependsOn)) {
    return dependsOn.flatMap((item, index) => (typeof item === "string" ? [{ key: index, dependency: item }] : []));
  }
  if (isRecord(dependsOn)) {
    return Object.entries(dependsOn).map(([dependency, spec]) => ({
      key: dependency,
      dependency,
      ...(isRecord(spec) && typeof spec.condition === "string" ? { condition: spec.condition } : {}),
    }));
  }
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `watch.command` is what `action: exec` runs, and only that: one without the other is a mistake. */
function checkWatch(service: string, watch: unknown, locator: SourceLocator): Diagnostic[] {
  if (!isRecord(watch)) return [];
  const path: KeyPath = ["services", service, "watch"];
  if (watch.action === "exec" && watch.command === undefined) {
    return [locator.diagnostic([...path, "action"], "action: exec needs watch.command, the command to run (a build) before the restart")];
  }
  if (watch.action !== "exec" && watch.command !== undefined) {
    return [locator.diagnostic([...path, "command"], "watch.command runs only with action: exec; add it, or drop command")];
  }
  return [];
}
