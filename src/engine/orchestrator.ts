import { join } from "node:path";
import { filter, firstValueFrom, fromEvent, map, mergeMap, race, ReplaySubject, timer, type Observable } from "rxjs";
import { defaults } from "../defaults.js";
import { SbxError } from "../errors.js";
import { DependencyGraph } from "../graph/dependency-graph.js";
import type { Selection } from "../graph/select-services.js";
import { selectServices } from "../graph/select-services.js";
import { addressReferences, replicaConflicts } from "../manifest/check-replicas.js";
import { didYouMean } from "../manifest/did-you-mean.js";
import { instanceOf, MAX_REPLICAS, projectInstances, withReplicas } from "../manifest/instances.js";
import type { Project, Service } from "../manifest/types.js";
import type { LogLine } from "../process/log-line.js";
import { ensureStateDirectory } from "../process/private-files.js";
import { ServiceLog, type LogBatch } from "../process/service-log.js";
import { formatDuration, timerDelay } from "../manifest/duration.js";
import { planApply, type ApplyOptions, type ServiceChange } from "./apply-plan.js";
import { defaultRuntime } from "./default-runtime.js";
import { describePending } from "./describe-pending.js";
import { allConditionsMet$ } from "./dependency-conditions.js";
import { EventStore } from "./event-store.js";
import { PortAssignments, type ServiceAddress } from "./port-assignments.js";
import { ScaleOverrides } from "./scale-overrides.js";
import { dependencyAddresses, fixedPorts, resolveRun } from "./resolve-run.js";
import type { ServiceEvent } from "./events.js";
import type { ServiceRuntime } from "./runtime.js";
import type { ServiceOutput } from "./service-collaborators.js";
import { endsReadyWait, isFailedStatus, isReadyOrDone, type ServiceState } from "./service-state.js";
import { failureOf, type ServiceFailure } from "./service-failure.js";
import { ServiceSupervisor } from "./service-supervisor.js";
import { declaresPorts, takenPorts, type TakenPort } from "./taken-ports.js";

export interface OrchestratorOptions {
  /** Where each service's log file goes; default `.sbx/logs` beside the manifest. */
  logDir?: string;
  /** Lines kept in memory per service. */
  logTailLines?: number;
  runtime?: ServiceRuntime;
  /** Variables added to every service's environment, over the manifest's (the project's tags). */
  environment?: Readonly<Record<string, string>>;
  /** Variables every service gets under the manifest's own, as if sbx's environment held them (up()'s `env`). */
  baseEnvironment?: Readonly<Record<string, string>>;
  /** When this run of the project began (epoch ms), as each log file marks it; now by default. */
  runStartedAt?: number;
  /**
   * The project ends only when it is stopped, not once every service has ended on its own:
   * under `sbx up --watch` a change may start a failed or completed service again.
   */
  keepRunning?: boolean;
}

/** How a wait for the services reads their states. */
export interface ReadyWaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Judge each service by its status now (ready, or a one-shot job completed) rather than by
   * whether it was ever ready: a service started again after a stop, or restarting after a
   * crash, is waited for anew. Without it a service ready once counts as ready.
   */
  current?: boolean;
}

/**
 * Runs a selection of a project's services: each starts the moment its dependencies' conditions
 * hold, so independent services start in parallel; teardown goes in reverse dependency order,
 * each service stopping as soon as everything that depends on it has stopped. Single services
 * can be stopped, started and restarted while the rest runs, and a changed manifest applied
 * (`apply`): what changed restarts, what is new starts, what was removed stops.
 */
export class Orchestrator {
  readonly events$: Observable<ServiceEvent>;
  readonly states$: Observable<ReadonlyMap<string, ServiceState>>;
  /** Every line of every service, in the order they were read (services added by `apply` too). */
  readonly lines$: Observable<LogLine>;
  /** The same lines in the batches they were read in: for a consumer of floods, such as the terminal. */
  readonly batches$: Observable<LogBatch>;

  private readonly store: EventStore;
  private readonly runtime: ServiceRuntime;
  private readonly extraEnvironment: Readonly<Record<string, string>>;
  private readonly baseEnvironment: Readonly<Record<string, string>>;
  private readonly logDir: string;
  private readonly logTailLines: number;
  private readonly runStartedAt: number;
  private readonly keepRunning: boolean;
  private readonly logs = new Map<string, ServiceLog>();
  /** Every service log, as it is added: what lines$ and batches$ merge. */
  private readonly logAdded = new ReplaySubject<ServiceLog>();
  /** The project as last applied. */
  private current: Project;
  /** Each service of the run as the manifest declares it (its whole `depends_on`): what a new manifest is compared with. */
  private readonly declared = new Map<string, Service>();
  /** Each service as it is launched: its `depends_on` limited to the services of the run. */
  private readonly launched = new Map<string, Service>();
  private graph: DependencyGraph;
  /** Applies run one at a time. */
  private applying: Promise<unknown> = Promise.resolve();
  /** While an apply stops and starts services again, the project is not idle even if nothing runs for a moment. */
  private applyDepth = 0;
  /** While the ports of the services are checked before any starts. */
  private checkingPorts = 0;
  private readonly supervisors = new Map<string, ServiceSupervisor>();
  /** The services' ports: `auto` ones kept across runs, restarts and applies, let go when a service is removed or the project closes. */
  private readonly ports = new PortAssignments();
  private readonly lives = new Map<string, Promise<void>>();
  private readonly halt = new AbortController();
  private readonly idleWaiters: (() => void)[] = [];
  /** The counts `sbx scale` set, kept through later applies of the manifest. */
  private readonly scales = new ScaleOverrides();
  /** Services stopped on their own (`sbx stop`): the project waits for them to be started again, or for its end. */
  private readonly parked = new Set<string>();
  /** Every service has ended and none waits to start again: the project is over. */
  private ended = false;
  private started = false;
  private stopping?: Promise<void>;
  private closed?: Promise<void>;

  constructor(project: Project, selection: Selection, options: OrchestratorOptions = {}) {
    this.current = project;
    this.graph = selection.graph;
    this.store = new EventStore(selection.services.map((s) => s.name));
    this.events$ = this.store.events$;
    this.states$ = this.store.states$;
    this.runtime = options.runtime ?? defaultRuntime;
    this.extraEnvironment = options.environment ?? {};
    this.baseEnvironment = options.baseEnvironment ?? {};
    this.logTailLines = options.logTailLines ?? defaults.logTailLines;
    this.runStartedAt = options.runStartedAt ?? Date.now();
    this.keepRunning = options.keepRunning === true;
    if (options.logDir !== undefined) ensureStateDirectory(project.dir);
    this.logDir = options.logDir ?? join(ensureStateDirectory(project.dir), "logs");
    this.lines$ = this.logAdded.pipe(mergeMap((log) => log.lines$));
    this.batches$ = this.logAdded.pipe(mergeMap((log) => log.batches$));
    // First: what it sets going (its processes' pipes) runs while the rest is set up.
    this.runtime.prepare?.(selection.services);
    const instances = projectInstances(project);
    for (const service of selection.services) {
      this.declared.set(service.name, instances.get(service.name) ?? service);
      this.launched.set(service.name, service);
      this.addLog(service);
    }
  }

  /** The project as last applied. */
  get project(): Project {
    return this.current;
  }

  /** The services of the run, in dependency order, as they are launched, and the graph among them. */
  get selection(): Selection {
    return { services: this.graph.order.flatMap((name) => this.launched.get(name) ?? []), graph: this.graph };
  }

  /** A service of the run as it was launched (its `depends_on` limited to the run's services). */
  definition(name: string): Service | undefined {
    return this.launched.get(name);
  }

  /**
   * The names of the run's instances of a service, in replica order: `["api.0", "api.1"]` for
   * `api` with two, `["db"]` for `db`; an instance's own name gives it alone; none when the run has
   * no such service (or, scaled to 0, no instance of it).
   */
  instancesOf(name: string): string[] {
    if (this.launched.has(name)) return [name];
    return this.graph.order.filter((instance) => this.launched.get(instance)?.instance?.service === name).sort((a, b) => this.replicaOf(a) - this.replicaOf(b));
  }

  private replicaOf(name: string): number {
    return instanceOf(this.launched.get(name) as Service).replica;
  }

  /**
   * Starts every service; resolves when none is running any more (each completed, failed, skipped
   * or stopped) and none waits to be started again: a service stopped on its own keeps the project
   * up, so that it can be started again, until the whole project is stopped.
   */
  run(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.launchAll(this.selection.services);
    }
    return this.whenIdle();
  }

  /**
   * Launches the services once none of the ports they declare is held by another program: a taken
   * port, even one of the last service in the order, is told before anything starts, and then
   * nothing does (each service with a taken port fails, the others are not started).
   */
  private launchAll(services: readonly Service[]): void {
    if (!services.some(declaresPorts)) {
      for (const service of services) this.launch(service);
      return;
    }
    this.checkingPorts++;
    void takenPorts(services, this.runtime, this.ownPids())
      .then((taken) => {
        if (taken.length === 0) for (const service of services) this.launch(service, false, true);
        else this.refuseToStart(services, taken);
      })
      .finally(() => {
        this.checkingPorts--;
        this.settleIdle();
      });
  }

  private refuseToStart(services: readonly Service[], taken: readonly TakenPort[]): void {
    const time = this.runtime.clock.now();
    const first = taken[0] as TakenPort;
    for (const { service, failure } of taken) this.store.publish({ type: "failed", service, time, reason: { ...failure, lastLines: [] } });
    for (const { name } of services) {
      if (taken.some((t) => t.service === name)) continue;
      const message = `port ${first.port}, which ${first.service} needs, is already in use`;
      this.store.publish({ type: "skipped", service: name, time, reason: { kind: "port-taken", message, lastLines: [] } });
    }
  }

  /**
   * Resolves once every service is ready (or, for a one-shot job, completed); rejects at the first
   * that fails, is skipped or is stopped before it was ready, naming it with its reason and last
   * lines; after `timeoutMs`, naming each service not ready yet and why; when `signal` aborts.
   */
  async whenReady(services: readonly string[] = [...this.logs.keys()], options: ReadyWaitOptions = {}): Promise<void> {
    const { timeoutMs, signal } = options;
    if (signal?.aborted) throw abortedWait(signal);
    for (const name of services) this.serviceNamed(name);
    const isDone = options.current ? isReadyNow : isReadyOrDone;
    const ends = options.current ? endsCurrentWait : endsReadyWait;
    const ends$: Observable<"timeout" | "aborted">[] = [];
    if (timeoutMs !== undefined) ends$.push(timer(timerDelay(timeoutMs), this.runtime.clock).pipe(map(() => "timeout" as const)));
    if (signal) ends$.push(fromEvent(signal, "abort").pipe(map(() => "aborted" as const)));
    const blocker = await firstValueFrom(race(
      this.states$.pipe(
        map((states): ServiceState | "pending" | "ready" => {
          const watched = services.map((name) => states.get(name)).filter((s): s is ServiceState => s !== undefined);
          const failed = watched.find(ends);
          if (failed) return failed;
          return watched.every(isDone) ? "ready" : "pending";
        }),
        filter((verdict) => verdict !== "pending"),
      ),
      ...ends$,
    ));
    if (blocker === "ready") return;
    if (blocker === "aborted") throw abortedWait(signal as AbortSignal);
    if (blocker === "timeout") {
      const pending = services.map((name) => this.state(name)).filter((s): s is ServiceState => s !== undefined && !isDone(s));
      const first = pending[0];
      throw new SbxError("NOT_READY", `not ready within ${formatDuration(timeoutMs as number)}: ${pending.map(describePending).join("; ")}`, {
        ...(first ? { service: first.name, lastLogLines: this.serviceLog(first.name)?.tail(defaults.failureLogLines).map((line) => line.text) ?? [] } : {}),
      });
    }
    const failure = failureOf(blocker) as ServiceFailure;
    throw new SbxError("SERVICE_FAILED", failure.message, { service: failure.service, lastLogLines: failure.lastLines });
  }

  /** Stops every service, dependents before their dependencies; with `force`, SIGKILL to everything at once. */
  stop(options: { force?: boolean; gracePeriodMs?: number } = {}): Promise<void> {
    this.halt.abort();
    this.settleIdle();
    if (options.force) {
      return Promise.all([...this.supervisors.values()].map((s) => s.stop({ force: true }))).then(() => this.whenIdle());
    }
    this.stopping ??= this.stopInOrder(options.gracePeriodMs).then(() => this.whenIdle());
    return this.stopping;
  }

  /** Stops one service and its whole tree, leaving the others running. */
  async stopService(name: string): Promise<void> {
    this.serviceNamed(name);
    this.parked.add(name);
    await this.supervisors.get(name)?.stop();
  }

  /** Starts one service again (after a stop, a failure or a completion); nothing happens if it runs. */
  async startService(name: string): Promise<void> {
    const service = this.serviceNamed(name);
    if (this.halt.signal.aborted) throw new SbxError("NOT_RUNNING", "the project is stopping: nothing can start");
    // Every service had ended and the supervisor is closing: a start must not outlive it.
    if (this.ended) throw new SbxError("NOT_RUNNING", "the project has ended: nothing can start; run sbx up");
    this.parked.delete(name);
    if (this.lives.has(name)) return;
    // Resolves once it runs (or could not): the caller is told its new pid.
    const started = firstValueFrom(
      this.events$.pipe(filter((e) => e.service === name && (e.type === "running" || e.type === "failed" || e.type === "skipped" || e.type === "stopped"))),
    );
    this.launch(service);
    await started;
  }

  /** Stops one service and starts it again: a new process, the old tree gone. */
  async restartService(name: string): Promise<void> {
    await this.stopService(name);
    await this.startService(name);
  }

  /**
   * The services that `watch` restarts along with `name`: those of the run that declare
   * `depends_on: { name: { restart: true } }`, and theirs in turn, in dependency order.
   */
  restartDependents(name: string): string[] {
    const found = new Set<string>();
    const visit = (dependency: string): void => {
      for (const [dependent, service] of this.launched) {
        if (found.has(dependent) || dependent === name) continue;
        if (service.dependsOn.some((d) => d.service === dependency && d.restart)) {
          found.add(dependent);
          visit(dependent);
        }
      }
    };
    visit(name);
    return this.graph.order.filter((n) => found.has(n));
  }

  /**
   * Restarts services together, as `sbx restart` does each (`watch`: a service and the dependents
   * that restart with it): dependents stopped before what they depend on, then all started anew
   * (an `updated` event each, as `sbx restart` gives), each waiting as ever for its dependencies'
   * conditions, those of the new runs. One the user stopped (`sbx stop`) stays
   * stopped. Runs in turn with applies, never across one; resolves once each has started (or could not).
   */
  restartTogether(names: readonly string[]): Promise<void> {
    const restarted = this.applying.then(() => this.restartNow(names));
    this.applying = restarted.catch(() => undefined);
    return restarted;
  }

  /** Tells the event stream what `watch` saw and did; the restart that follows tells itself. */
  publishWatchEvent(event: Extract<ServiceEvent, { type: "files-changed" | "watch-command-failed" }>): void {
    this.store.announce(event);
  }

  private async restartNow(names: readonly string[]): Promise<void> {
    if (this.halt.signal.aborted || this.ended) return;
    const chosen = names.filter((name) => this.launched.has(name) && !this.parked.has(name));
    // Parked while they stop: the project waits for them instead of ending.
    for (const name of chosen) this.parked.add(name);
    await this.stopAmong(chosen, this.graph);
    // Started anew, as `sbx restart` starts them: what depends on one waits for its new run to be
    // ready, not for the readiness of the run that was stopped.
    for (const name of chosen) this.store.publish({ type: "updated", service: name, time: this.runtime.clock.now(), changed: [] });
    const starts = this.graph.order.filter((name) => chosen.includes(name)).map((name) => this.startService(name));
    await Promise.all(starts);
  }

  /**
   * Applies a new version of the project to the running one, as `docker compose up -d` does (see
   * planApply for what changes): the services to restart or remove are stopped, dependents before
   * what they depend on, then those to (re)start are launched, each waiting as ever for its
   * dependencies' conditions — so a dependent restarted with what it depends on starts once that
   * is ready again. Resolves with the changes once each service launched has started (or ended:
   * failed, or not started as a dependency failed). Applies run one after another.
   */
  apply(next: { project: Project; selection: Selection }, options: ApplyOptions = {}): Promise<ServiceChange[]> {
    const applied = this.applying.then(() => this.applyNow(next, options));
    this.applying = applied.catch(() => undefined);
    return applied;
  }

  /**
   * Runs `count` instances of each service named (`sbx scale api=5`), as an apply of the project
   * as it runs with those counts: new instances are launched (each with its own ports, waiting
   * for its dependencies as ever), the extra ones stopped, gracefully, the highest replicas
   * being the ones to go; every other instance and service is left alone. The counts hold
   * through later applies (`sbx restart`, `up -d`) until the manifest's own count changes.
   * Checked whole before anything changes: an unknown service, a count out of range, or a
   * fixed port that the instances would share refuses the lot.
   */
  async scale(counts: ReadonlyMap<string, number>): Promise<ServiceChange[]> {
    const project = this.current;
    for (const [name, count] of counts) {
      const service = project.services.get(name);
      if (!service) throw new SbxError("UNKNOWN_SERVICE", `no service "${name}" in this project${didYouMean(name, project.services.keys())}`, { service: name });
      if (!Number.isInteger(count) || count < 0 || count > MAX_REPLICAS) {
        throw new SbxError("USAGE", `cannot scale "${name}" to ${count}: the count of instances must be an integer from 0 to ${MAX_REPLICAS}`, { service: name });
      }
      const conflict = replicaConflicts(service, count)[0] ?? (count === 0 ? addressReferences(project, name)[0] : undefined);
      if (conflict) {
        // The key is the service's own (a fixed port) or a dependent's (a reference to its address): the service's place tells which file.
        const { file, line, column } = project.services.get(String(conflict.path[1]))?.source ?? service.source;
        throw new SbxError("USAGE", `cannot scale "${name}" to ${count}: ${conflict.path.join(".")} (declared at ${file}:${line}:${column}): ${conflict.message}`, { service: name });
      }
    }
    const declared = new Map([...counts.keys()].map((name) => [name, this.scales.declaredCount(project, name)]));
    const scaled = withReplicas(project, counts);
    const selection = selectServices(scaled, { services: [...counts.keys()], noDeps: true });
    const changes = await this.apply({ project: scaled, selection }, { removeInstancesOf: [...counts.keys()] });
    for (const [name, count] of counts) this.scales.set(name, count, declared.get(name) as number);
    return changes;
  }

  /** A freshly loaded manifest's project with the counts `sbx scale` set that still hold: what an apply of it runs. */
  withScales(project: Project): Project {
    return this.scales.applyTo(project);
  }

  /** Writes every log to its file and ends the streams; after it the orchestrator is done. */
  close(): Promise<void> {
    this.ports.releaseAll();
    this.closed ??= Promise.all([...this.logs.values()].map((logs) => logs.close())).then(() => {
      this.logAdded.complete();
      this.store.complete();
    });
    return this.closed;
  }

  /** A service's ports by name and its URL, as its current or last run has them; undefined before its first run. */
  address(service: string): ServiceAddress | undefined {
    return this.ports.addressOf(service);
  }

  /**
   * The service as its current (or last) run has it: its `auto` ports and its dependencies'
   * addresses substituted, and its port variables in its environment (what `sbx exec` runs
   * with). Before its first run its fixed ports are known, not its `auto` ones. Undefined for a
   * service not in the run.
   */
  runDefinition(name: string): Service | undefined {
    const service = this.launched.get(name);
    if (!service) return undefined;
    return resolveRun(service, this.ports.addressOf(name)?.ports ?? fixedPorts(service), dependencyAddresses(service, (dependency) => this.ports.addressOf(dependency)));
  }

  state(service: string): ServiceState | undefined {
    return this.store.state(service);
  }

  get states(): ReadonlyMap<string, ServiceState> {
    return this.store.states;
  }

  /** The service's log: tail, live lines, the file. */
  serviceLog(service: string): ServiceLog | undefined {
    return this.logs.get(service);
  }

  /** Opens every log file's path anew: `.sbx` was deleted while the project ran. */
  reopenLogs(): void {
    for (const log of this.logs.values()) log.reopenFile();
  }

  /** The process group and tree tag of each service's current run, for the state file. */
  runningProcesses(): { service: string; pid: number; tag: string }[] {
    const out: { service: string; pid: number; tag: string }[] = [];
    for (const [service, supervisor] of this.supervisors) {
      const current = supervisor.currentProcess;
      if (current) out.push({ service, pid: current.pid, tag: current.tag });
    }
    return out;
  }

  private async applyNow(next: { project: Project; selection: Selection }, options: ApplyOptions): Promise<ServiceChange[]> {
    if (!this.started) throw new SbxError("NOT_RUNNING", "the project has not started: nothing to apply a manifest to");
    if (this.halt.signal.aborted) throw new SbxError("NOT_RUNNING", "the project is stopping: nothing can be applied");
    if (this.ended) throw new SbxError("NOT_RUNNING", "the project has ended: run sbx up");
    const changes = planApply({ declared: this.declared, states: this.store.states }, next, options);
    if (changes.length === 0) return [];
    const restarted = changes.filter((c) => c.action === "restarted").map((c) => c.service);
    const removed = changes.filter((c) => c.action === "stopped").map((c) => c.service);
    const toLaunch = changes.filter((c) => c.action !== "stopped").map((c) => c.service);

    // The run as it will be, worked out before anything stops: a dependency cycle between old and
    // new definitions (only part of a manifest applied) refuses the whole apply.
    const declared = new Map(this.declared);
    for (const name of removed) declared.delete(name);
    // Every selected service takes its new definition, those left running too (one whose only
    // change is its depends_on, which counts once it starts again), so that the order of later
    // stops and starts is the manifest's as it is now.
    const instances = projectInstances(next.project);
    for (const selected of next.selection.services) declared.set(selected.name, instances.get(selected.name) ?? selected);
    // What a service waits for counts only when it starts, and is no part of what restarts it:
    // each one left running waits, next time, for what the manifest applied says (a dependent of
    // a service scaled up waits for the new instances too, and stops before them).
    for (const [name, service] of declared) {
      const now = instances.get(name);
      if (now && now.dependsOn !== service.dependsOn) declared.set(name, { ...service, dependsOn: now.dependsOn });
    }
    const launched = withinRun(declared);
    let graph: DependencyGraph;
    try {
      graph = new DependencyGraph(launched.values());
    } catch (error) {
      throw new SbxError("USAGE", `applying ${toLaunch.join(", ")} alone would make a dependency cycle with the services that run (${(error as Error).message}): apply the whole manifest with sbx up -d`);
    }

    this.applyDepth++;
    try {
      await this.stopAmong([...restarted, ...removed], this.graph);
      for (const name of removed) await this.remove(name);
      this.current = { ...next.project, name: this.current.name };
      this.declared.clear();
      for (const [name, service] of declared) this.declared.set(name, service);
      this.launched.clear();
      for (const [name, service] of launched) this.launched.set(name, service);
      this.graph = graph;
      for (const change of changes) {
        if (change.action === "restarted") this.store.publish({ type: "updated", service: change.service, time: this.runtime.clock.now(), changed: change.changed });
        if (change.reason === "new") this.addLog(launched.get(change.service) as Service);
      }
      this.runtime.prepare?.(toLaunch.map((name) => launched.get(name) as Service));
      // Each resolves once its service has started, or ended without starting.
      const started = toLaunch.map((name) =>
        firstValueFrom(this.events$.pipe(filter((e) => e.service === name && (e.type === "running" || e.type === "failed" || e.type === "skipped" || e.type === "stopped")))),
      );
      for (const name of graph.order.filter((n) => toLaunch.includes(n))) {
        this.parked.delete(name);
        // A new definition's failure is told with its own lines, not those of the run it replaced.
        this.launch(launched.get(name) as Service, restarted.includes(name));
      }
      await Promise.all(started);
      return changes;
    } finally {
      this.applyDepth--;
      this.settleIdle();
    }
  }

  /** A service no longer in the manifest, stopped already: its log is written out and closed, and it leaves the project. */
  private async remove(name: string): Promise<void> {
    this.supervisors.delete(name);
    this.parked.delete(name);
    this.ports.release(name);
    this.store.publish({ type: "removed", service: name, time: this.runtime.clock.now() });
    const log = this.logs.get(name);
    this.logs.delete(name);
    await log?.close();
  }

  private addLog(service: Service): void {
    const log = new ServiceLog(service.name, join(this.logDir, `${service.name}.log`), this.logTailLines, { rotation: service.logs });
    // A service added by an apply belongs to the same run of the project: its mark has the run's time.
    log.markProjectRun(this.runStartedAt);
    this.logs.set(service.name, log);
    // Told once per service; the stream ends when the log is closed.
    log.writeError$.subscribe((failure) =>
      this.store.publish({ type: "log-failed", service: service.name, time: failure.time, path: failure.path, code: failure.code, message: failure.message }),
    );
    this.logAdded.next(log);
  }

  private launch(declared: Service, freshOutput = false, portsJustChecked = false): void {
    const service = { ...declared, environment: { ...this.baseEnvironment, ...declared.environment, ...this.extraEnvironment } };
    const log = this.logs.get(service.name) as ServiceLog;
    const dependencies = this.graph.dependenciesOf(service.name);
    const supervisor = new ServiceSupervisor(
      service,
      {
        output: freshOutput ? outputAfter(log, log.lastSeq) : log,
        dependencies: { names: dependencies.map((d) => d.service), met$: allConditionsMet$(this.states$, dependencies) },
        runtime: this.runtime,
        ports: this.ports,
      },
      {
        firstRun: (this.store.state(service.name)?.runs ?? 0) + 1,
        halt: this.halt.signal,
        publish: (event) => this.store.publish(event),
        ownPids: () => this.ownPids(),
        portsJustChecked,
      },
    );
    this.supervisors.set(service.name, supervisor);
    const life = supervisor.run().finally(() => {
      if (this.lives.get(service.name) === life) this.lives.delete(service.name);
      this.settleIdle();
    });
    this.lives.set(service.name, life);
  }

  private get idle(): boolean {
    if (this.keepRunning && !this.halt.signal.aborted) return false;
    return this.lives.size === 0 && this.applyDepth === 0 && this.checkingPorts === 0 && (this.parked.size === 0 || this.halt.signal.aborted);
  }

  private settleIdle(): void {
    if (!this.idle) return;
    if (this.started) this.ended = true;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private serviceNamed(name: string): Service {
    const service = this.launched.get(name);
    if (!service) throw new SbxError("UNKNOWN_SERVICE", `no service "${name}" in this run`, { service: name });
    return service;
  }

  private stopInOrder(gracePeriodMs?: number): Promise<void> {
    return this.stopAmong([...this.logs.keys()], this.graph, gracePeriodMs);
  }

  /** Stops the services `names`, each once those of them that depend on it (in `graph`) have stopped. */
  private stopAmong(names: readonly string[], graph: DependencyGraph, gracePeriodMs?: number): Promise<void> {
    const among = new Set(names);
    const stopped = new Map<string, Promise<void>>();
    const stopOne = (name: string): Promise<void> => {
      let promise = stopped.get(name);
      if (!promise) {
        const dependents = graph.dependentsOf(name).filter((d) => among.has(d));
        promise = Promise.all(dependents.map(stopOne)).then(() => this.supervisors.get(name)?.stop(gracePeriodMs === undefined ? {} : { gracePeriodMs }));
        stopped.set(name, promise);
      }
      return promise;
    };
    return Promise.all(names.map(stopOne)).then(() => undefined);
  }

  private ownPids(): ReadonlySet<number> {
    const pids = new Set<number>();
    for (const state of this.store.states.values()) if (state.pid !== undefined) pids.add(state.pid);
    return pids;
  }
}

/** Each service's `depends_on` limited to the services of the run: one not in it is not waited for (as `--no-deps` and `required: false` have it). */
function withinRun(declared: ReadonlyMap<string, Service>): Map<string, Service> {
  const launched = new Map<string, Service>();
  for (const [name, service] of declared) {
    const dependsOn = service.dependsOn.filter((dep) => declared.has(dep.service));
    launched.set(name, dependsOn.length === service.dependsOn.length ? service : { ...service, dependsOn });
  }
  return launched;
}

/** A service's log as a new definition of it sees it: the lines of the runs before are not its own. */
function outputAfter(log: ServiceLog, seq: number): ServiceOutput {
  return {
    appendLines: (stream, lines) => log.appendLines(stream, lines),
    markRunStart: () => log.markRunStart(),
    sinceRunStart$: () => log.sinceRunStart$(),
    tail: (count) => log.tail(count).filter((line) => line.seq > seq),
  };
}

/** Ready now, or a one-shot job completed. */
function isReadyNow(state: ServiceState): boolean {
  return state.status === "ready" || state.status === "completed";
}

/** Failed, skipped or stopped: a wait for it to be ready now is over. */
function endsCurrentWait(state: ServiceState): boolean {
  return isFailedStatus(state.status) || state.status === "stopped";
}

function abortedWait(signal: AbortSignal): SbxError {
  return new SbxError("ABORTED", "the wait for the services to be ready was aborted", {}, { cause: signal.reason });
}
