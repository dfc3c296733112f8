/**
 * The resolved project: what the loader hands to the graph and the engine.
 * Everything is interpolated, defaulted and in canonical form (durations in
 * milliseconds, short forms expanded, regular expressions compiled).
 */

import type { SourceLocation } from "../errors.js";

export type { SourceLocation };

/**
 * The program and options that run a command string, the script being added as the last argument:
 * `["/usr/bin/bash", "-c"]` runs `bash -c SCRIPT`. Decided once, when the command is made
 * (manifest/shell.ts), so that whoever spawns a Command needs nothing else.
 */
export type Shell = readonly [string, ...string[]];

/** A command: a string run by its shell (bash where installed), or an argument list executed directly. */
export type Command =
  | { kind: "shell"; script: string; shell: Shell }
  | { kind: "exec"; argv: [string, ...string[]] };

export type DependencyCondition = "service_started" | "service_healthy" | "service_completed_successfully";

/**
 * One running copy of a declared service: `replicas: 3` makes replicas 0, 1 and 2 of it. The
 * instance's name (what the engine, ps and the logs know it by) is made from it by
 * graph/instances.ts alone: `api` for a service of one instance, `api.0`, `api.1` … otherwise.
 */
export interface InstanceId {
  service: string;
  replica: number;
}

export interface Dependency {
  /** The service waited for; once instances are made, the instance's name. */
  service: string;
  /** Once instances are made: the instance of a declared service that `service` names. */
  instance?: InstanceId;
  condition: DependencyCondition;
  /** When false, the dependency is waited for only if it is part of the run. */
  required: boolean;
  /** This service is restarted after `watch` restarts the dependency (compose's `depends_on.restart`). */
  restart?: true;
}

/** An inclusive range of HTTP statuses; `200` is `{ min: 200, max: 200 }`, `2xx` is `{ min: 200, max: 299 }`. */
export interface StatusRange {
  min: number;
  max: number;
}

/** A port the service declares: a fixed number, or `auto`, a free port sbx picks before it starts. */
export interface ServicePort {
  name: string;
  port: number | "auto";
}

export interface TcpCheck {
  host: string;
  /** 0 until the run's ports are known, for a check that names an `auto` port. */
  port: number;
  /** The name of the service's port it checks, when it names one. */
  portName?: string;
}

export interface HttpCheck {
  host: string;
  /** 0 until the run's ports are known, for a check that names an `auto` port. */
  port: number;
  /** The name of the service's port it checks, when it names one. */
  portName?: string;
  path: string;
  status: readonly StatusRange[];
  /** The URL probed, for messages; made again once an `auto` port is known. */
  url: string;
}

export interface LogCheck {
  pattern: RegExp;
}

export interface ReadySpec {
  tcp?: TcpCheck;
  http?: HttpCheck;
  log?: LogCheck;
  exec?: Command;
  /** Ready when the service sends READY=1 to its NOTIFY_SOCKET. */
  notify?: true;
  /** With notify: once ready, a WATCHDOG=1 must come at least this often, else the run fails. */
  watchdogMs?: number;
  timeoutMs: number;
  intervalMs: number;
}

/**
 * Checks that go on after the service is ready (`health:`): the ready check kinds that can be asked
 * again (tcp, http, exec; a log line cannot), every `intervalMs`, each attempt given `timeoutMs`;
 * `retries` failures in a row make the service unhealthy.
 */
export interface HealthSpec {
  tcp?: TcpCheck;
  http?: HttpCheck;
  exec?: Command;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
}

/**
 * What `sbx up --watch` does when files under `paths` change (`watch:`): restart the service, or
 * first run `command` (a build) and restart it only if that exits 0. Changes within `debounceMs`
 * of each other count as one.
 */
export interface WatchSpec {
  /** Absolute: resolved from the service's working directory. */
  paths: string[];
  /** `.gitignore` patterns, matched against paths relative to the service's working directory. */
  ignore: string[];
  action: "restart" | "exec";
  /** With `action: exec`: run in the service's environment and working directory before the restart. */
  command?: Command;
  debounceMs: number;
}

export type RestartPolicyName = "no" | "on-failure" | "always" | "unless-stopped";

export interface RestartPolicy {
  policy: RestartPolicyName;
  /** `Infinity` when there is no limit. */
  maxRestarts: number;
  backoffMs: number;
  maxBackoffMs: number;
  minUptimeMs: number;
}

/** How a service's log file is rotated: past `maxSize` bytes, keeping `maxFiles` files in all (the current one included). */
export interface LogRotation {
  maxSize: number;
  maxFiles: number;
}

/**
 * The user a service runs as (`user:`), resolved when the manifest is loaded. Whoever spawns the
 * service's processes passes `uid` and `gid` to spawn(); sbx has checked that it may (it runs as
 * root, or these are its own ids).
 */
export interface ServiceUser {
  uid: number;
  gid: number;
  /** The user's name in /etc/passwd; none for a uid that has no entry there. */
  name?: string;
  /** The user's home directory in /etc/passwd: the service's HOME. */
  home?: string;
  /** As the manifest writes it (`postgres`, `999:999`): what an export to another machine can carry over. */
  written?: string;
}

/** Where a service's variables come from, in the order they apply (a later source wins): what an export keeps apart. */
export type EnvironmentSource =
  | { kind: "file"; /** Absolute. */ path: string; secret: boolean; variables: Record<string, string> }
  | { kind: "inline"; variables: Record<string, string> };

/** A Kubernetes resource list: `{ cpu: "500m", memory: "256Mi" }`. */
export interface KubernetesResourceList {
  cpu?: string | number;
  memory?: string | number;
}

/** A service's `kubernetes:` block, for `sbx export kubernetes`; sbx up ignores it. */
export interface KubernetesServiceSettings {
  image?: string;
  /** The container port of some of its ports, by name. */
  ports: Record<string, number>;
  replicas?: number;
  workload?: "deployment" | "job";
  resources?: { requests?: KubernetesResourceList; limits?: KubernetesResourceList };
}

/** The project's `kubernetes:` block, for `sbx export kubernetes`. */
export interface KubernetesProjectSettings {
  image?: string;
  registry?: string;
  namespace?: string;
  workdir?: string;
  waitImage?: string;
  kubectlImage?: string;
}

export interface Service {
  name: string;
  command: Command;
  /** Absolute. */
  workingDir: string;
  /** The service's own variables: project `env_file`, project `environment`, service `env_file`, service `environment`, later ones winning. */
  environment: Record<string, string>;
  dependsOn: Dependency[];
  /**
   * In the order declared. Until a run's ports are known, `environment`, `command` and
   * `ready.exec` may hold runtime values (`${ports.http}`, `${services.api.url}`: runtime-refs.ts).
   */
  ports: ServicePort[];
  ready?: ReadySpec;
  /** Checks that go on once it is ready. */
  health?: HealthSpec;
  /** What `sbx up --watch` watches for it. */
  watch?: WatchSpec;
  restart: RestartPolicy;
  stopSignal: NodeJS.Signals;
  stopGracePeriodMs: number;
  /** Stop the service after it has run this long. */
  timeoutMs?: number;
  /** The project's `logs`, overridden key by key by the service's. */
  logs: LogRotation;
  profiles: string[];
  /** Another user to run as; none: sbx's own. */
  user?: ServiceUser;
  /** How many instances run (`replicas`); none declared: one. */
  replicas?: number;
  /** Once instances are made (graph/instances.ts): which instance of which declared service this is. */
  instance?: InstanceId;
  /** The sources `environment` was made from (project env_file, project environment, service env_file, service environment). */
  environmentSources?: EnvironmentSource[];
  kubernetes?: KubernetesServiceSettings;
  /** Where the service is declared. */
  source: SourceLocation;
}

export interface Project {
  name: string;
  /** The project's `shell` key, or the default: what runs a command string no service's own `shell` covers. */
  shell: Shell;
  /** The directory of the first manifest: relative paths and `.sbx/` are resolved from it. */
  dir: string;
  /** The manifest files, in merge order. */
  files: string[];
  /** In declaration order. */
  services: ReadonlyMap<string, Service>;
  /** Problems that do not stop the load, such as an unset variable replaced by an empty string. */
  warnings: string[];
  kubernetes?: KubernetesProjectSettings;
}
