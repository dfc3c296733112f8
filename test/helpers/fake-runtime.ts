import { defer, map, of, type Observable } from "rxjs";
import type { ReadyContext, ReadyResult, RunningProcess, ServiceRuntime } from "../../src/engine/runtime.js";
import type { HealthSpec, ReadySpec, Service } from "../../src/manifest/types.js";
import { healthVerdicts$, type HealthAttempt, type HealthVerdict } from "../../src/readiness/health.js";
import { LineBlock } from "../../src/process/line-block.js";
import { readyChecks$ } from "../../src/readiness/ready.js";
import { VirtualClock } from "./virtual-clock.js";

type Exit = { exitCode: number | null; signal: NodeJS.Signals | null };
type Output = (stream: "stdout" | "stderr", lines: LineBlock) => void;

/** Resolves when `signal` aborts. */
const aborted = (signal: AbortSignal): Promise<void> => new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

/**
 * A process that lives only in the test (as concurrently's fake commands do): it prints, and so
 * becomes ready for a log check, and exits when the test says; it takes signals as told.
 */
export class FakeProcess implements RunningProcess {
  /** The signals it was sent, in order. */
  readonly signals: NodeJS.Signals[] = [];
  readonly exit: Promise<Exit>;
  exited?: Exit;
  private readonly ignored = new Set<NodeJS.Signals>();
  private resolveExit: (exit: Exit) => void = () => {};

  constructor(
    readonly pid: number,
    readonly tag: string,
    private readonly output: Output,
  ) {
    this.exit = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  print(...lines: string[]): this {
    this.output("stdout", LineBlock.of(lines));
    return this;
  }

  /** Exits with `exitCode`, or dies of `signal`. */
  end(exitCode: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.exited) return;
    this.exited = { exitCode, signal };
    this.resolveExit(this.exited);
  }

  /** Lives on through these signals, as a process whose handler does not exit; SIGKILL cannot be ignored. */
  ignore(...signals: NodeJS.Signals[]): this {
    for (const signal of signals) this.ignored.add(signal);
    return this;
  }

  /** A signal arrives: it ends the process, unless the process ignores it. */
  deliver(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    if (signal === "SIGKILL" || !this.ignored.has(signal)) this.end(null, signal);
  }
}

/** What a fake service does once spawned: print, exit, ignore signals, now or later on the clock. */
export type Script = (process: FakeProcess, clock: VirtualClock, spawnIndex: number) => void;

/**
 * A ServiceRuntime of fake processes on a virtual clock, for the engine's timing in virtual time.
 * Readiness runs the real log check (ready.ts) on the virtual clock: give it plain text, which is
 * matched at once (a regular expression goes to the pattern thread, in real time). tcp, http and
 * exec checks need real sockets and processes, and are left to the real-process tests: here only
 * the ports they name count, for the check that a port is free before each run.
 */
export class FakeRuntime implements ServiceRuntime {
  readonly clock = new VirtualClock();
  readonly processes: FakeProcess[] = [];
  /** Processes that runs left behind (a daemon a one-shot started), carrying their run's tag. */
  readonly leftovers: FakeProcess[] = [];
  /** When set, spawning fails with it, as for a command that cannot be found. */
  spawnError?: Error;
  /** Ports held by programs outside the project: port → who holds it. */
  readonly portsTaken = new Map<number, string>();
  /** Each port the engine asked about, and when. */
  readonly portChecks: { port: number; at: number }[] = [];
  /** Each time the engine ended what earlier runs left: the tags, the signal, and when. */
  readonly leftoverEnds: { tags: string[]; signal: NodeJS.Signals; at: number }[] = [];
  /**
   * What a health check of the service answers, at once, on its attempt number `attempt` (from 0,
   * counted over the whole test): the real health loop runs on the virtual clock around it.
   */
  healthAnswer: (service: string, attempt: number) => HealthAttempt = () => ({ ok: true });
  /** Each health attempt: the service and when it began. */
  readonly healthAttempts: { service: string; at: number }[] = [];
  private nextPid = 1_000;

  constructor(private readonly script: Script = () => {}) {}

  get last(): FakeProcess {
    const last = this.processes.at(-1);
    if (!last) throw new Error("no process was spawned");
    return last;
  }

  /** A process that `parent`'s run leaves behind, in its tree (its tag). */
  leaveBehind(parent: FakeProcess): FakeProcess {
    const left = new FakeProcess(this.nextPid++, parent.tag, () => {});
    this.leftovers.push(left);
    return left;
  }

  async spawn(service: Service, onLines: Output): Promise<FakeProcess> {
    if (this.spawnError) throw this.spawnError;
    const process = new FakeProcess(this.nextPid++, `${service.name}.${this.processes.length + 1}`, onLines);
    this.processes.push(process);
    this.script(process, this.clock, this.processes.length - 1);
    return process;
  }

  // As kill-tree does: the signal, then SIGKILL to what is left once the grace period is over.
  async killTree(pid: number, options: { signal: NodeJS.Signals; tag: string; graceOver: AbortSignal }): Promise<{ forced: boolean }> {
    // The tree's leftovers carry its tag: kill-tree finds them by it.
    return this.end([...this.processes, ...this.leftovers].filter((p) => p.pid === pid || (p.tag === options.tag && p.running)), options);
  }

  async endTagged(treeTags: readonly string[], options: { signal: NodeJS.Signals; graceOver: AbortSignal }): Promise<number> {
    this.leftoverEnds.push({ tags: [...treeTags], signal: options.signal, at: this.clock.now() });
    const tagged = this.leftovers.filter((p) => p.running && treeTags.includes(p.tag));
    await this.end(tagged, options);
    return tagged.length;
  }

  ready$(spec: ReadySpec, context: ReadyContext): Observable<ReadyResult> {
    if (!spec.log) throw new Error("the fake runtime judges readiness by a log check: give the service one");
    const { tcp: _tcp, http: _http, exec: _exec, ...logOnly } = spec;
    return readyChecks$(logOnly, {
      lines$: context.lines$,
      cwd: context.service.workingDir,
      env: {},
      scheduler: this.clock,
      ...(context.onUnready ? { onUnready: context.onUnready } : {}),
    }).pipe(map((outcome): ReadyResult => (outcome.ok ? { ok: true } : { ok: false, reasons: outcome.reasons })));
  }

  health$(spec: HealthSpec, { service }: { service: Service }): Observable<HealthVerdict> {
    const attempt = (): Observable<HealthAttempt> =>
      defer(() => {
        const number = this.healthAttempts.filter((a) => a.service === service.name).length;
        this.healthAttempts.push({ service: service.name, at: this.clock.now() });
        return of(this.healthAnswer(service.name, number));
      });
    return healthVerdicts$(attempt, spec, this.clock);
  }

  async portHolder(_host: string, port: number): Promise<string | undefined> {
    this.portChecks.push({ port, at: this.clock.now() });
    return this.portsTaken.get(port);
  }

  private async end(processes: FakeProcess[], { signal, graceOver }: { signal: NodeJS.Signals; graceOver: AbortSignal }): Promise<{ forced: boolean }> {
    const alive = (): FakeProcess[] => processes.filter((p) => p.running);
    if (signal !== "SIGKILL" && !graceOver.aborted) {
      for (const process of alive()) process.deliver(signal);
      if (alive().length > 0) await Promise.race([Promise.all(alive().map((p) => p.exit)), aborted(graceOver)]);
    }
    const forced = alive().length > 0 && signal !== "SIGKILL";
    for (const process of alive()) process.deliver("SIGKILL");
    return { forced };
  }
}
