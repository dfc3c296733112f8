import { Document, isScalar, parseDocument, Scalar, visit } from "yaml";
import { formatDuration } from "./duration.js";
import { escapeForConfig } from "./runtime-refs.js";
import { formatSize } from "./size.js";
import type {
  Command,
  HealthSpec,
  HttpCheck,
  KubernetesProjectSettings,
  KubernetesServiceSettings,
  Project,
  ReadySpec,
  RestartPolicy,
  Service,
  Shell,
  StatusRange,
  WatchSpec,
} from "./types.js";

/**
 * The resolved project in the manifest's own shape (`sbx config`): interpolated, every default
 * written out, durations readable. It is itself a valid manifest that loads to the same project:
 * a `$` in a value is written `$$`, as compose's config writes it, since loading interpolates.
 */
export function toConfigView(project: Project): Record<string, unknown> {
  const services = Object.fromEntries([...project.services.values()].map((service) => [service.name, serviceView(service)]));
  const kubernetes = project.kubernetes && kubernetesProjectView(project.kubernetes);
  return escapeDollars({ name: project.name, ...(kubernetes ? { kubernetes } : {}), services }) as Record<string, unknown>;
}

/**
 * The view as YAML that every reader reads back as the same strings. The yaml package quotes what
 * YAML 1.2 would read as something else ("8080", "null"); this also quotes what YAML 1.1 would
 * (no, on, y, 1:30, 1_000, 2001-12-14), as compose users' tools and editors may read 1.1.
 */
export function toConfigYaml(view: Record<string, unknown>): string {
  const doc = new Document(view);
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === "string" && readsAsOtherThanString(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

function readsAsOtherThanString(text: string): boolean {
  const doc = parseDocument(text, { version: "1.1" });
  return isScalar(doc.contents) && typeof doc.contents.value !== "string";
}

/** Every string value (not the keys: they are not interpolated) with `$` written `$$`, runtime values (`${ports.http}`) excepted. */
function escapeDollars(value: unknown): unknown {
  if (typeof value === "string") return escapeForConfig(value);
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, escapeDollars(item)]));
  }
  return value;
}

function serviceView(service: Service): Record<string, unknown> {
  const shell = shellOf(service);
  return {
    command: commandView(service.command),
    ...(shell ? { shell: [...shell] } : {}),
    // As resolved: the ids the service runs with, which load back to the same user.
    ...(service.user ? { user: `${service.user.uid}:${service.user.gid}` } : {}),
    working_dir: service.workingDir,
    environment: service.environment,
    ...(service.dependsOn.length > 0
      ? { depends_on: Object.fromEntries(service.dependsOn.map((d) => [d.service, { condition: d.condition, required: d.required, ...(d.restart ? { restart: true } : {}) }])) }
      : {}),
    ...(service.ports.length > 0 ? { ports: Object.fromEntries(service.ports.map((p) => [p.name, p.port])) } : {}),
    ...(service.ready ? { ready: readyView(service.ready) } : {}),
    ...(service.health ? { health: healthView(service.health) } : {}),
    ...(service.watch ? { watch: watchView(service.watch) } : {}),
    restart: restartView(service.restart),
    stop_signal: service.stopSignal,
    stop_grace_period: formatDuration(service.stopGracePeriodMs),
    ...(service.timeoutMs === undefined ? {} : { timeout: formatDuration(service.timeoutMs) }),
    logs: { max_size: formatSize(service.logs.maxSize), max_files: service.logs.maxFiles },
    ...(service.profiles.length > 0 ? { profiles: service.profiles } : {}),
    ...(service.replicas === undefined ? {} : { replicas: service.replicas }),
    ...(service.kubernetes ? { kubernetes: kubernetesServiceView(service.kubernetes) } : {}),
  };
}

/** `sbx export kubernetes`'s settings, under the manifest's names. */
function kubernetesProjectView(settings: KubernetesProjectSettings): Record<string, unknown> {
  const { waitImage, kubectlImage, ...same } = settings;
  return { ...same, ...(waitImage === undefined ? {} : { wait_image: waitImage }), ...(kubectlImage === undefined ? {} : { kubectl_image: kubectlImage }) };
}

function kubernetesServiceView(settings: KubernetesServiceSettings): Record<string, unknown> {
  const { ports, ...rest } = settings;
  return { ...rest, ...(Object.keys(ports).length > 0 ? { ports } : {}) };
}

/** The shell the service's command strings run in, found: none when it has only argument lists. */
function shellOf(service: Service): Shell | undefined {
  for (const command of [service.command, service.ready?.exec, service.health?.exec, service.watch?.command]) if (command?.kind === "shell") return command.shell;
  return undefined;
}

function commandView(command: Command): string | string[] {
  return command.kind === "shell" ? command.script : command.argv;
}

function watchView(watch: WatchSpec): Record<string, unknown> {
  return {
    paths: watch.paths,
    ...(watch.ignore.length > 0 ? { ignore: watch.ignore } : {}),
    action: watch.action,
    ...(watch.command ? { command: commandView(watch.command) } : {}),
    debounce: formatDuration(watch.debounceMs),
  };
}

function readyView(ready: ReadySpec): Record<string, unknown> {
  return {
    ...(ready.tcp ? { tcp: ready.tcp.portName ?? `${hostView(ready.tcp.host)}:${ready.tcp.port}` } : {}),
    ...(ready.http ? { http: httpView(ready.http) } : {}),
    ...(ready.log ? { log: ready.log.pattern.source } : {}),
    ...(ready.exec ? { exec: commandView(ready.exec) } : {}),
    ...(ready.notify ? { notify: true } : {}),
    ...(ready.watchdogMs !== undefined ? { watchdog: formatDuration(ready.watchdogMs) } : {}),
    timeout: formatDuration(ready.timeoutMs),
    interval: formatDuration(ready.intervalMs),
  };
}

function healthView(health: HealthSpec): Record<string, unknown> {
  return {
    ...(health.tcp ? { tcp: health.tcp.portName ?? `${hostView(health.tcp.host)}:${health.tcp.port}` } : {}),
    ...(health.http ? { http: httpView(health.http) } : {}),
    ...(health.exec ? { exec: commandView(health.exec) } : {}),
    interval: formatDuration(health.intervalMs),
    timeout: formatDuration(health.timeoutMs),
    retries: health.retries,
  };
}

function httpView(http: HttpCheck): Record<string, unknown> {
  return { host: http.host, port: http.portName ?? http.port, path: http.path, status: http.status.map(statusView) };
}

function statusView(range: StatusRange): number | string {
  if (range.min === range.max) return range.min;
  const wildcards = String(range.max - range.min + 1).length - 1;
  return String(range.min).slice(0, 3 - wildcards) + "x".repeat(wildcards);
}

function restartView(restart: RestartPolicy): Record<string, unknown> {
  return {
    policy: restart.policy,
    ...(Number.isFinite(restart.maxRestarts) ? { max_restarts: restart.maxRestarts } : {}),
    backoff: formatDuration(restart.backoffMs),
    max_backoff: formatDuration(restart.maxBackoffMs),
    min_uptime: formatDuration(restart.minUptimeMs),
  };
}

function hostView(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
