import { asyncScheduler, map } from "rxjs";
import { randomUUID } from "node:crypto";
import { runChild, type Child } from "../process/child-runner.js";
import { openNotifySocket } from "../process/notify-socket.js";
import { prefetchOutputPipes } from "../process/output-pipes.js";
import { killTagged, killTree } from "../process/kill-tree.js";
import { descendsFrom, describePortHolder, findPortHolder, isPortTaken } from "../readiness/port-holder.js";
import { patternThread } from "../readiness/pattern-thread.js";
import { healthChecks$ } from "../readiness/health.js";
import { readyChecks$ } from "../readiness/ready.js";
import { socketChanges$ } from "../readiness/socket-changes.js";
import type { Service } from "../manifest/types.js";
import type { ServiceRuntime } from "./runtime.js";

/**
 * Where sbx itself runs under systemd, these tell sbx's own socket and watchdog: a service must
 * not say READY=1 in sbx's name. A service with `ready.notify` gets its own.
 */
const SBX_OWN_NOTIFY = new Set(["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]);

/** A service's full environment: sbx's own (or `base`), then what the manifest gives it. */
export function serviceEnvironment(service: Pick<Service, "environment" | "user">, base: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && !SBX_OWN_NOTIFY.has(key)) env[key] = value;
  // Run as another user, a service has that user's home and name, as login(1) gives them, not
  // sbx's (a HOME of /root is unreadable to it); what the manifest sets wins.
  const user = service.user;
  if (user?.home) env.HOME = user.home;
  if (user?.name) env.USER = env.LOGNAME = user.name;
  return Object.assign(env, service.environment);
}

/**
 * What systemd gives a Type=notify service: NOTIFY_SOCKET, and with a watchdog WATCHDOG_USEC, the
 * period within which it must send WATCHDOG=1 (sd_watchdog_enabled(3) reads it). WATCHDOG_PID is
 * left out: the service's pid is not known before it starts, and without it any process may send.
 */
function notifyEnvironment(path: string, watchdogMs: number | undefined): Record<string, string> {
  return { NOTIFY_SOCKET: path, ...(watchdogMs === undefined ? {} : { WATCHDOG_USEC: String(watchdogMs * 1000) }) };
}

/** A tag unique to one run of one service: `api.1f0c…`. */
export function newTreeTag(service: string): string {
  return `${service}.${randomUUID()}`;
}

/**
 * A grace period whose end the engine tells (`graceOver`, on its clock): kill-tree's own deadline
 * is then only "now" for one that is already over, and otherwise never comes.
 */
const untilOver = (graceOver: AbortSignal): number => (graceOver.aborted ? 0 : Infinity);

const clock = asyncScheduler;

/** The exit of each service process running, by pid: a kill of its tree looks again as soon as it comes. */
const leaderExits = new Map<number, Promise<void>>();

/** The real runtime: processes, signals and sockets of this machine, in real time. */
export const defaultRuntime: ServiceRuntime = {
  clock,

  prepare(services) {
    // The pattern thread takes some milliseconds to start: not while a service's first line waits.
    if (services.some((service) => service.ready?.log !== undefined)) patternThread().warmUp();
    // The pipes of those that start at once are made while the project sets up (its socket, its
    // port checks), not after; a service that waits for others gets its own when it starts,
    // rather than holding four descriptors open meanwhile.
    void prefetchOutputPipes(services.filter((service) => service.dependsOn.length === 0).length);
  },

  async spawn(service, onLines) {
    // The engine keeps its timeout and its stops on its own clock: the child gets neither.
    const user = service.user ? { user: service.user } : {};
    const notify = service.ready?.notify ? await openNotifySocket(service.user ? { owner: service.user } : {}) : undefined;
    const env = { ...serviceEnvironment(service), ...(notify ? notifyEnvironment(notify.path, service.ready?.watchdogMs) : {}) };
    let child: Child;
    try {
      child = await runChild(service.command, { cwd: service.workingDir, env, tag: newTreeTag(service.name), onLines, ...user });
    } catch (error) {
      await notify?.close();
      throw error;
    }
    leaderExits.set(child.pid, child.exited);
    void child.exited.then(() => leaderExits.delete(child.pid));
    // Its last lines are judged by a log check before its exit is: "ready, then exited 0" is not
    // "exited before it was ready".
    const exit = child.end.then(async ({ status }) => {
      await Promise.all([patternThread().settled(), notify?.close()]);
      return status;
    });
    return { pid: child.pid, tag: child.tag, exit, ...(notify ? { notify$: notify.state$ } : {}) };
  },

  // The engine's tags are minted by this process's runner: only processes started since can carry them.
  killTree: (pid, { signal, tag, graceOver }) => {
    const leaderExited = leaderExits.get(pid);
    return killTree(pid, { signal, tag, tagIsOurs: true, graceOver, gracePeriodMs: untilOver(graceOver), ...(leaderExited ? { leaderExited } : {}) });
  },

  endTagged: (treeTags, { signal, graceOver }) =>
    treeTags.length === 0 ? Promise.resolve(0) : killTagged({ trees: treeTags, ours: true }, { signal, graceOver, gracePeriodMs: untilOver(graceOver) }),

  ready$(spec, context) {
    return readyChecks$(spec, {
      ...(context.notify$ ? { notify$: context.notify$ } : {}),
      lines$: context.lines$,
      cwd: context.service.workingDir,
      env: serviceEnvironment(context.service),
      ...(context.service.user ? { user: context.service.user } : {}),
      scheduler: clock,
      socketChanges$: socketChanges$(),
      ...(context.onUnready ? { onUnready: context.onUnready } : {}),
    }).pipe(
      map((outcome) => (outcome.ok ? { ok: true as const } : { ok: false as const, reasons: outcome.reasons })),
    );
  },

  health$(spec, { service }) {
    return healthChecks$(spec, { cwd: service.workingDir, env: serviceEnvironment(service), ...(service.user ? { user: service.user } : {}), scheduler: clock });
  },

  async portHolder(host, port, ownPids) {
    if (!(await isPortTaken(host, port))) return undefined;
    const holder = findPortHolder(port);
    if (holder?.pid !== undefined && descendsFrom(holder.pid, ownPids)) return undefined;
    return describePortHolder(holder ?? {});
  },
};
