import type { LineBlock } from "../process/line-block.js";
import type { NotifyState } from "../process/notify-socket.js";
import type { Observable, SchedulerLike } from "rxjs";
import type { HealthSpec, ReadySpec, Service } from "../manifest/types.js";
import type { HealthVerdict } from "../readiness/health.js";

/** A started process: the leader of its own process group. */
export interface RunningProcess {
  pid: number;
  /** The SBX_TREE_ID its whole tree carries in its environment. */
  tag: string;
  /** Settles once the process has exited and its output has been read to the end. */
  exit: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  /** For a service with `ready.notify`: what it has said on its NOTIFY_SOCKET, as it says it; completes when the run is over. */
  notify$?: Observable<NotifyState>;
}

export type ReadyResult = { ok: true } | ReadyFailure;

/** Readiness that did not come in time: the last failure of each check (`tcp 127.0.0.1:8080: connection refused`). */
export interface ReadyFailure {
  ok: false;
  reasons: string[];
}

export interface ReadyContext {
  service: Service;
  /** The lines of the current run, from its first one on, then live. */
  lines$: Observable<{ text: string }>;
  /** Told the checks that have not passed, each with its last failure, whenever that changes. */
  onUnready?: (reasons: string[]) => void;
  /** What the run has said on its NOTIFY_SOCKET (`ready.notify`). */
  notify$?: Observable<NotifyState>;
}

/**
 * What the engine does to the outside world, in one place: spawning, killing process trees,
 * probing readiness, finding who holds a port, and the time. The default is real
 * (default-runtime.ts); tests may wrap it, or replace it with fake processes on a virtual clock.
 */
export interface ServiceRuntime {
  /**
   * The time the engine counts in: restart backoff, grace periods, a service's `timeout`, the
   * ready timeout, and the times of events. Real time by default (asyncScheduler).
   */
  readonly clock: SchedulerLike;
  /** Told once which services will run, before any starts: what takes time to set up can begin. */
  prepare?(services: readonly Service[]): void;
  /** Starts the service's command; rejects when it cannot be started at all. Its output comes to `onLines` in the batches read. */
  spawn(service: Service, onLines: (stream: "stdout" | "stderr", lines: LineBlock) => void): Promise<RunningProcess>;
  /**
   * Ends the process group, every descendant and every process that carries `tag`: `signal` to
   * all, then SIGKILL to what is left once `graceOver` aborts (at once if it already has).
   * Resolves once none of them runs, nor any process with the tag (then none can start again:
   * the engine sweeps the tag no more), telling whether SIGKILL was needed.
   */
  killTree(pid: number, options: { signal: NodeJS.Signals; tag: string; graceOver: AbortSignal }): Promise<{ forced: boolean }>;
  /** Ends every process that carries one of these tree tags (what earlier runs left running): `signal`, then SIGKILL once `graceOver` aborts; resolves once none runs. */
  endTagged(treeTags: readonly string[], options: { signal: NodeJS.Signals; graceOver: AbortSignal }): Promise<number>;
  /** Emits once: ready, or the reasons it was not within the spec's timeout, counted on the clock. */
  ready$(spec: ReadySpec, context: ReadyContext): Observable<ReadyResult>;
  /**
   * The service's health checks once its run is ready, attempted every `intervalMs` on the clock:
   * emits only when its health changes (unhealthy after `retries` failures in a row, healthy
   * again), never completes, and stops every attempt on unsubscribe.
   */
  health$(spec: HealthSpec, context: { service: Service }): Observable<HealthVerdict>;
  /** Who holds `host:port` if something outside `ownPids` does (`pid 123 (python3 -m http.server)`), else undefined. */
  portHolder(host: string, port: number, ownPids: ReadonlySet<number>): Promise<string | undefined>;
}
