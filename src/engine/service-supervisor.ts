import type { LineBlock } from "../process/line-block.js";
import { firstValueFrom, race, map, from, type Observable } from "rxjs";
import { defaults } from "../defaults.js";
import type { Command, Service } from "../manifest/types.js";
import type { FailureReason, ServiceEvent } from "./events.js";
import { DependencyFailedError } from "./dependency-conditions.js";
import { nextDelay, shouldRestart } from "./restart-policy.js";
import type { RunningProcess, ServiceRuntime, ReadyFailure } from "./runtime.js";
import { abortableSleep } from "./abortable-sleep.js";
import { describeExit } from "./describe-exit.js";
import { formatDuration } from "../manifest/duration.js";

export interface SupervisorContext {
  runtime: ServiceRuntime;
  /** Aborted when the project is being torn down: no new run or restart may begin. */
  halt: AbortSignal;
  /** The number of this supervisor's first run: runs go on counting when a service is started again. */
  firstRun: number;
  publish(event: ServiceEvent): void;
  /** Resolves when every dependency's condition holds; rejects with DependencyFailedError when one never will. */
  dependenciesMet(signal: AbortSignal): Promise<void>;
  /** The names of the dependencies, for "waiting for …". */
  dependencyNames: readonly string[];
  /** The last lines the service printed, for failure reports. */
  lastLines(count: number): string[];
  /** Lines printed from now on (and the ones already printed in this run), for the log check. */
  linesSinceRunStart$(run: number): Observable<{ text: string }>;
  /** Marks where a run's output starts, so that its log check sees only its own lines. */
  markRunStart(run: number): void;
  /** The service's output, in the batches of lines it was read in. */
  onOutput(stream: "stdout" | "stderr", lines: LineBlock): void;
  /** Pids of the project's own processes: a port held by one of them is not "taken by something else". */
  ownPids(): ReadonlySet<number>;
}

type RunEnd =
  | { kind: "exited"; exitCode: number | null; signal: NodeJS.Signals | null; wasReady: boolean }
  | { kind: "not-ready"; failure: ReadyFailure }
  | { kind: "timed-out" }
  | { kind: "stop" };

/**
 * Runs one service through its life: waits for its dependencies, starts it, judges its readiness,
 * restarts it on its policy, and stops its whole process tree when asked. Everything it learns
 * goes out as events; it holds no state that the events do not also tell.
 */
export class ServiceSupervisor {
  private readonly stopController = new AbortController();
  private current?: RunningProcess;
  private stopForce = false;
  /** A grace period given for this stop (`sbx down -t`), instead of the service's own. */
  private gracePeriodOverride?: number;
  private finished?: Promise<void>;
  /** The tree tag of every run so far: what a run left running after it ended carries it. */
  private readonly runTags: string[] = [];
  private leftoversEnded?: Promise<void>;

  constructor(
    readonly service: Service,
    private readonly ctx: SupervisorContext,
  ) {}

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
      if (this.current) void this.killCurrent(true);
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

  /** No new run or restart may begin: this service is being stopped, or the whole project is. */
  private get stopRequested(): boolean {
    return this.stopController.signal.aborted || this.ctx.halt.aborted;
  }

  /** Aborts on a stop of this service or a halt of the project. */
  private get noMoreRuns(): AbortSignal {
    return AbortSignal.any([this.stopController.signal, this.ctx.halt]);
  }

  private emit(event: DistributiveOmit<ServiceEvent, "service" | "time">): void {
    this.ctx.publish({ ...event, service: this.service.name, time: Date.now() } as ServiceEvent);
  }

  private async live(): Promise<void> {
    if (this.ctx.dependencyNames.length > 0) {
      this.emit({ type: "waiting", on: [...this.ctx.dependencyNames] });
      try {
        await this.ctx.dependenciesMet(this.noMoreRuns);
      } catch (error) {
        // A dependency that failed says more than the teardown its failure may have caused.
        if (error instanceof DependencyFailedError) return this.emit({ type: "skipped", reason: error.reason });
        return this.emit({ type: "stopped", forced: false });
      }
    }
    if (this.stopRequested) return this.emit({ type: "stopped", forced: false });

    let restarts = 0;
    let delay: number | undefined;
    // When the wait for readiness began: the first start, or the first start after the service was
    // last ready. Restarts do not reset it, so that a crash loop cannot keep `up --wait` waiting.
    let readyWaitSince: number | undefined;
    for (let run = this.ctx.firstRun; ; run++) {
      const taken = await this.takenPort();
      if (taken) return this.fail({ kind: "port-taken", message: taken, lastLines: [] });
      if (this.stopRequested) return this.emit({ type: "stopped", forced: false });

      this.emit({ type: "starting", run, command: commandText(this.service.command) });
      this.ctx.markRunStart(run);
      let child: RunningProcess;
      try {
        child = await this.ctx.runtime.spawn(this.service, (stream, lines) => this.ctx.onOutput(stream, lines));
      } catch (error) {
        return this.fail({ kind: "spawn-failed", message: `could not start: ${(error as Error).message}`, lastLines: [] });
      }
      this.current = child;
      this.runTags.push(child.tag);
      const startedAt = Date.now();
      readyWaitSince ??= startedAt;
      this.emit({ type: "running", run, pid: child.pid });

      const end = await this.watchRun(child, run, startedAt, readyWaitSince, restarts);
      const uptimeMs = Date.now() - startedAt;
      if (this.readyInRun) readyWaitSince = undefined;

      if (end.kind === "stop") {
        await this.stopCurrent(run, startedAt);
        return;
      }
      if (end.kind !== "exited") {
        // Not ready in time, or over its `timeout`: end the run, then judge it as a failure.
        const { exitCode, signal } = await this.killCurrent(false);
        this.emit({ type: "exited", run, exitCode, signal, onPurpose: true, uptimeMs });
      } else {
        this.emit({ type: "exited", run, exitCode: end.exitCode, signal: end.signal, onPurpose: false, uptimeMs });
      }
      this.current = undefined;
      if (this.stopRequested) return this.emit({ type: "stopped", forced: false });

      const succeeded = end.kind === "exited" && end.exitCode === 0 && (end.wasReady || !this.service.ready);
      const outcome = { succeeded, uptimeMs };
      if (end.kind !== "not-ready" && shouldRestart(this.service.restart, outcome, restarts)) {
        delay = nextDelay(this.service.restart, delay, outcome);
        const readyTimeLeft = this.readyTimeLeft(readyWaitSince);
        if (readyTimeLeft !== undefined && readyTimeLeft <= delay) {
          // The next run would start with no time left to become ready.
          const last = this.failureOf(end, uptimeMs);
          return this.fail({ ...last, kind: "not-ready", message: `${this.notReadyInTime(restarts)}: its last run ${last.message}`, lastLines: this.ctx.lastLines(defaults.failureLogLines) });
        }
        restarts++;
        this.emit({ type: "restarting", run, delayMs: delay, restarts });
        const slept = await abortableSleep(delay, this.noMoreRuns);
        if (!slept) return this.emit({ type: "stopped", forced: false });
        // The next run starts clean, as a restarted container would: nothing of the last one is left.
        await this.endLeftovers(false);
        continue;
      }
      if (succeeded) return this.emit({ type: "completed", run });
      const failure = this.failureOf(end, uptimeMs);
      const message = end.kind === "not-ready" && restarts > 0 ? `${this.notReadyInTime(restarts)}: ${end.failure.reasons.join("; ")}` : failure.message;
      return this.fail({ ...failure, message, lastLines: this.ctx.lastLines(defaults.failureLogLines) });
    }
  }

  /** Whether the current run became ready. */
  private readyInRun = false;

  /** How long the service still has to become ready, counted from `since`; undefined without a ready check or a wait. */
  private readyTimeLeft(since: number | undefined): number | undefined {
    if (!this.service.ready || since === undefined) return undefined;
    return this.service.ready.timeoutMs - (Date.now() - since);
  }

  private notReadyInTime(restarts: number): string {
    const timeout = formatDuration(this.service.ready?.timeoutMs ?? 0);
    return `not ready within ${timeout} of its first start, after ${restarts === 1 ? "1 restart" : `${restarts} restarts`}`;
  }

  /** Waits for the run to end, to fail its readiness, to time out, or for a stop request. */
  private async watchRun(child: RunningProcess, run: number, startedAt: number, readyWaitSince: number, restarts: number): Promise<RunEnd> {
    this.readyInRun = false;
    // Every listener and timer of this run goes when the run's scope is aborted, at its end.
    const scope = new AbortController();
    const stopOrEnd = AbortSignal.any([this.stopController.signal, scope.signal]);
    const stop$ = from(
      new Promise<RunEnd>((resolve) => {
        if (this.stopController.signal.aborted) resolve({ kind: "stop" });
        else this.stopController.signal.addEventListener("abort", () => resolve({ kind: "stop" }), { once: true, signal: scope.signal });
      }),
    );
    const timeoutMs = this.service.timeoutMs;
    const timeout$ = from(
      timeoutMs === undefined
        ? new Promise<RunEnd>(() => {})
        : abortableSleep(Math.max(0, timeoutMs - (Date.now() - startedAt)), stopOrEnd).then((passed): RunEnd => (passed ? { kind: "timed-out" } : { kind: "stop" })),
    );
    let wasReady = false;
    const exit$ = from(child.exit.then(({ exitCode, signal }): RunEnd => ({ kind: "exited", exitCode, signal, wasReady })));

    try {
      if (this.service.ready) {
        // What is left of `ready.timeout` since the wait began, restarts included.
        const spec = restarts === 0 ? this.service.ready : { ...this.service.ready, timeoutMs: Math.max(0, this.readyTimeLeft(readyWaitSince) ?? 0) };
        const ready$ = this.ctx.runtime
          .ready$(spec, { service: this.service, lines$: this.ctx.linesSinceRunStart$(run), onUnready: (reasons) => this.emit({ type: "unready", run, reasons }) })
          .pipe(map((result) => ({ kind: "ready" as const, result })));
        const first = await firstValueFrom(race(ready$, exit$, stop$, timeout$));
        if (first.kind !== "ready") return first;
        if (!first.result.ok) return { kind: "not-ready", failure: first.result };
      }
      wasReady = true;
      this.readyInRun = true;
      this.emit({ type: "ready", run, afterMs: Date.now() - startedAt, checked: this.service.ready !== undefined });
      return await firstValueFrom(race(exit$, stop$, timeout$));
    } finally {
      scope.abort();
    }
  }

  private async stopCurrent(run: number, startedAt: number): Promise<void> {
    this.emit({ type: "stopping", signal: this.stopForce ? "SIGKILL" : this.service.stopSignal });
    const { exitCode, signal, forced } = await this.killCurrent(this.stopForce);
    this.emit({ type: "exited", run, exitCode, signal, onPurpose: true, uptimeMs: Date.now() - startedAt });
    this.current = undefined;
    this.emit({ type: "stopped", forced });
  }

  /** Ends the current run's whole tree: the stop signal, then SIGKILL after the grace period (at once when forced). */
  private async killCurrent(force: boolean): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; forced: boolean }> {
    const child = this.current;
    if (!child) return { exitCode: null, signal: null, forced: false };
    const { forced } = await this.ctx.runtime.killTree(child.pid, {
      signal: force ? "SIGKILL" : this.service.stopSignal,
      gracePeriodMs: force ? 0 : (this.gracePeriodOverride ?? this.service.stopGracePeriodMs),
      tag: child.tag,
    });
    const { exitCode, signal } = await child.exit;
    return { exitCode, signal, forced: forced || force };
  }

  /** Ends what earlier runs left running: the stop signal and the grace period, or SIGKILL at once. */
  private async endLeftovers(force: boolean): Promise<void> {
    await this.ctx.runtime.endTagged(this.runTags, {
      signal: force ? "SIGKILL" : this.service.stopSignal,
      gracePeriodMs: force ? 0 : (this.gracePeriodOverride ?? this.service.stopGracePeriodMs),
    });
  }

  private fail(reason: FailureReason): void {
    this.emit({ type: "failed", reason });
  }

  private failureOf(end: RunEnd, uptimeMs: number): Omit<FailureReason, "lastLines"> {
    switch (end.kind) {
      case "exited": {
        const how = describeExit(end.exitCode, end.signal);
        const when = this.service.ready && !end.wasReady ? " before it was ready" : "";
        return { kind: "exited", message: `${how}${when}`, exitCode: end.exitCode, signal: end.signal };
      }
      case "not-ready":
        return { kind: "not-ready", message: `not ready after ${Math.round(uptimeMs)} ms: ${end.failure.reasons.join("; ")}` };
      case "timed-out":
        return { kind: "timed-out", message: `stopped after its timeout of ${this.service.timeoutMs} ms` };
      case "stop":
        // Never judged as a failure: a stop ends the service as stopped.
        return { kind: "exited", message: "stopped" };
    }
  }

  /** A port that a tcp/http check names, held by a process that is not the project's own. */
  private async takenPort(): Promise<string | undefined> {
    const checks = [this.service.ready?.tcp, this.service.ready?.http].filter((c) => c !== undefined);
    for (const check of checks) {
      const holder = await this.ctx.runtime.portHolder(check.host, check.port, this.ctx.ownPids());
      if (holder !== undefined) {
        return `port ${check.port} is already in use by ${holder}: stop it, or give ${this.service.name} another port`;
      }
    }
    return undefined;
  }
}

function commandText(command: Command): string {
  return command.kind === "shell" ? command.script : command.argv.join(" ");
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
