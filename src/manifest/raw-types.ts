/**
 * The manifest as written, once it has passed schemas/sandbox.schema.json (and interpolation).
 * test/manifest/schema-types.test.ts keeps these keys and the schema's in step.
 */

export type RawDuration = string | number;
export type RawCommand = string | string[];
/** A program (run as PROGRAM -c SCRIPT), or the program and its options, the script added last. */
export type RawShell = string | string[];
export type RawEnvironment = Record<string, string | number | boolean | null> | string[];
export type RawEnvFileEntry = string | { path: string; required?: boolean; secret?: boolean };
export type RawEnvFile = RawEnvFileEntry | RawEnvFileEntry[];
export type RawHttpStatus = number | string;
export type RawSize = string | number;

export interface RawLogs {
  max_size?: RawSize;
  max_files?: number;
}

export interface RawDependency {
  condition?: "service_started" | "service_healthy" | "service_ready" | "service_completed_successfully";
  required?: boolean;
  restart?: boolean;
}

/** A port number, or `auto`: a free port that sbx picks. */
export type RawPort = number | "auto";

export interface RawReady {
  /** A port, a port's name, or "host:port". */
  tcp?: number | string;
  /** A URL, a port or a port's name, or the long form (whose port may be a name). */
  http?: string | number | { port: number | string; host?: string; path?: string; status?: RawHttpStatus | RawHttpStatus[] };
  log?: string;
  exec?: RawCommand;
  notify?: boolean;
  watchdog?: RawDuration;
  timeout?: RawDuration;
  interval?: RawDuration;
}

/** The ready check kinds that can be asked again, and how often. */
export interface RawHealth {
  tcp?: RawReady["tcp"];
  http?: RawReady["http"];
  exec?: RawCommand;
  interval?: RawDuration;
  timeout?: RawDuration;
  retries?: number;
}

/** Files whose changes restart the service under `sbx up --watch`. */
export interface RawWatch {
  paths: string[];
  ignore?: string[];
  action?: "restart" | "exec";
  command?: RawCommand;
  debounce?: RawDuration;
}

export interface RawRestart {
  policy: "no" | "on-failure" | "always" | "unless-stopped";
  max_restarts?: number;
  backoff?: RawDuration;
  max_backoff?: RawDuration;
  min_uptime?: RawDuration;
}

export type RawQuantity = string | number;

export interface RawResourceList {
  cpu?: RawQuantity;
  memory?: RawQuantity;
}

/** The project's `kubernetes:` block, read by `sbx export kubernetes` alone. */
export interface RawKubernetesProject {
  image?: string;
  registry?: string;
  namespace?: string;
  workdir?: string;
  wait_image?: string;
  kubectl_image?: string;
}

/** A service's `kubernetes:` block, read by `sbx export kubernetes` alone. */
export interface RawKubernetesService {
  image?: string;
  ports?: Record<string, number | string>;
  replicas?: number;
  workload?: "deployment" | "job";
  resources?: { requests?: RawResourceList; limits?: RawResourceList };
}

export interface RawService {
  command: RawCommand;
  working_dir?: string;
  environment?: RawEnvironment;
  env_file?: RawEnvFile;
  depends_on?: string[] | Record<string, RawDependency>;
  ready?: RawReady;
  health?: RawHealth;
  watch?: RawWatch;
  restart?: string | RawRestart;
  stop_signal?: string;
  stop_grace_period?: RawDuration;
  timeout?: RawDuration;
  logs?: RawLogs;
  profiles?: string[];
  /** By name; a quoted number still counts as a number. */
  ports?: Record<string, RawPort | string>;
  shell?: RawShell;
  /** NAME, UID, NAME:GROUP or UID:GID. */
  user?: string | number;
  replicas?: number;
  kubernetes?: RawKubernetesService;
}

export interface RawManifest {
  name?: string;
  shell?: RawShell;
  environment?: RawEnvironment;
  env_file?: RawEnvFile;
  logs?: RawLogs;
  kubernetes?: RawKubernetesProject;
  services: Record<string, RawService>;
}

/**
 * The keys of each raw type, as values: the compiler makes each list complete and exact, and a
 * test compares them with the schema's properties, so the types and the schema cannot drift apart.
 */
export const rawKeys = {
  manifest: { name: true, shell: true, environment: true, env_file: true, logs: true, kubernetes: true, services: true } satisfies Record<keyof RawManifest, true>,
  service: {
    command: true,
    working_dir: true,
    environment: true,
    env_file: true,
    depends_on: true,
    ready: true,
    health: true,
    watch: true,
    restart: true,
    stop_signal: true,
    stop_grace_period: true,
    timeout: true,
    logs: true,
    profiles: true,
    ports: true,
    shell: true,
    user: true,
    replicas: true,
    kubernetes: true,
  } satisfies Record<keyof RawService, true>,
  ready: { tcp: true, http: true, log: true, exec: true, notify: true, watchdog: true, timeout: true, interval: true } satisfies Record<keyof RawReady, true>,
  health: { tcp: true, http: true, exec: true, interval: true, timeout: true, retries: true } satisfies Record<keyof RawHealth, true>,
  watch: { paths: true, ignore: true, action: true, command: true, debounce: true } satisfies Record<keyof RawWatch, true>,
  restart: { policy: true, max_restarts: true, backoff: true, max_backoff: true, min_uptime: true } satisfies Record<keyof RawRestart, true>,
  dependency: { condition: true, required: true, restart: true } satisfies Record<keyof RawDependency, true>,
  logs: { max_size: true, max_files: true } satisfies Record<keyof RawLogs, true>,
  kubernetesProject: { image: true, registry: true, namespace: true, workdir: true, wait_image: true, kubectl_image: true } satisfies Record<keyof RawKubernetesProject, true>,
  kubernetesService: { image: true, ports: true, replicas: true, workload: true, resources: true } satisfies Record<keyof RawKubernetesService, true>,
} as const;
