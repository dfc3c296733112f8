import { defaults } from "../defaults.js";
import type { Service, ServicePort } from "../manifest/types.js";
import { isPortFree, pickFreePort } from "../readiness/free-port.js";

/** A service's ports for a run, by name, and its URL; what its dependents read. */
export interface ServiceAddress {
  ports: Record<string, number>;
  /** `http://127.0.0.1:PORT` of its port named `http`, else of its first; none without ports. */
  url?: string;
}

/** An `auto` port that could not be kept: it was taken, and the run gets another. */
export interface PortMove {
  port: string;
  taken: number;
  next: number;
}

/** How sbx finds and checks free ports: the machine's, by default; tests may give others. */
export interface PortSource {
  pick(): Promise<number>;
  isFree(port: number): Promise<boolean>;
}

const machinePorts: PortSource = { pick: pickFreePort, isFree: isPortFree };

/**
 * The `auto` ports this process has handed out, whatever project they went to: the OS may give the
 * same free port to two binds in a row, so that two services of this process (of one project or of
 * two up() stacks) would get one port. A port stays reserved until its project lets it go.
 */
const reserved = new Set<number>();

/**
 * The ports of a project's services: fixed ones as declared, `auto` ones picked free before a
 * service's first run and kept across its runs (restarts, `sbx restart`, a changed definition
 * applied by `up -d`) while no other process has taken them; a taken one is replaced, and told.
 */
export class PortAssignments {
  private readonly assigned = new Map<string, { declared: readonly ServicePort[]; ports: Record<string, number> }>();

  constructor(private readonly source: PortSource = machinePorts) {}

  /** The ports for the service's next run, and the `auto` ones that had to move because another process holds them now. */
  async assign(service: Service): Promise<{ ports: Record<string, number>; moved: PortMove[] }> {
    return this.choose(service, () => true);
  }

  /** New ports for the service's `auto` ones (a run failed as one was in use): those taken now, or all when none seems taken. */
  async reassign(service: Service): Promise<{ ports: Record<string, number>; moved: PortMove[] }> {
    const before = this.assigned.get(service.name)?.ports ?? {};
    const auto = service.ports.filter((p) => p.port === "auto" && before[p.name] !== undefined);
    const takenNow = new Set<string>();
    for (const port of auto) if (!(await this.source.isFree(before[port.name] as number))) takenNow.add(port.name);
    return this.choose(service, (name) => (takenNow.size === 0 ? false : !takenNow.has(name)));
  }

  /** The service's ports and URL as last assigned; undefined before its first run. */
  addressOf(service: string): ServiceAddress | undefined {
    const entry = this.assigned.get(service);
    if (!entry) return undefined;
    const url = serviceUrl(entry.declared, entry.ports);
    return { ports: { ...entry.ports }, ...(url === undefined ? {} : { url }) };
  }

  /** The service leaves the project: its `auto` ports may go to others. */
  release(service: string): void {
    const entry = this.assigned.get(service);
    if (!entry) return;
    for (const port of entry.declared) if (port.port === "auto") reserved.delete(entry.ports[port.name] as number);
    this.assigned.delete(service);
  }

  releaseAll(): void {
    for (const service of [...this.assigned.keys()]) this.release(service);
  }

  /** Fixed ports as declared; each `auto` one kept when `mayKeep` says so and it is still free, else a new free one. */
  private async choose(service: Service, mayKeep: (name: string) => boolean): Promise<{ ports: Record<string, number>; moved: PortMove[] }> {
    const before = this.assigned.get(service.name);
    const ports: Record<string, number> = {};
    const moved: PortMove[] = [];
    const mine = new Set<number>();
    for (const port of service.ports) {
      if (port.port !== "auto") {
        ports[port.name] = port.port;
        continue;
      }
      const previous = before?.ports[port.name];
      const wasAuto = before?.declared.some((p) => p.name === port.name && p.port === "auto") === true;
      if (previous !== undefined && wasAuto && mayKeep(port.name) && (await this.source.isFree(previous))) {
        ports[port.name] = previous;
        mine.add(previous);
        continue;
      }
      const next = await this.freshPort();
      ports[port.name] = next;
      mine.add(next);
      if (previous !== undefined && wasAuto) moved.push({ port: port.name, taken: previous, next });
    }
    // What it held before and holds no more goes back.
    if (before) for (const port of before.declared) if (port.port === "auto" && !mine.has(before.ports[port.name] as number)) reserved.delete(before.ports[port.name] as number);
    this.assigned.set(service.name, { declared: service.ports, ports });
    return { ports, moved };
  }

  /** A free port that no service of this process holds, reserved for the caller. */
  private async freshPort(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const port = await this.source.pick();
      if (!reserved.has(port) || attempt >= defaults.portPickAttempts) {
        reserved.add(port);
        return port;
      }
    }
  }
}

/** `http://127.0.0.1:PORT` of the port named `http`, else of the first declared; undefined without ports. */
export function serviceUrl(declared: readonly ServicePort[], ports: Readonly<Record<string, number>>): string | undefined {
  const chosen = declared.find((p) => p.name === "http") ?? declared[0];
  const port = chosen === undefined ? undefined : ports[chosen.name];
  return port === undefined ? undefined : `http://127.0.0.1:${port}`;
}
