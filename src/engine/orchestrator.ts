import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { combineLatest, filter, firstValueFrom, map, merge, type Observable } from "rxjs";
import { defaults } from "../defaults.js";
import { SbxError } from "../errors.js";
import type { Selection } from "../graph/select-services.js";
import type { Project } from "../manifest/types.js";
import { conditionMet$ } from "./dependency-conditions.js";
import { EventStore } from "./event-store.js";
import type { ServiceEvent } from "./events.js";
import type { LogLine } from "../process/log-line.js";
import { ServiceLog } from "../process/service-log.js";
import type { ServiceState } from "./service-state.js";
import { ServiceSupervisor } from "./service-supervisor.js";
import type { ServiceRuntime } from "./runtime.js";
import { defaultRuntime } from "./default-runtime.js";

export interface OrchestratorOptions {
  /** Where each service's log file goes; default `.sbx/logs` beside the manifest. */
  logDir?: string;
  /** Lines kept in memory per service. */
  logTailLines?: number;
  runtime?: ServiceRuntime;
}

/**
 * Runs a selection of a project's services: each starts the moment its dependencies' conditions
 * hold, so independent services start in parallel; teardown goes in reverse dependency order,
 * each service stopping as soon as everything that depends on it has stopped.
 */
export class Orchestrator {
  readonly events$: Observable<ServiceEvent>;
  readonly states$: Observable<ReadonlyMap<string, ServiceState>>;
  /** Every line of every service, in the order they were read. */
  readonly lines$: Observable<LogLine>;

  private readonly store: EventStore;
  private readonly logs = new Map<string, ServiceLog>();
  private readonly supervisors = new Map<string, ServiceSupervisor>();
  private readonly halt = new AbortController();
  private running?: Promise<void>;
  private stopping?: Promise<void>;

  constructor(
    readonly project: Project,
    readonly selection: Selection,
    options: OrchestratorOptions = {},
  ) {
    const names = selection.services.map((s) => s.name);
    this.store = new EventStore(names);
    this.events$ = this.store.events$;
    this.states$ = this.store.states$;
    const runtime = options.runtime ?? defaultRuntime;
    const logDir = options.logDir ?? join(project.dir, ".sbx", "logs");
    ensureStateDirectory(join(project.dir, ".sbx"));

    for (const service of selection.services) {
      const logs = new ServiceLog(service.name, join(logDir, `${service.name}.log`), options.logTailLines ?? defaults.logTailLines);
      this.logs.set(service.name, logs);
      const dependencies = selection.graph.dependenciesOf(service.name);
      const supervisor = new ServiceSupervisor(service, {
        runtime,
        halt: this.halt.signal,
        publish: (event) => this.store.publish(event),
        dependencyNames: dependencies.map((d) => d.service),
        dependenciesMet: (signal) => waitUntil(combineLatest(dependencies.map((dep) => conditionMet$(this.states$, dep))), signal),
        lastLines: (count) => logs.tail(count).map((line) => line.text),
        linesSinceRunStart$: () => logs.sinceRunStart$(),
        markRunStart: () => logs.markRunStart(),
        onOutput: (stream, text) => logs.append(stream, text),
        ownPids: () => this.ownPids(),
      });
      this.supervisors.set(service.name, supervisor);
    }
    this.lines$ = merge(...[...this.logs.values()].map((logs) => logs.lines$));
  }

  /** Starts every service; resolves when all of them are over (completed, failed, skipped or stopped). */
  run(): Promise<void> {
    this.running ??= Promise.all([...this.supervisors.values()].map((s) => s.run())).then(() => this.closeLogs());
    return this.running;
  }

  /**
   * Resolves once every service is ready (or, for a one-shot job, completed); rejects at the first
   * that fails or is skipped, naming it with its reason and last lines.
   */
  async whenReady(): Promise<void> {
    const blocker = await firstValueFrom(
      this.states$.pipe(
        map((states): ServiceState | "pending" | "ready" => {
          const states_ = [...states.values()];
          const failed = states_.find((s) => s.status === "failed" || s.status === "skipped" || (s.status === "stopped" && !s.everReady));
          if (failed) return failed;
          return states_.every((s) => s.everReady || s.status === "completed") ? "ready" : "pending";
        }),
        filter((verdict) => verdict !== "pending"),
      ),
    );
    if (blocker === "ready") return;
    const message = blocker.status === "skipped" ? "was not started" : blocker.status === "stopped" ? "was stopped before it was ready" : "failed";
    throw new SbxError("SERVICE_FAILED", `${blocker.name} ${message}: ${blocker.reason?.message ?? blocker.status}`, {
      service: blocker.name,
      lastLogLines: blocker.reason?.lastLines ?? [],
    });
  }

  /** Stops every service, dependents before their dependencies; with `force`, SIGKILL to everything at once. */
  stop(options: { force?: boolean } = {}): Promise<void> {
    this.halt.abort();
    if (options.force) {
      return Promise.all([...this.supervisors.values()].map((s) => s.stop({ force: true }))).then(() => this.run());
    }
    this.stopping ??= this.stopInOrder().then(() => this.run());
    return this.stopping;
  }

  state(service: string): ServiceState | undefined {
    return this.store.state(service);
  }

  get states(): ReadonlyMap<string, ServiceState> {
    return this.store.states;
  }

  /** The service's log: tail, live lines, the file. */
  serviceLogs(service: string): ServiceLog | undefined {
    return this.logs.get(service);
  }

  private stopInOrder(): Promise<void> {
    const stopped = new Map<string, Promise<void>>();
    const stopOne = (name: string): Promise<void> => {
      let promise = stopped.get(name);
      if (!promise) {
        const dependents = this.selection.graph.dependentsOf(name).filter((d) => this.supervisors.has(d));
        promise = Promise.all(dependents.map(stopOne)).then(() => this.supervisors.get(name)?.stop());
        stopped.set(name, promise);
      }
      return promise;
    };
    return Promise.all([...this.supervisors.keys()].map(stopOne)).then(() => undefined);
  }

  private ownPids(): ReadonlySet<number> {
    const pids = new Set<number>();
    for (const state of this.store.states.values()) if (state.pid !== undefined) pids.add(state.pid);
    return pids;
  }

  private async closeLogs(): Promise<void> {
    await Promise.all([...this.logs.values()].map((logs) => logs.close()));
    this.store.complete();
  }
}

/** Creates `.sbx/` with a .gitignore of its own, so that its logs and state never get committed. */
function ensureStateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const ignore = join(dir, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "# Written by sbx: logs and runtime state, never to be committed.\n*\n");
}

/** Resolves on the first value; rejects with the stream's error, or when `signal` aborts. */
function waitUntil(source: Observable<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Error("aborted"));
  return new Promise((resolve, reject) => {
    const subscription = source.subscribe({
      next: () => {
        subscription?.unsubscribe();
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      error: (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    });
    const onAbort = (): void => {
      subscription.unsubscribe();
      reject(new Error("aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
