import { filter, firstValueFrom } from "rxjs";
import type { Orchestrator } from "../../src/engine/orchestrator.js";
import type { ServiceState } from "../../src/engine/service-state.js";
import type { LogLine } from "../../src/process/log-line.js";

// Waits for what the engine tells, instead of polling or sleeping: each resolves on the event itself.

/** The first line of `service` that includes `text`, printed before the call or after. */
export function lineOf(orchestrator: Orchestrator, service: string, text: string): Promise<LogLine> {
  const log = orchestrator.serviceLog(service);
  if (!log) throw new Error(`no service ${service}`);
  return firstValueFrom(log.since$(0).pipe(filter((line) => line.text.includes(text))));
}

/** The state of `service` once `holds` holds for it, now or later. */
export async function stateOf(orchestrator: Orchestrator, service: string, holds: (state: ServiceState) => boolean): Promise<ServiceState> {
  const matches = (state: ServiceState | undefined): state is ServiceState => state !== undefined && holds(state);
  const states = await firstValueFrom(orchestrator.states$.pipe(filter((all) => matches(all.get(service)))));
  return states.get(service) as ServiceState;
}
