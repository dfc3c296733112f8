/**
 * The engine's events: the single source of truth about every service. The terminal renderer,
 * the control API, the Sandbox API and the tests all read this stream, and the state of a service
 * at any moment is the fold of its events (see service-state.ts).
 */

/**
 * What went wrong, for whoever must act on it (statuses, abort policies, exit codes) without
 * reading the words of the message:
 * - `spawn-failed`: its command could not be started at all (not found, not executable);
 * - `exited`: its process exited on its own, with a non-zero code, by a signal, or before it was ready;
 * - `not-ready`: its ready checks did not pass in time (across restarts: a crash loop ends so too);
 * - `timed-out`: it was stopped after its `timeout`;
 * - `watchdog`: ready, it sent no WATCHDOG=1 within its `ready.watchdog`, and was ended;
 * - `port-taken`: a port its checks name was held by another program before a run; for one skipped,
 *   another service's was, before anything started (then nothing starts);
 * - `dependency`: a dependency can no longer meet its condition (the service was skipped);
 * - `unhealthy`: its `health` checks failed `retries` times in a row after it was ready.
 */
export type FailureKind = "spawn-failed" | "exited" | "not-ready" | "timed-out" | "watchdog" | "port-taken" | "dependency" | "unhealthy";

/** Why a service failed for good or was skipped: enough to act on without opening a log file. */
export interface FailureReason {
  kind: FailureKind;
  /** One line, e.g. `exited with code 1 before it was ready` or `not ready after 30s: tcp 127.0.0.1:8080: connection refused`. */
  message: string;
  /** How its last run ended when it exited on its own (`exited`, and `not-ready` after a crash loop). */
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** The last lines the service printed. */
  lastLines: string[];
}

interface EventBase {
  service: string;
  /** Epoch milliseconds. */
  time: number;
}

export type ServiceEvent = EventBase &
  (
    | { type: "waiting"; on: string[] }
    /** With the run's ports by name and the service's URL, when it declares ports. */
    | { type: "starting"; run: number; command: string; ports?: Record<string, number>; url?: string }
    /** An `auto` port of the service was taken by another process (before a run, or as a run failed with EADDRINUSE): the start is tried again on `next`. */
    | { type: "port-taken"; run: number; port: string; taken: number; next: number }
    | { type: "running"; run: number; pid: number }
    | { type: "ready"; run: number; afterMs: number; checked: boolean }
    /** What the service said of itself with STATUS= on its NOTIFY_SOCKET (`ready.notify`), each time it changes. */
    | { type: "status-text"; run: number; text: string }
    /** The ready checks that have not passed yet, each with its last failure: told when that changes. */
    | { type: "unready"; run: number; reasons: string[] }
    /**
     * Its `health` checks failed `failures` times in a row once it was ready (each check's last
     * failure). With a restart policy that allows it, the run is then ended as a failure and
     * restarted; without, it goes on running, unhealthy. Dependents that already started are not
     * touched: they see this event.
     */
    | { type: "unhealthy"; run: number; reasons: string[]; failures: number }
    /** Its `health` checks passed: the first time in this run (`again` false), or again after it was unhealthy. */
    | { type: "healthy"; run: number; again: boolean }
    | { type: "exited"; run: number; exitCode: number | null; signal: NodeJS.Signals | null; onPurpose: boolean; uptimeMs: number }
    /** `why` tells a run that sbx ended itself (its watchdog went silent); an exit is told by its `exited` event. */
    | { type: "restarting"; run: number; delayMs: number; restarts: number; why?: string }
    | { type: "completed"; run: number }
    | { type: "failed"; reason: FailureReason }
    | { type: "skipped"; reason: FailureReason }
    | { type: "stopping"; signal: NodeJS.Signals }
    | { type: "stopped"; forced: boolean }
    /** Its log file could not be written (a full disk): told once; its lines still reach the terminal and followers. */
    | { type: "log-failed"; path: string; code: string; message: string }
    /**
     * The manifest was applied (`sbx up -d` on a running project, `sbx restart`) and the service is
     * started anew from its new definition: `changed` names the manifest keys that differ (none
     * when a restart was asked for all the same). Its last run has ended; what waits for it to be
     * ready waits for the new one.
     */
    | { type: "updated"; changed: string[] }
    /** The service is no longer in the manifest: it has been stopped and is no part of the project any more. */
    | { type: "removed" }
    /**
     * Files it watches changed (`watch:`, under `sbx up --watch`), after its debounce: `files` are
     * the first few, relative to its working directory, of `count` in all. With `action: exec` its
     * `watch.command` runs now, then (if it exits 0) the restart follows; with `restart` the restart
     * follows at once, with the `dependents` that declare `depends_on: { it: { restart: true } }`.
     * The restart is told by the usual events (stopping, stopped, starting, running, ready).
     */
    | { type: "files-changed"; files: string[]; count: number; action: "restart" | "exec"; command?: string; dependents: string[] }
    /** Its `watch.command` failed (a non-zero exit, a signal, or it could not start): it was not restarted and runs on as it was. */
    | { type: "watch-command-failed"; command: string; message: string; exitCode: number | null; signal: NodeJS.Signals | null; lastLines: string[] }
  );

export type ServiceEventType = ServiceEvent["type"];
