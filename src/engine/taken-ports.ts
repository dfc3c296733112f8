import type { Service } from "../manifest/types.js";
import { portTaken, type Failure } from "./failures.js";
import type { ServiceRuntime } from "./runtime.js";

/** A port that a service's `tcp` or `http` check names, held by a program that is not the project's own. */
export interface TakenPort {
  service: string;
  port: number;
  failure: Failure;
}

/** Whether the service names a port in a `tcp` or `http` check. */
export function declaresPorts(service: Service): boolean {
  return service.ready?.tcp !== undefined || service.ready?.http !== undefined;
}

/** The first port of the service's checks that a program outside `ownPids` holds. */
export async function takenPort(service: Service, runtime: ServiceRuntime, ownPids: ReadonlySet<number>): Promise<TakenPort | undefined> {
  for (const check of [service.ready?.tcp, service.ready?.http]) {
    // Port 0: a check of an `auto` port, which is free by construction once it is picked.
    if (check === undefined || check.port === 0) continue;
    const holder = await runtime.portHolder(check.host, check.port, ownPids);
    if (holder !== undefined) return { service: service.name, port: check.port, failure: portTaken(service.name, check.port, holder) };
  }
  return undefined;
}

/** The taken ports of every service given, all checked at once, in the services' order. */
export async function takenPorts(services: readonly Service[], runtime: ServiceRuntime, ownPids: ReadonlySet<number>): Promise<TakenPort[]> {
  const found = await Promise.all(services.map((service) => takenPort(service, runtime, ownPids)));
  return found.filter((taken): taken is TakenPort => taken !== undefined);
}
