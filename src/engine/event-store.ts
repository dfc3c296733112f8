import { BehaviorSubject, Subject, type Observable } from "rxjs";
import type { ServiceEvent } from "./events.js";
import { applyEvent, initialState, type ServiceState } from "./service-state.js";

/**
 * Where the engine's events are published, and the services' states folded from them. The state
 * is updated before an event goes out, so a subscriber that reads the state on an event sees it
 * already applied. Only the engine publishes; everyone else gets read-only Observables.
 */
export class EventStore {
  private readonly eventsSubject = new Subject<ServiceEvent>();
  private readonly statesSubject: BehaviorSubject<ReadonlyMap<string, ServiceState>>;

  readonly events$: Observable<ServiceEvent>;
  readonly states$: Observable<ReadonlyMap<string, ServiceState>>;

  constructor(services: readonly string[]) {
    this.statesSubject = new BehaviorSubject<ReadonlyMap<string, ServiceState>>(new Map(services.map((name) => [name, initialState(name)])));
    this.events$ = this.eventsSubject.asObservable();
    this.states$ = this.statesSubject.asObservable();
  }

  publish(event: ServiceEvent): void {
    const states = new Map(this.statesSubject.value);
    // A service no longer in the manifest has no state any more: it is no part of the project.
    if (event.type === "removed") states.delete(event.service);
    else states.set(event.service, applyEvent(states.get(event.service) ?? initialState(event.service), event));
    this.statesSubject.next(states);
    this.eventsSubject.next(event);
  }

  /**
   * Tells an event that no service's state holds (what `watch` saw and did), without folding it:
   * its `service` may name a replicated service as a whole (`api`), which has no state of its own.
   */
  announce(event: ServiceEvent): void {
    this.eventsSubject.next(event);
  }

  state(service: string): ServiceState | undefined {
    return this.statesSubject.value.get(service);
  }

  get states(): ReadonlyMap<string, ServiceState> {
    return this.statesSubject.value;
  }

  complete(): void {
    this.eventsSubject.complete();
    this.statesSubject.complete();
  }
}
