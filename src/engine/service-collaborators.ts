import type { Observable } from "rxjs";
import type { LineBlock } from "../process/line-block.js";
import type { ServiceEvent } from "./events.js";
import type { Service } from "../manifest/types.js";
import type { PortMove, ServiceAddress } from "./port-assignments.js";
import type { ServiceRuntime } from "./runtime.js";

/** The service's output as the runner writes and reads it: its ServiceLog. */
export interface ServiceOutput {
  appendLines(stream: "stdout" | "stderr", lines: LineBlock): void;
  /** Marks where a run's output starts, so that its log check sees only its own lines. */
  markRunStart(): void;
  /** The lines of the current run so far, then the new ones. */
  sinceRunStart$(): Observable<{ text: string }>;
  /** The last lines printed, for failure reports. */
  tail(count: number): readonly { text: string }[];
}

/** What the service waits for before it starts. */
export interface ServiceDependencies {
  /** Their names, for "waiting for …"; with none the service starts at once. */
  names: readonly string[];
  /** Emits once every condition holds; errors with DependencyFailedError when one never will. */
  met$: Observable<void>;
}

/** Where the service's ports come from, and its dependencies' addresses (port-assignments.ts). */
export interface ServicePorts {
  /** The ports for its next run; `moved`: `auto` ones that another process took since its last run. */
  assign(service: Service): Promise<{ ports: Record<string, number>; moved: PortMove[] }>;
  /** New `auto` ports after a run failed with a port in use. */
  reassign(service: Service): Promise<{ ports: Record<string, number>; moved: PortMove[] }>;
  /** A service's ports and URL as its current or last run has them. */
  addressOf(service: string): ServiceAddress | undefined;
}

/** The things a runner works with, given once. */
export interface ServiceCollaborators {
  output: ServiceOutput;
  dependencies: ServiceDependencies;
  runtime: ServiceRuntime;
  /** Without it, a service's ports are its fixed ones (an `auto` one is picked by a PortAssignments of its own). */
  ports?: ServicePorts;
}

/** Where the runner stands in its project. */
export interface ProjectContext {
  /** The number of its first run: runs go on counting when a service is started again. */
  firstRun: number;
  /** Aborted when the project is being torn down: no new run or restart may begin. */
  halt: AbortSignal;
  publish(event: ServiceEvent): void;
  /** Pids of the project's own processes: a port one of them holds is not "taken by something else". */
  ownPids(): ReadonlySet<number>;
  /**
   * The project checked the ports of this service as declared a moment ago, with every other
   * service's, before launching them all: a first run that starts at once (nothing to wait for)
   * on those same ports needs no second check.
   */
  portsJustChecked?: boolean;
}
