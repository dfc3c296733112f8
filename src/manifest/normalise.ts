import { basename, isAbsolute, resolve } from "node:path";
import { defaults } from "../defaults.js";
import type { Diagnostic } from "../errors.js";
import { parseDuration } from "./duration.js";
import { readEnvFile } from "./env-files.js";
import type {
  RawCommand,
  RawDependency,
  RawEnvFile,
  RawEnvironment,
  RawHealth,
  RawHttpStatus,
  RawKubernetesProject,
  RawKubernetesService,
  RawLogs,
  RawManifest,
  RawReady,
  RawService,
  RawWatch,
} from "./raw-types.js";
import { readAccounts, type Accounts } from "./accounts.js";
import { resolveUser, runningIdentity } from "./service-user.js";
import { defaultShell, toShell } from "./shell.js";
import { parseSize } from "./size.js";
import { toCommand } from "./command.js";
import { httpCheckUrl } from "./http-check-url.js";
import { ownValue, setOwn } from "./own-keys.js";
import type { KeyPath, SourceLocator } from "./source-file.js";
import type {
  Command,
  Dependency,
  DependencyCondition,
  EnvironmentSource,
  KubernetesProjectSettings,
  KubernetesServiceSettings,
  HttpCheck,
  LogRotation,
  Project,
  ReadySpec,
  HealthSpec,
  WatchSpec,
  RestartPolicy,
  Service,
  ServicePort,
  ServiceUser,
  Shell,
  StatusRange,
  TcpCheck,
} from "./types.js";

export interface NormaliseContext {
  projectDir: string;
  files: string[];
  locator: SourceLocator;
  /** sbx's own environment: what `environment` entries without a value pass on. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Turns a valid manifest into the typed project: defaults filled in, short forms expanded, env files read. */
export function normalise(raw: RawManifest, ctx: NormaliseContext): { project: Project; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const projectSources = [...readEnvFileSources(raw.env_file, ["env_file"], ctx, diagnostics), inlineSource(raw.environment, ctx.env)];
  const projectEnv = mergeSources(projectSources);
  const projectShell = raw.shell === undefined ? defaultShell() : toShell(raw.shell);
  const services = new Map<string, Service>();
  // Read once, and only for a manifest that names a user.
  let accounts: Accounts | undefined;
  const lookup = (): Accounts => (accounts ??= readAccounts());
  for (const [name, rawService] of Object.entries(raw.services)) {
    services.set(name, normaliseService(name, rawService, raw, { env: projectEnv, sources: projectSources, shell: projectShell, accounts: lookup }, ctx, diagnostics));
  }
  const project: Project = {
    name: raw.name ?? basename(ctx.projectDir),
    shell: projectShell,
    dir: ctx.projectDir,
    files: ctx.files,
    services,
    warnings: [],
    ...(raw.kubernetes ? { kubernetes: kubernetesProject(raw.kubernetes) } : {}),
  };
  return { project, diagnostics };
}

function normaliseService(
  name: string,
  raw: RawService,
  manifest: RawManifest,
  project: { env: Record<string, string>; sources: EnvironmentSource[]; shell: Shell; accounts: () => Accounts },
  ctx: NormaliseContext,
  diagnostics: Diagnostic[],
): Service {
  const path = ["services", name];
  // The service's `shell` wins over the project's, for its command and its ready.exec alike.
  const shell = raw.shell === undefined ? project.shell : toShell(raw.shell);
  const ports = normalisePorts(raw.ports);
  const ready = raw.ready && normaliseReady(raw.ready, shell, ports);
  const health = raw.health && normaliseHealth(raw.health, shell, ports);
  const workingDir = raw.working_dir === undefined ? ctx.projectDir : resolve(ctx.projectDir, raw.working_dir);
  const watch = raw.watch && normaliseWatch(raw.watch, shell, workingDir);
  const timeoutMs = raw.timeout === undefined ? undefined : (parseDuration(raw.timeout) as number);
  const user = raw.user === undefined ? undefined : toServiceUser(String(raw.user), [...path, "user"], project.accounts, ctx, diagnostics);
  const ownSources = [...readEnvFileSources(raw.env_file, [...path, "env_file"], ctx, diagnostics), inlineSource(raw.environment, ctx.env)];
  const sources = [...project.sources, ...ownSources];
  const hasFileSource = sources.some((source) => source.kind === "file");
  return {
    name,
    command: toCommand(raw.command, shell),
    workingDir,
    environment: { ...project.env, ...mergeSources(ownSources) },
    // Kept apart only where a file is among them: else the environment is all the manifest's own.
    ...(hasFileSource ? { environmentSources: sources } : {}),
    dependsOn: normaliseDependsOn(raw.depends_on, manifest),
    ports,
    ...(ready ? { ready } : {}),
    ...(health ? { health } : {}),
    ...(watch ? { watch } : {}),
    restart: normaliseRestart(raw.restart),
    stopSignal: (raw.stop_signal ?? defaults.stopSignal) as NodeJS.Signals,
    stopGracePeriodMs: duration(raw.stop_grace_period, defaults.stopGracePeriodMs),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    logs: normaliseLogs(raw.logs, manifest.logs),
    profiles: raw.profiles ?? [],
    ...(user ? { user: { ...user, written: String(raw.user) } } : {}),
    ...(raw.replicas === undefined ? {} : { replicas: raw.replicas }),
    ...(raw.kubernetes ? { kubernetes: kubernetesService(raw.kubernetes) } : {}),
    source: ctx.locator.locate(path, "key"),
  };
}

function kubernetesProject(raw: RawKubernetesProject): KubernetesProjectSettings {
  return {
    ...(raw.image === undefined ? {} : { image: raw.image }),
    ...(raw.registry === undefined ? {} : { registry: raw.registry }),
    ...(raw.namespace === undefined ? {} : { namespace: raw.namespace }),
    ...(raw.workdir === undefined ? {} : { workdir: raw.workdir }),
    ...(raw.wait_image === undefined ? {} : { waitImage: raw.wait_image }),
    ...(raw.kubectl_image === undefined ? {} : { kubectlImage: raw.kubectl_image }),
  };
}

function kubernetesService(raw: RawKubernetesService): KubernetesServiceSettings {
  const ports: Record<string, number> = {};
  for (const [name, port] of Object.entries(raw.ports ?? {})) setOwn(ports, name, Number(port));
  return {
    ...(raw.image === undefined ? {} : { image: raw.image }),
    ports,
    ...(raw.replicas === undefined ? {} : { replicas: raw.replicas }),
    ...(raw.workload === undefined ? {} : { workload: raw.workload }),
    ...(raw.resources === undefined ? {} : { resources: raw.resources }),
  };
}

function toServiceUser(spec: string, path: KeyPath, accounts: () => Accounts, ctx: NormaliseContext, diagnostics: Diagnostic[]): ServiceUser | undefined {
  const running = runningIdentity();
  const result = running ? resolveUser(spec, accounts(), running) : { ok: false as const, message: "user: needs a system with setuid(2), which this one has not" };
  if (result.ok) return result.user;
  diagnostics.push(ctx.locator.diagnostic(path, result.message));
  return undefined;
}

function duration(value: string | number | undefined, fallback: number): number {
  return value === undefined ? fallback : (parseDuration(value) as number);
}

function environmentToMap(raw: RawEnvironment | undefined, env: NormaliseContext["env"]): Record<string, string> {
  const out: Record<string, string> = {};
  const pass = (key: string): void => {
    // A variable named without a value passes on sbx's own, as in compose.
    const inherited = ownValue(env, key);
    if (inherited !== undefined) setOwn(out, key, inherited);
  };
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const eq = item.indexOf("=");
      if (eq === -1) pass(item);
      else setOwn(out, item.slice(0, eq), item.slice(eq + 1));
    }
  } else if (raw) {
    for (const [key, value] of Object.entries(raw)) {
      if (value === null) pass(key);
      else setOwn(out, key, String(value));
    }
  }
  return out;
}

/** Each env file's variables, in the order listed; a missing optional file gives none. */
function readEnvFileSources(raw: RawEnvFile | undefined, path: KeyPath, ctx: NormaliseContext, diagnostics: Diagnostic[]): EnvironmentSource[] {
  if (raw === undefined) return [];
  const entries = Array.isArray(raw) ? raw : [raw];
  const out: EnvironmentSource[] = [];
  entries.forEach((entry, index) => {
    const file = typeof entry === "string" ? entry : entry.path;
    const required = typeof entry === "string" ? true : entry.required !== false;
    const absolute = isAbsolute(file) ? file : resolve(ctx.projectDir, file);
    const result = readEnvFile(absolute, { required });
    if (result.ok) {
      const variables: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.variables)) setOwn(variables, name, value);
      out.push({ kind: "file", path: absolute, secret: typeof entry === "object" && entry.secret === true, variables });
    } else diagnostics.push(ctx.locator.diagnostic(Array.isArray(raw) ? [...path, index] : path, result.message));
  });
  return out;
}

function inlineSource(raw: RawEnvironment | undefined, env: NormaliseContext["env"]): EnvironmentSource {
  return { kind: "inline", variables: environmentToMap(raw, env) };
}

/** The variables of the sources, later ones winning. */
function mergeSources(sources: readonly EnvironmentSource[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) for (const [name, value] of Object.entries(source.variables)) setOwn(out, name, value);
  return out;
}

function normaliseDependsOn(raw: RawService["depends_on"], manifest: RawManifest): Dependency[] {
  if (raw === undefined) return [];
  const entries: [string, RawDependency][] = Array.isArray(raw) ? raw.map((name) => [name, {}]) : Object.entries(raw);
  return entries.map(([service, spec]) => ({
    service,
    condition: conditionOf(spec.condition, ownValue(manifest.services, service)),
    required: spec.required !== false,
    ...(spec.restart === true ? { restart: true as const } : {}),
  }));
}

function conditionOf(condition: RawDependency["condition"], target: RawService | undefined): DependencyCondition {
  if (condition === "service_ready") return "service_healthy";
  if (condition !== undefined) return condition;
  // The short form waits for readiness when there is a check to say so, for the start otherwise.
  return target?.ready ? "service_healthy" : "service_started";
}

/** The declared ports in their order, numbers as numbers (a quoted one too). */
function normalisePorts(raw: RawService["ports"]): ServicePort[] {
  return Object.entries(raw ?? {}).map(([name, port]) => ({ name, port: port === "auto" ? "auto" : Number(port) }));
}

/** A port as a check gives it: a number, or the name of one of the service's ports (0 for an `auto` one until it is known). */
function checkPort(raw: number | string, ports: readonly ServicePort[]): { port: number; portName?: string } {
  const named = typeof raw === "string" ? ports.find((p) => p.name === raw) : undefined;
  if (named) return { port: named.port === "auto" ? 0 : named.port, portName: named.name };
  return { port: Number(raw) };
}

function normaliseReady(raw: RawReady, shell: Shell, ports: readonly ServicePort[]): ReadySpec {
  return {
    ...(raw.tcp !== undefined ? { tcp: toTcpCheck(raw.tcp, ports) } : {}),
    ...(raw.http !== undefined ? { http: toHttpCheck(raw.http, ports) } : {}),
    ...(raw.log !== undefined ? { log: { pattern: new RegExp(raw.log) } } : {}),
    ...(raw.exec !== undefined ? { exec: toCommand(raw.exec, shell) } : {}),
    ...(raw.notify === true ? { notify: true as const } : {}),
    ...(raw.notify === true && raw.watchdog !== undefined ? { watchdogMs: duration(raw.watchdog, 0) } : {}),
    timeoutMs: duration(raw.timeout, defaults.readyTimeoutMs),
    intervalMs: duration(raw.interval, defaults.readyIntervalMs),
  };
}

function normaliseHealth(raw: RawHealth, shell: Shell, ports: readonly ServicePort[]): HealthSpec {
  return {
    ...(raw.tcp !== undefined ? { tcp: toTcpCheck(raw.tcp, ports) } : {}),
    ...(raw.http !== undefined ? { http: toHttpCheck(raw.http, ports) } : {}),
    ...(raw.exec !== undefined ? { exec: toCommand(raw.exec, shell) } : {}),
    intervalMs: duration(raw.interval, defaults.healthIntervalMs),
    timeoutMs: duration(raw.timeout, defaults.healthTimeoutMs),
    retries: raw.retries ?? defaults.healthRetries,
  };
}

/** Paths resolved from the service's working directory, where its command runs and where `src` means its own src. */
function normaliseWatch(raw: RawWatch, shell: Shell, workingDir: string): WatchSpec {
  return {
    paths: raw.paths.map((path) => resolve(workingDir, path)),
    ignore: raw.ignore ?? [],
    action: raw.action ?? "restart",
    ...(raw.command !== undefined ? { command: toCommand(raw.command, shell) } : {}),
    debounceMs: duration(raw.debounce, defaults.watchDebounceMs),
  };
}

function toTcpCheck(raw: number | string, ports: readonly ServicePort[]): TcpCheck {
  if (typeof raw === "number" || !raw.includes(":")) return { host: defaults.readyHost, ...checkPort(raw, ports) };
  const colon = raw.lastIndexOf(":");
  const host = raw.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(raw.slice(colon + 1)) };
}

function toHttpCheck(raw: NonNullable<RawReady["http"]>, ports: readonly ServicePort[]): HttpCheck {
  if (typeof raw === "string" && raw.startsWith("http://")) {
    const url = new URL(raw);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port === "" ? 80 : Number(url.port);
    const path = `${url.pathname}${url.search}`;
    return { host, port, path, status: defaults.httpStatus, url: url.href };
  }
  // A bare port (or a port's name) is the long form with every default.
  const form = typeof raw === "object" ? raw : { port: raw };
  const host = form.host ?? defaults.readyHost;
  const path = form.path ?? defaults.httpPath;
  const status = form.status === undefined ? defaults.httpStatus : toStatusRanges(form.status);
  const port = checkPort(form.port, ports);
  return { host, ...port, path, status, url: httpCheckUrl(host, port.port, path) };
}

function toStatusRanges(raw: RawHttpStatus | RawHttpStatus[]): StatusRange[] {
  return (Array.isArray(raw) ? raw : [raw]).map((status) => {
    const text = String(status);
    const wildcards = text.length - text.replace(/x/g, "").length;
    const min = Number(text.replace(/x/g, "0"));
    return { min, max: min + 10 ** wildcards - 1 };
  });
}

/** The service's `logs` over the project's, key by key, over the defaults. */
function normaliseLogs(service: RawLogs | undefined, project: RawLogs | undefined): LogRotation {
  const maxSize = service?.max_size ?? project?.max_size;
  return {
    maxSize: maxSize === undefined ? defaults.logMaxSize : (parseSize(maxSize) as number),
    maxFiles: service?.max_files ?? project?.max_files ?? defaults.logMaxFiles,
  };
}

function normaliseRestart(raw: RawService["restart"]): RestartPolicy {
  const base: RestartPolicy = {
    policy: "no",
    maxRestarts: Infinity,
    backoffMs: defaults.restartBackoffMs,
    maxBackoffMs: defaults.restartMaxBackoffMs,
    minUptimeMs: defaults.restartMinUptimeMs,
  };
  if (raw === undefined) return base;
  if (typeof raw === "string") {
    const [policy, max] = raw.split(":") as [RestartPolicy["policy"], string | undefined];
    return { ...base, policy, maxRestarts: max === undefined ? Infinity : Number(max) };
  }
  return {
    policy: raw.policy,
    maxRestarts: raw.max_restarts ?? Infinity,
    backoffMs: duration(raw.backoff, base.backoffMs),
    maxBackoffMs: duration(raw.max_backoff, base.maxBackoffMs),
    minUptimeMs: duration(raw.min_uptime, base.minUptimeMs),
  };
}
