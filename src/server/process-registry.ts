import { ProcessExistsError, ProcessNotFoundError } from "../api/errors.js";
import type { Sandbox } from "../api/sandbox.js";
import { ServiceProcess } from "../api/service-process.js";
import type { ExecOptions, ExecResult, Process, StartProcessOptions } from "../api/types.js";
import type { Orchestrator } from "../engine/orchestrator.js";

/**
 * Every process of a running project behind one interface, for Sandbox.connect(): its services
 * (id = the service's name) and the processes clients started in it.
 */
export class ProcessRegistry {
  private readonly services: Map<string, ServiceProcess>;

  constructor(
    private readonly orchestrator: Orchestrator,
    readonly sandbox: Sandbox,
    /** Told when a started process begins or ends, so that the state file records it. */
    private readonly changed: () => void = () => {},
  ) {
    this.services = new Map(orchestrator.selection.services.map((s) => [s.name, new ServiceProcess(orchestrator, s)]));
  }

  async list(): Promise<Process[]> {
    return [...this.services.values(), ...(await this.sandbox.listProcesses())];
  }

  /** The service or started process with this id; throws ProcessNotFoundError. */
  async get(id: string): Promise<Process> {
    const found = this.services.get(id) ?? (await this.sandbox.getProcess(id));
    if (!found) throw new ProcessNotFoundError(id);
    return found;
  }

  /** Forgets the started processes that have ended; a service is never forgotten. */
  cleanup(): Promise<number> {
    return this.sandbox.cleanupCompletedProcesses();
  }

  async start(command: string | string[], options: StartProcessOptions): Promise<Process> {
    if (options.processId !== undefined && this.services.has(options.processId)) throw new ProcessExistsError(options.processId);
    const started = await this.sandbox.startProcess(command, options);
    this.changed();
    void started.waitForExit().then(() => this.changed());
    return started;
  }

  /** A service is stopped as `sbx stop` does it; a started process killed with `signal`. */
  async kill(id: string, signal: NodeJS.Signals = "SIGTERM"): Promise<Process> {
    const service = this.services.get(id);
    if (service) await this.orchestrator.stopService(id);
    else await this.sandbox.killProcess(id, signal);
    return this.get(id);
  }

  async stream(id: string, afterSeq: number): Promise<ReadableStream<Uint8Array>> {
    const service = this.services.get(id);
    if (service) return service.logStream(afterSeq);
    return this.sandbox.streamProcessLogs(id, { lastEventId: String(afterSeq) });
  }

  exec(command: string | string[], options: ExecOptions): Promise<ExecResult> {
    return this.sandbox.exec(command, options);
  }
}
