import { distinctUntilChanged, filter, firstValueFrom, map, race, take, type SchedulerLike, type Subscription } from "rxjs";
import { defaults } from "../defaults.js";
import type { Command, Service } from "../manifest/types.js";
import { abortableSleep } from "./abortable-sleep.js";
import { aborted$ } from "./aborted.js";
import { DependencyFailedError } from "./dependency-conditions.js";
import type { ServiceEvent } from "./events.js";
import { spawnFailed, watchdogSilent, type Failure } from "./failures.js";
import { GracePeriod } from "./grace-period.js";
import { nextStep, type FinishedRun } from "./next-step.js";
import { shouldRestart } from "./restart-policy.js";
import { runEnd$, type RunEnd } from "./run-end.js";
import type { RunningProcess } from "./runtime.js";
import { PortAssignments } from "./port-assignments.js";
import { dependencyAddresses, resolveRun } from "./resolve-run.js";
import type { ProjectContext, ServiceCollaborators, ServicePorts } from "./service-collaborators.js";
import { takenPort } from "./taken-ports.js";
import { watchdogMissed$ } from "./watchdog.js";

/** What a program prints when the port it binds is in use: Node.js's EADDRINUSE, C's strerror, Python's and Go's words. */
const PORT_IN_USE = /EADDRINUSE|address already in use/i;

/** One run of the service. */
interface Run {
  number: number;
  process: RunningProcess;
  /** On the runtime's clock. */
  startedAt: number;
  /** The service as this run started it: its runtime values (ports, dependencies' URLs) substituted. */
  service: Service;
  /** It printed that a port is in use (EADDRINUSE): watched only for a service with `auto` ports. */
  portInUse: boolean;
  watch?: Subscription;
  /** What it says on its NOTIFY_SOCKET, told as events. */
  notifications?: Subscription;
}

/**
 * Runs one service through its life, as a list of steps: await its dependencies, check its ports,
 * start a run, judge the run, and restart it or not as its policy decides; it stops the whole
 * process tree when asked. Everything it learns goes out as events; it holds no state that the
 * events do not also tell.
 */
export class ServiceSupervisor {
  private readonly stopController = new AbortController();
  private readonly clock: SchedulerLike;
  private current?: RunningProcess;
  private stopForce = false;
  /** A grace period given for this stop (`sbx down -t`), instead of the service's own. */
  private gracePeriodOverride?: number;
  /** The grace periods running now: a forced stop ends them. */
  private readonly graces = new Set<GracePeriod>();
  private finished?: Promise<void>;
  /** The tree tag of every run so far: what a run left running after it ended carries it. */
  private readonly runTags: string[] = [];
  /**
   * The tags that no process carries any more, as a kill of the run's tree or an end of leftovers
   * found (nothing can start a process with a tag once none runs): they need no sweep again.
   */
  private readonly sweptTags = new Set<string>();
  private leftoversEnded?: Promise<void>;
  private readonly ports: ServicePorts;

  constructor(
    readonly service: Service,
    private readonly collaborators: ServiceCollaborators,
    private readonly project: ProjectContext,
  ) {
    this.clock = collaborators.runtime.clock;
    this.ports = collaborators.ports ?? new PortAssignments();
  }

  /** Starts the service's life; resolves when it is over (completed, failed, skipped or stopped). */
  run(): Promise<void> {
    this.finished ??= this.live();
    return this.finished;
  }

  /**
   * Stops the service and its whole tree; resolves once nothing of it is left. With `force`,
   * SIGKILL at once, also cutting short a stop already under way (a second Ctrl-C).
   */
  stop(options: { force?: boolean; gracePeriodMs?: number } = {}): Promise<void> {
    if (options.gracePeriodMs !== undefined) this.gracePeriodOverride = options.gracePeriodMs;
    if (options.force) {
      this.stopForce = true;
      for (const grace of this.graces) grace.cutShort();
    }
    this.stopController.abort();
    const ended = this.finished ?? Promise.resolve();
    // A run that ended on its own may have left processes behind (a one-shot that started a
    // daemon): stopping the service ends them too. A forced stop ends them at once.
    if (options.force) return ended.then(() => this.endLeftovers(true));
    this.leftoversEnded ??= ended.then(() => this.endLeftovers(false));
    return this.leftoversEnded;
  }

  /** The process of the current run, while there is one. */
  get currentProcess(): RunningProcess | undefined {
    return this.current;
  }

  private async live(): Promise<void> {
    if (!(await this.awaitDependencies())) return;
    let restarts = 0;
    let previousDelayMs: number | undefined;
    // When the wait for readiness began: the first start, or the first start after the service was
    // last ready. Restarts do not reset it, so that a crash loop cannot keep `up --wait` waiting.
    let readyWaitSince: number | undefined;
    let portRetries = 0;
    let portInUse = false;
    for (let number = this.project.firstRun; ; number++) {
      const service = await this.prepareRun(number, portInUse);
      const checkedAlready = number === this.project.firstRun && this.project.portsJustChecked === true && this.collaborators.dependencies.names.length === 0 && sameCheckedPorts(service, this.service);
      const taken = checkedAlready ? undefined : await this.checkPorts(service);
      if (taken) return this.fail(taken, []);
      if (this.stopRequested) return this.stopped();

      const run = await this.startRun(number, service);
      if (!run) return;
      readyWaitSince ??= run.startedAt;
      let wasReady = false;
      // A first run has the whole ready timeout; a restart what is left of it since the wait began.
      const readyTimeoutMs = restarts === 0 ? this.service.ready?.timeoutMs : this.readyTimeLeft(readyWaitSince);
      const end = await this.judgeRun(run, readyTimeoutMs, restarts, () => (wasReady = true));
      const uptimeMs = this.clock.now() - run.startedAt;
      if (wasReady) readyWaitSince = undefined;
      if (end.kind === "stop") return this.stopRun(run);
      await this.endRun(run, end, uptimeMs);
      if (this.stopRequested) return this.stopped();
      // Another process bound an `auto` port between its pick and the service's bind: the same
      // start again on new ports, which is no restart of the service's.
      portInUse = end.kind === "exited" && !wasReady && (end.exitCode !== 0 || end.signal !== null) && run.portInUse && portRetries < defaults.portInUseRetries;
      if (portInUse) {
        portRetries++;
        continue;
      }

      const next = nextStep(this.service, { end, uptimeMs, restarts, previousDelayMs, readyTimeLeftMs: this.readyTimeLeft(readyWaitSince) });
      if (next.action === "complete") return this.emit({ type: "completed", run: number });
      if (next.action === "fail") return this.fail(next.failure, this.lastLines());
      restarts++;
      previousDelayMs = next.delayMs;
      const why = end.kind === "watchdog" ? { why: watchdogSilent(end.periodMs).message } : {};
      this.emit({ type: "restarting", run: number, delayMs: next.delayMs, restarts, ...why });
      if (!(await abortableSleep(next.delayMs, this.noMoreRuns, this.clock))) return this.stopped();
      // The next run starts clean, as a restarted container would: nothing of the last one is left.
      await this.endLeftovers(false);
    }
  }

  /** Waits until its dependencies' conditions hold; false when the service will not start (told as skipped or stopped). */
  private async awaitDependencies(): Promise<boolean> {
    const verdict = await this.dependencyVerdict();
    if (verdict === "met" && !this.stopRequested) return true;
    if (verdict instanceof DependencyFailedError) this.emit({ type: "skipped", reason: verdict.reason });
    else this.stopped();
    return false;
  }

  private async dependencyVerdict(): Promise<"met" | "stopped" | DependencyFailedError> {
    const { names, met$ } = this.collaborators.dependencies;
    if (names.length === 0) return "met";
    this.emit({ type: "waiting", on: [...names] });
    try {
      // A stop asked for already wins over conditions that hold already.
      return await firstValueFrom(race(aborted$(this.noMoreRuns).pipe(map(() => "stopped" as const)), met$.pipe(map(() => "met" as const))));
    } catch (error) {
      // A dependency that failed says more than the teardown its failure may have caused.
      return error instanceof DependencyFailedError ? error : "stopped";
    }
  }

  /**
   * The service as its next run starts: its ports assigned (its `auto` ones kept from its last run
   * while still free; after a run that found a port in use, new ones), each one another process
   * took told, and its runtime values substituted from its own ports and its dependencies'.
   */
  private async prepareRun(number: number, afterPortInUse: boolean): Promise<Service> {
    const { ports, moved } = afterPortInUse ? await this.ports.reassign(this.service) : await this.ports.assign(this.service);
    for (const move of moved) this.emit({ type: "port-taken", run: number, ...move });
    return resolveRun(this.service, ports, dependencyAddresses(this.service, (name) => this.ports.addressOf(name)));
  }

  /** A port that a tcp or http check names, held by a program that is not the project's own (again before each run: it may have been taken meanwhile). */
  private async checkPorts(service: Service): Promise<Failure | undefined> {
    return (await takenPort(service, this.collaborators.runtime, this.project.ownPids()))?.failure;
  }

  /** Starts run `number`; undefined when its command could not be started (the failure told). */
  private async startRun(number: number, service: Service): Promise<Run | undefined> {
    const { output, runtime } = this.collaborators;
    const address = this.ports.addressOf(service.name);
    const ports = service.ports.length > 0 && address ? { ports: address.ports, ...(address.url === undefined ? {} : { url: address.url }) } : {};
    this.emit({ type: "starting", run: number, command: commandText(service.command), ...ports });
    output.markRunStart();
    let process: RunningProcess;
    try {
      process = await runtime.spawn(service, (stream, lines) => output.appendLines(stream, lines));
    } catch (error) {
      this.fail(spawnFailed(error as Error), []);
      return undefined;
    }
    this.current = process;
    this.runTags.push(process.tag);
    const startedAt = this.clock.now();
    this.emit({ type: "running", run: number, pid: process.pid });
    const run: Run = { number, process, startedAt, service, portInUse: false };
    if (process.notify$) {
      run.notifications = process.notify$
        .pipe(
          map((state) => state.status),
          filter((text): text is string => text !== undefined),
          distinctUntilChanged(),
        )
        .subscribe((text) => this.emit({ type: "status-text", run: number, text }));
    }
    if (service.ports.some((port) => port.port === "auto")) {
      run.watch = output
        .sinceRunStart$()
        .pipe(filter((line) => PORT_IN_USE.test(line.text)), take(1))
        .subscribe(() => (run.portInUse = true));
    }
    return run;
  }

  /**
   * Waits for the run's end: not ready within `readyTimeoutMs`, exited, asked to stop, over its
   * `timeout`, or unhealthy once ready when its policy restarts it after `restarts` restarts.
   */
  private judgeRun(run: Run, readyTimeoutMs: number | undefined, restarts: number, onReady: () => void): Promise<RunEnd> {
    const { ready, health } = run.service;
    const context = {
      service: run.service,
      lines$: this.collaborators.output.sinceRunStart$(),
      onUnready: (reasons: string[]) => this.emit({ type: "unready", run: run.number, reasons }),
      ...(run.process.notify$ ? { notify$: run.process.notify$ } : {}),
    };
    const ready$ = ready && this.collaborators.runtime.ready$({ ...ready, timeoutMs: Math.max(0, readyTimeoutMs ?? 0) }, context);
    return firstValueFrom(
      runEnd$({
        process: run.process,
        ready$,
        stop$: aborted$(this.stopController.signal),
        timeoutMs: this.service.timeoutMs,
        clock: this.clock,
        ...(ready?.watchdogMs !== undefined && run.process.notify$
          ? { afterReady$: watchdogMissed$(run.process.notify$, ready.watchdogMs, this.clock).pipe(map(({ periodMs }): RunEnd => ({ kind: "watchdog", periodMs }))) }
          : {}),
        onReady: () => {
          onReady();
          this.emit({ type: "ready", run: run.number, afterMs: this.clock.now() - run.startedAt, checked: ready !== undefined });
        },
        health$: health && this.collaborators.runtime.health$(health, { service: run.service }),
        onHealth: (verdict) => {
          if (verdict.healthy) {
            this.emit({ type: "healthy", run: run.number, again: verdict.again });
            return false;
          }
          this.emit({ type: "unhealthy", run: run.number, reasons: verdict.reasons, failures: verdict.failures });
          // Restarted as a failed run would be; a policy that would not restart it leaves it running, unhealthy.
          return shouldRestart(this.service.restart, { succeeded: false, uptimeMs: this.clock.now() - run.startedAt }, restarts);
        },
      }),
    );
  }

  /** Tells how a run ended; one that did not end on its own (not ready in time, over its `timeout`) is ended first. */
  private async endRun(run: Run, end: FinishedRun, uptimeMs: number): Promise<void> {
    if (end.kind === "exited") {
      this.emit({ type: "exited", run: run.number, exitCode: end.exitCode, signal: end.signal, onPurpose: false, uptimeMs });
    } else {
      const { exitCode, signal } = await this.endTree(run.process);
      this.emit({ type: "exited", run: run.number, exitCode, signal, onPurpose: true, uptimeMs });
    }
    run.watch?.unsubscribe();
    run.notifications?.unsubscribe();
    this.current = undefined;
  }

  private async stopRun(run: Run): Promise<void> {
    this.emit({ type: "stopping", signal: this.stopForce ? "SIGKILL" : this.service.stopSignal });
    const { exitCode, signal, forced } = await this.endTree(run.process);
    this.emit({ type: "exited", run: run.number, exitCode, signal, onPurpose: true, uptimeMs: this.clock.now() - run.startedAt });
    run.watch?.unsubscribe();
    run.notifications?.unsubscribe();
    this.current = undefined;
    this.emit({ type: "stopped", forced });
  }

  /** Ends a run's whole tree: the stop signal, then SIGKILL after the grace period (at once when the stop is forced). */
  private async endTree(process: RunningProcess): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; forced: boolean }> {
    const force = this.stopForce;
    const { forced } = await this.withGrace(force, (graceOver) =>
      this.collaborators.runtime.killTree(process.pid, { signal: force ? "SIGKILL" : this.service.stopSignal, tag: process.tag, graceOver }),
    );
    this.sweptTags.add(process.tag);
    const { exitCode, signal } = await process.exit;
    return { exitCode, signal, forced: forced || force };
  }

  /**
   * Ends what earlier runs left running: the stop signal and the grace period, or SIGKILL at once.
   * A run whose tree was killed left nothing (killTree ends its tag's processes too): only the
   * runs that ended on their own are looked for, and a teardown of many services, whose runs were
   * all killed, makes no scan of /proc per service here.
   */
  private async endLeftovers(force: boolean): Promise<void> {
    const tags = this.runTags.filter((tag) => !this.sweptTags.has(tag));
    if (tags.length === 0) return;
    await this.withGrace(force, (graceOver) => this.collaborators.runtime.endTagged(tags, { signal: force ? "SIGKILL" : this.service.stopSignal, graceOver }));
    for (const tag of tags) this.sweptTags.add(tag);
  }

  /** Runs `end` within a grace period on the clock: the stop's, the service's, or none when forced. */
  private async withGrace<T>(force: boolean, end: (graceOver: AbortSignal) => Promise<T>): Promise<T> {
    const grace = new GracePeriod(force ? 0 : (this.gracePeriodOverride ?? this.service.stopGracePeriodMs), this.clock);
    this.graces.add(grace);
    try {
      return await end(grace.over);
    } finally {
      grace.dispose();
      this.graces.delete(grace);
    }
  }

  /** What is left of the ready timeout since `since`; undefined without a ready check or a wait. */
  private readyTimeLeft(since: number | undefined): number | undefined {
    if (!this.service.ready || since === undefined) return undefined;
    return this.service.ready.timeoutMs - (this.clock.now() - since);
  }

  /** No new run or restart may begin: this service is being stopped, or the whole project is. */
  private get stopRequested(): boolean {
    return this.stopController.signal.aborted || this.project.halt.aborted;
  }

  /** Aborts on a stop of this service or a halt of the project. */
  private get noMoreRuns(): AbortSignal {
    return AbortSignal.any([this.stopController.signal, this.project.halt]);
  }

  private lastLines(): string[] {
    return this.collaborators.output.tail(defaults.failureLogLines).map((line) => line.text);
  }

  private fail(failure: Failure, lastLines: string[]): void {
    this.emit({ type: "failed", reason: { ...failure, lastLines } });
  }

  private stopped(): void {
    this.emit({ type: "stopped", forced: false });
  }

  private emit(event: DistributiveOmit<ServiceEvent, "service" | "time">): void {
    this.project.publish({ ...event, service: this.service.name, time: this.clock.now() } as ServiceEvent);
  }
}

function commandText(command: Command): string {
  return command.kind === "shell" ? command.script : command.argv.join(" ");
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Whether the ports that the two versions of a service's tcp and http checks name are the same (an `auto` port resolved for a run is not). */
function sameCheckedPorts(run: Service, declared: Service): boolean {
  const same = (a: { host: string; port: number } | undefined, b: { host: string; port: number } | undefined): boolean => a?.port === b?.port && a?.host === b?.host;
  return same(run.ready?.tcp, declared.ready?.tcp) && same(run.ready?.http, declared.ready?.http);
}
