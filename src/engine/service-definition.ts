import { createHash } from "node:crypto";
import type { Command, Service } from "../manifest/types.js";

/**
 * What of a service's resolved definition a run depends on, each under the manifest's key that
 * sets it: a change to any of them means the running process is not what the manifest now says,
 * and `sbx up -d` restarts it. Left out: where it is declared (`source`), which profiles enable it
 * (they choose services, they do not change one), `logs` (a log file's rotation is set when
 * the project starts; a change applies from the next `sbx up`), and `depends_on`, as compose
 * leaves it out of its config hash: what a service waits for only counts when it starts, and the
 * short form's condition follows the dependency's `ready` (adding a check to a database must not
 * restart everything that uses it).
 */
const PARTS: readonly [key: string, read: (service: Service) => unknown][] = [
  ["command", (s) => commandOnly(s.command)],
  ["shell", (s) => shellOf(s.command) ?? shellOf(s.ready?.exec) ?? shellOf(s.health?.exec)],
  ["working_dir", (s) => s.workingDir],
  ["user", (s) => (s.user ? { uid: s.user.uid, gid: s.user.gid } : undefined)],
  ["environment", (s) => s.environment],
  ["ports", (s) => s.ports],
  ["ready", (s) => (s.ready === undefined ? undefined : { ...s.ready, exec: s.ready.exec === undefined ? undefined : commandOnly(s.ready.exec) })],
  ["health", (s) => (s.health === undefined ? undefined : { ...s.health, exec: s.health.exec === undefined ? undefined : commandOnly(s.health.exec) })],
  ["restart", (s) => s.restart],
  ["stop_signal", (s) => s.stopSignal],
  ["stop_grace_period", (s) => s.stopGracePeriodMs],
  ["timeout", (s) => s.timeoutMs],
];

/** The manifest keys whose resolved values differ between two definitions of a service, in the manifest's order; none when they are the same. */
export function definitionChanges(before: Service, after: Service): string[] {
  return PARTS.filter(([, read]) => stableText(read(before)) !== stableText(read(after))).map(([key]) => key);
}

/**
 * A hash of each service's resolved definition, of the same parts that `definitionChanges`
 * compares: equal for two definitions that `up -d` would leave running. The state file keeps the
 * running ones', so that `up --reuse` tells an unchanged stack without asking the supervisor to
 * load the manifest again.
 */
export function definitionHashes(services: Iterable<Service>): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const service of services) {
    const text = stableText(PARTS.map(([key, read]) => [key, read(service)]));
    hashes[service.name] = createHash("sha256").update(text).digest("hex").slice(0, 16);
  }
  return hashes;
}

/**
 * A value as text that is the same for equal values: object keys sorted (an environment written in
 * another order is the same environment), regular expressions by source and flags, `Infinity`
 * (no limit of restarts) apart from any number, `undefined` apart from a missing key's absence.
 */
export function stableText(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? "undefined";
}

function canonical(value: unknown): unknown {
  if (value instanceof RegExp) return { regexp: value.source, flags: value.flags };
  if (typeof value === "number" && !Number.isFinite(value)) return { number: String(value) };
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = canonical(item);
    }
    return out;
  }
  return value;
}

/** A command without the shell that runs it: a change of shell is told as `shell`. */
function commandOnly(command: Command): unknown {
  return command.kind === "shell" ? { script: command.script } : { argv: command.argv };
}

function shellOf(command: Command | undefined): unknown {
  return command?.kind === "shell" ? command.shell : undefined;
}
