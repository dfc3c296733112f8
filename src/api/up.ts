import { SbxError } from "../errors.js";
import { selectServices } from "../graph/select-services.js";
import { loadProject } from "../manifest/load-project.js";
import { ProjectSupervisor } from "../server/project-supervisor.js";
import { ServiceProcess } from "./service-process.js";
import type { Process, ProcessLogs } from "./types.js";

export interface UpOptions {
  /** The manifest, or several merged in order; default: sandbox.yaml found from `cwd` upward. */
  file?: string | readonly string[];
  /** Where to look for the manifest; default: the current directory. */
  cwd?: string;
  /** Start only these (and what they depend on); default: all. */
  services?: readonly string[];
  /** Variables for interpolation and for the services, on top of this process's environment. */
  env?: Record<string, string | undefined>;
  profiles?: readonly string[];
  /**
   * How long to wait for every service to be ready, in milliseconds; then up() tears down and
   * rejects naming each service not ready and why. Without it, each service's own `ready.timeout`
   * (counted from its first start, restarts included) is the limit.
   */
  timeout?: number;
  /** Aborting it while the services come up tears down what started and rejects (code `ABORTED`). */
  signal?: AbortSignal;
}

/** A stack that up() brought up: its services as processes, and down(). */
export interface Stack extends AsyncDisposable {
  readonly name: string;
  readonly services: readonly string[];
  /** A service as a Process (pid, status, waitForPort, waitForLog, getLogs…). */
  process(name: string): Process;
  logs(name: string): Promise<ProcessLogs>;
  /** Stops every service, dependents first, whole trees. Calling it again does nothing. */
  down(): Promise<void>;
}

/**
 * Brings a manifest's services up for a test: resolves once every selected service is ready,
 * rejects (having torn down what it started) with the failing service's name, exit code and last
 * lines, or when `timeout` passes or `signal` aborts first. A watchdog ends the services if the test runner dies without calling down().
 *
 * ```ts
 * await using stack = await up({ file: "sandbox.yaml", services: ["api"] });
 * ```
 */
export async function up(options: UpOptions = {}): Promise<Stack> {
  const files = options.file === undefined ? [] : typeof options.file === "string" ? [options.file] : [...options.file];
  const project = loadProject({ files, ...(options.cwd ? { cwd: options.cwd } : {}), env: { ...process.env, ...options.env } });
  const selection = selectServices(project, { ...(options.services ? { services: options.services } : {}), ...(options.profiles ? { profiles: options.profiles } : {}) });
  // `env` reaches the services as if it were in this process's environment: under the manifest's own.
  const baseEnvironment = Object.fromEntries(Object.entries(options.env ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const supervisor = await ProjectSupervisor.open(project, selection, { baseEnvironment, kind: "api" });
  const orchestrator = supervisor.orchestrator;
  const running = orchestrator.run();
  let downed: Promise<void> | undefined;
  const down = (): Promise<void> => {
    downed ??= (async () => {
      await orchestrator.stop();
      await running;
      await orchestrator.close();
      await supervisor.close();
    })();
    return downed;
  };
  try {
    await orchestrator.whenReady(undefined, { ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    await down();
    throw error;
  }
  const services = selection.services.map((s) => s.name);
  const handles = new Map(selection.services.map((s) => [s.name, new ServiceProcess(orchestrator, s)]));
  const handle = (name: string): ServiceProcess => {
    const found = handles.get(name);
    if (!found) throw new SbxError("UNKNOWN_SERVICE", `no service "${name}" in this stack (it has ${services.join(", ")})`, { service: name });
    return found;
  };
  return {
    name: project.name,
    services,
    process: handle,
    logs: (name) => handle(name).getLogs(),
    down,
    [Symbol.asyncDispose]: down,
  };
}
