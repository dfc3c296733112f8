import { randomUUID } from "node:crypto";
import { defaults } from "../defaults.js";
import { serviceEnvironment } from "../engine/default-runtime.js";
import { describeExit } from "../engine/describe-exit.js";
import type { Orchestrator } from "../engine/orchestrator.js";
import { instanceOf } from "../manifest/instances.js";
import type { Command, Service, WatchSpec } from "../manifest/types.js";
import { runChild } from "../process/child-runner.js";
import { watchFileChanges, type FileChanges } from "../process/file-changes.js";
import type { LineBlock } from "../process/line-block.js";

/** How many changed files an event names; the rest are counted. */
const NAMED_FILES = 10;

export interface WatchRestartsOptions {
  /** Variables under each service's own (up()'s `env`, the colour variables), as its runs get them. */
  baseEnvironment?: Readonly<Record<string, string>>;
  /** Variables over each service's own: the project's tags, so that a build is one of the project's processes. */
  environment?: Readonly<Record<string, string>>;
}

/**
 * `sbx up --watch`: watches the files of each service that declares `watch:` and, once they have
 * been quiet for its debounce, restarts it through the orchestrator (with the dependents that
 * restart with it), after its `watch.command` when its action is `exec`. Restarts run one at a
 * time for the whole project: a change during one (or during its build) is gathered and acted on
 * once it is over, so that changes never pile up into overlapping restarts.
 */
export class WatchRestarts {
  private readonly watchers: FileChanges[] = [];
  /** Changed files of each service not acted on yet, relative to its working directory. */
  private readonly pending = new Map<string, Set<string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Services whose files have been quiet for their debounce, in the order they became due. */
  private readonly due = new Set<string>();
  private draining?: Promise<void>;
  private readonly closing = new AbortController();

  private constructor(
    private readonly orchestrator: Orchestrator,
    private readonly specs: ReadonlyMap<string, WatchSpec>,
    private readonly options: WatchRestartsOptions,
  ) {}

  /** Starts watching; resolves once every watcher has scanned its paths, so that a change from then on is seen. */
  static async start(orchestrator: Orchestrator, services: readonly Service[], options: WatchRestartsOptions = {}): Promise<WatchRestarts> {
    // One watcher a service of the manifest, however many instances it runs (`replicas`): they share
    // its files, and a change restarts every one of them.
    const watched = new Map<string, Service & { watch: WatchSpec }>();
    for (const service of services) {
      const name = instanceOf(service).service;
      if (service.watch && !watched.has(name)) watched.set(name, { ...service, watch: service.watch });
    }
    const restarts = new WatchRestarts(orchestrator, new Map([...watched].map(([name, service]) => [name, service.watch])), options);
    for (const [name, service] of watched) {
      restarts.watchers.push(
        watchFileChanges({ paths: service.watch.paths, ignore: service.watch.ignore, base: service.workingDir, onChange: (path) => restarts.changed(name, path) }),
      );
    }
    await Promise.all(restarts.watchers.map((watcher) => watcher.ready));
    return restarts;
  }

  /** Stops watching, drops what was pending, ends a build under way, and waits for the restart under way. */
  async close(): Promise<void> {
    this.closing.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
    this.due.clear();
    await Promise.all(this.watchers.map((watcher) => watcher.close()));
    await this.draining;
  }

  private changed(name: string, path: string): void {
    if (this.closing.signal.aborted) return;
    const spec = this.specs.get(name) as WatchSpec;
    let files = this.pending.get(name);
    if (!files) this.pending.set(name, (files = new Set()));
    files.add(path);
    clearTimeout(this.timers.get(name));
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        this.due.add(name);
        this.drain();
      }, spec.debounceMs),
    );
  }

  private drain(): void {
    if (this.draining || this.closing.signal.aborted) return;
    this.draining = (async () => {
      for (const name of this.due) {
        this.due.delete(name);
        const files = this.pending.get(name);
        this.pending.delete(name);
        if (files && files.size > 0 && !this.closing.signal.aborted) await this.act(name, [...files].sort());
      }
    })().finally(() => {
      this.draining = undefined;
      if (this.due.size > 0) this.drain();
    });
  }

  /** `name`: the manifest's service, whose instances (itself, or `api.0` …) all restart. */
  private async act(name: string, files: string[]): Promise<void> {
    // Gone from the run (an apply removed it), or stopped on purpose (sbx stop): nothing to restart, nothing to tell.
    const instances = this.orchestrator.instancesOf(name).filter((instance) => this.orchestrator.state(instance)?.status !== "stopped");
    const service = instances[0] === undefined ? undefined : this.orchestrator.runDefinition(instances[0]);
    if (!service) return;
    const spec = this.specs.get(name) as WatchSpec;
    const dependents = [...new Set(instances.flatMap((instance) => this.orchestrator.restartDependents(instance)))].filter((dependent) => !instances.includes(dependent));
    const command = spec.action === "exec" ? spec.command : undefined;
    this.orchestrator.publishWatchEvent({
      type: "files-changed",
      service: name,
      time: Date.now(),
      files: files.slice(0, NAMED_FILES),
      count: files.length,
      action: spec.action,
      ...(command ? { command: commandText(command) } : {}),
      dependents,
    });
    if (command && !(await this.runCommand(name, service, command))) return;
    if (this.closing.signal.aborted) return;
    try {
      await this.orchestrator.restartTogether([...instances, ...dependents]);
    } catch {
      // The project is stopping (sbx down, Ctrl-C): no restart is wanted any more.
    }
  }

  /**
   * Runs `watch.command` as `sbx exec` would, in the service's working directory with its
   * environment and user; its output goes to the service's log (and so to the terminal and sbx
   * logs). True when it exits 0; a failure is published, with its last lines.
   */
  private async runCommand(name: string, service: Service, command: Command): Promise<boolean> {
    const log = this.orchestrator.serviceLog(service.name);
    const lastLines: string[] = [];
    const onLines = (stream: "stdout" | "stderr", block: LineBlock): void => {
      log?.appendLines(stream, block);
      for (const line of block.lines) if (line.trim() !== "") lastLines.push(line);
      if (lastLines.length > defaults.failureLogLines) lastLines.splice(0, lastLines.length - defaults.failureLogLines);
    };
    const env = serviceEnvironment({ environment: { ...this.options.baseEnvironment, ...service.environment, ...this.options.environment }, ...(service.user ? { user: service.user } : {}) });
    const text = commandText(command);
    let message: string;
    let exitCode: number | null = null;
    let signal: NodeJS.Signals | null = null;
    try {
      const child = await runChild(command, {
        cwd: service.workingDir,
        env,
        ...(service.user ? { user: service.user } : {}),
        tag: `watch.${service.name}.${randomUUID()}`,
        onLines,
        signal: this.closing.signal,
      });
      const end = await child.end;
      if (end.status.exitCode === 0) return true;
      // Ended because the project stops: no failure to tell.
      if (this.closing.signal.aborted) return false;
      ({ exitCode, signal } = end.status);
      message = `${text} ${describeExit(exitCode, signal)}`;
    } catch (error) {
      message = `${text} could not start: ${(error as Error).message}`;
    }
    this.orchestrator.publishWatchEvent({ type: "watch-command-failed", service: name, time: Date.now(), command: text, message, exitCode, signal, lastLines });
    return false;
  }
}

function commandText(command: Command): string {
  return command.kind === "shell" ? command.script : command.argv.join(" ");
}
