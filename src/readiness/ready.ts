import { asyncScheduler, catchError, combineLatest, defer, filter, map, merge, NEVER, Observable, of, share, take, tap, timer, type SchedulerLike } from "rxjs";
import { defaults } from "../defaults.js";
import type { ReadySpec } from "../manifest/types.js";
import type { NotifyState } from "../process/notify-socket.js";
import { execProbe } from "./exec-check.js";
import { httpProbe } from "./http-check.js";
import { logMatch$ } from "./log-check.js";
import { poll$, type ProbeResult } from "./poll.js";
import { tcpProbe } from "./tcp-check.js";

export type ReadyOutcome = { ok: true } | { ok: false; reasons: string[] };

export interface ReadyChecksContext {
  /** The lines of the service's current run, from its first on, then live. */
  lines$: Observable<{ text: string }>;
  cwd: string;
  env: Record<string, string>;
  /** The user the service runs as: its exec check runs as it too, as a container's healthcheck does. */
  user?: { uid: number; gid: number };
  scheduler?: SchedulerLike;
  /** Told the checks that have not passed, each with its last failure (`tcp 127.0.0.1:8080: connection refused`), whenever that changes. */
  onUnready?: (reasons: string[]) => void;
  /**
   * Emits when a socket may have begun listening (socketChanges$): tcp and http checks that found
   * their port closed try again then. None, and they keep to their schedule.
   */
  socketChanges$?: Observable<unknown>;
  /** What the service has said on its NOTIFY_SOCKET, for `notify`: none, and the check waits for ever (to its timeout). */
  notify$?: Observable<NotifyState>;
}

interface NamedCheck {
  /** `tcp 127.0.0.1:8080`: how the check is named in a failure report. */
  label: string;
  passed$: Observable<CheckResult>;
  lastReason: string;
  /** Whether it may fail for good before the timeout (only a log check can); its results are then shared. */
  mayFailForGood?: boolean;
}

/** A probe's result, or a failure after which the check can never pass (a log pattern that ran away). */
type CheckResult = ProbeResult | { ok: false; reason: string; final: true };

/**
 * Every check of a `ready` block at once: emits `{ ok: true }` when all have passed, or after the
 * timeout `{ ok: false, reasons }` with each unpassed check's last failure. Probing stops the
 * moment a check passes, and everything stops on unsubscribe.
 */
export function readyChecks$(spec: ReadySpec, context: ReadyChecksContext): Observable<ReadyOutcome> {
  return defer(() => {
    const scheduler = context.scheduler ?? asyncScheduler;
    // A single attempt may take up to one interval, at least a second, at most the whole timeout.
    const attemptMs = Math.min(spec.timeoutMs, Math.max(spec.intervalMs, 1_000));
    const checks: NamedCheck[] = [];
    let toldUnready = "";
    const tellUnready = (): void => {
      if (!context.onUnready) return;
      const reasons = checks.filter((c) => c.lastReason !== "passed").map((c) => `${c.label}: ${c.lastReason}`);
      const text = reasons.join("\n");
      if (reasons.length === 0 || text === toldUnready) return;
      toldUnready = text;
      context.onUnready(reasons);
    };
    const add = (label: string, results$: Observable<ProbeResult>): void => {
      const check: NamedCheck = { label, lastReason: "not checked yet", passed$: results$ };
      check.passed$ = results$.pipe(
        tap((result) => {
          check.lastReason = result.ok ? "passed" : result.reason;
          tellUnready();
        }),
      );
      checks.push(check);
    };
    // A refused connect is cheap: port checks ramp up to their interval and take nudges. An exec
    // check starts a process each time: it keeps to its interval.
    const portPolling = { scheduler, rampFromMs: defaults.readyRampFromMs, ...(context.socketChanges$ ? { nudges$: context.socketChanges$ } : {}) };
    if (spec.tcp) add(`tcp ${hostPort(spec.tcp.host, spec.tcp.port)}`, poll$(tcpProbe(spec.tcp, attemptMs), spec.intervalMs, portPolling));
    if (spec.http) add(`http ${spec.http.url}`, poll$(httpProbe(spec.http, attemptMs), spec.intervalMs, portPolling));
    if (spec.exec) add(`exec ${commandLabel(spec.exec)}`, poll$(execProbe(spec.exec, { cwd: context.cwd, env: context.env, ...(context.user ? { user: context.user } : {}) }), spec.intervalMs, { scheduler }));
    if (spec.notify) {
      const notify$ = context.notify$ ?? NEVER;
      add("notify", notify$.pipe(map((state): ProbeResult => (state.ready ? { ok: true } : { ok: false, reason: "no READY=1 on NOTIFY_SOCKET yet" }))));
    }
    if (spec.log) {
      const pattern = spec.log.pattern;
      const check: NamedCheck = { label: `log /${pattern.source}/`, lastReason: `no line matched /${pattern.source}/ yet`, passed$: new Observable(), mayFailForGood: true };
      check.passed$ = logMatch$(context.lines$, pattern).pipe(
        map((): CheckResult => ({ ok: true })),
        catchError((error: unknown) => of<CheckResult>({ ok: false, reason: error instanceof Error ? error.message : String(error), final: true })),
        tap((result) => {
          check.lastReason = result.ok ? "passed" : result.reason;
          tellUnready();
        }),
        share(),
      );
      checks.push(check);
    }

    // What is awaited, from the start: a log check may not say anything else until it passes.
    tellUnready();
    const allPassed$ = combineLatest(checks.map((check) => check.passed$.pipe(filter((r) => r.ok), take(1)))).pipe(map((): ReadyOutcome => ({ ok: true })));
    // A check that can never pass ends the wait at once, with its reason.
    const hopeless$ = merge(
      ...checks.filter((check) => check.mayFailForGood).map((check) =>
        check.passed$.pipe(
          filter((r) => !r.ok && "final" in r),
          take(1),
          map((): ReadyOutcome => ({ ok: false, reasons: [`${check.label}: ${check.lastReason}`] })),
        ),
      ),
    );
    const timedOut$ = timer(spec.timeoutMs, scheduler).pipe(
      map((): ReadyOutcome => ({ ok: false, reasons: checks.filter((c) => c.lastReason !== "passed").map((c) => `${c.label}: ${c.lastReason}`) })),
    );
    return merge(allPassed$, hopeless$, timedOut$).pipe(take(1));
  });
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function commandLabel(command: ReadySpec["exec"] & object): string {
  return command.kind === "shell" ? command.script : command.argv.join(" ");
}
