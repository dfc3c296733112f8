import { EMPTY } from "rxjs";
import type { ServiceEvent, ServiceEventType } from "../../src/engine/events.js";
import type { ServiceDependencies } from "../../src/engine/service-collaborators.js";
import { applyEvent, initialState, type ServiceState } from "../../src/engine/service-state.js";
import { ServiceSupervisor } from "../../src/engine/service-supervisor.js";
import { ServiceLog } from "../../src/process/service-log.js";
import { FakeRuntime, type Script } from "./fake-runtime.js";
import { load } from "./manifest.js";

export interface FakeService {
  supervisor: ServiceSupervisor;
  runtime: FakeRuntime;
  /** Every event it told, in order. */
  events: ServiceEvent[];
  /** Settles when its life is over. */
  life: Promise<void>;
  /** The project's teardown. */
  halt: AbortController;
  /** The types of its events, in order. */
  types(): ServiceEventType[];
  /** Its events of one type. */
  all<T extends ServiceEventType>(type: T): Extract<ServiceEvent, { type: T }>[];
  /** Its last event of one type; fails the test when there is none. */
  last<T extends ServiceEventType>(type: T): Extract<ServiceEvent, { type: T }>;
  /** Its state: the fold of its events. */
  state(): ServiceState;
}

/**
 * The first service of `yaml`, run by a ServiceSupervisor on a FakeRuntime: its processes do what
 * `script` says, and its time passes only as the test advances `runtime.clock`.
 */
export function fakeService(yaml: string, script: Script = () => {}, options: { dependencies?: ServiceDependencies } = {}): FakeService {
  const service = [...load(yaml).services.values()][0];
  if (!service) throw new Error("the manifest has no service");
  const runtime = new FakeRuntime(script);
  const events: ServiceEvent[] = [];
  const halt = new AbortController();
  const supervisor = new ServiceSupervisor(
    service,
    { output: new ServiceLog(service.name, undefined, 1_000), dependencies: options.dependencies ?? { names: [], met$: EMPTY }, runtime },
    { firstRun: 1, halt: halt.signal, publish: (event) => events.push(event), ownPids: () => new Set() },
  );
  const all = <T extends ServiceEventType>(type: T): Extract<ServiceEvent, { type: T }>[] =>
    events.filter((event): event is Extract<ServiceEvent, { type: T }> => event.type === type);
  return {
    supervisor,
    runtime,
    events,
    life: supervisor.run(),
    halt,
    types: () => events.map((event) => event.type),
    all,
    last: (type) => {
      const found = all(type).at(-1);
      if (!found) throw new Error(`no ${type} event: ${events.map((event) => event.type).join(" ")}`);
      return found;
    },
    state: () => events.reduce(applyEvent, initialState(service.name)),
  };
}
