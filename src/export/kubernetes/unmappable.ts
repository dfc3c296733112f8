import { defaults } from "../../defaults.js";
import type { Service } from "../../manifest/types.js";
import type { ExportContext, ExportWarning, Workload } from "./context.js";
import { otherChecks } from "./probes.js";

/** One key that the cluster cannot carry over, or not in full: what the warning says when a service sets it. */
interface UnmappableKey {
  /** The key under the service, as written. */
  key: string;
  /** The warning's text when the service's value cannot be carried over; undefined when it can. */
  check(service: Service, workload: Workload, ctx: ExportContext): string | undefined;
}

const isNumeric = (text: string): boolean => /^\d+(:\d+)?$/.test(text);

/**
 * Every key that the export drops or changes, in one table: each warns naming the service, so
 * that nothing is dropped in silence. A new key that has no Kubernetes equivalent gets a row here.
 */
export const unmappableKeys: readonly UnmappableKey[] = [
  {
    key: "ready.log",
    check: (s) =>
      s.ready?.log === undefined
        ? undefined
        : `a log line has no probe equivalent (a probe cannot read the container's output): ${readyKept(s)}write an exec check instead, such as ready: { exec: "curl -fsS localhost:8080/health" }`,
  },
  {
    key: "ready.notify",
    check: (s) =>
      s.ready?.notify === undefined
        ? undefined
        : `sd_notify (READY=1${s.ready.watchdogMs === undefined ? "" : ", WATCHDOG=1"}) has no Kubernetes equivalent: ${readyKept(s)}add a tcp, http or exec check for the cluster`,
  },
  {
    key: "ready",
    check: (s) => (s.ready && otherChecks(s.ready).length > 0 ? `a probe takes one check: the ${probeKind(s.ready)} check is kept, ${otherChecks(s.ready).join(" and ")} dropped` : undefined),
  },
  {
    key: "health",
    check: (s) => {
      if (!s.health) return undefined;
      const told = [
        ...(otherChecks(s.health).length > 0 ? [`a probe takes one check: the ${probeKind(s.health)} check is kept, ${otherChecks(s.health).join(" and ")} dropped`] : []),
        ...(s.restart.policy === "no" ? ['a failing livenessProbe restarts the container; with restart: "no" sbx leaves it running, unhealthy'] : []),
      ];
      return told.length > 0 ? told.join("; ") : undefined;
    },
  },
  {
    key: "restart",
    check: (s, workload) => {
      const r = s.restart;
      if (workload === "job") {
        if (r.policy === "always" || r.policy === "unless-stopped") return `${r.policy}: a Job's pod is restarted on failure only, not run again once it succeeds`;
        if (r.policy === "on-failure" && r.maxRestarts === Infinity) return "on-failure without max_restarts: a Job's backoffLimit is finite, Kubernetes' default of 6 is kept";
      } else {
        if (r.policy === "on-failure") return "on-failure: a Deployment's pods are restarted whenever they end, success or not (restartPolicy Always)";
        if (r.maxRestarts !== Infinity) return `max_restarts ${r.maxRestarts}: a Deployment's pods are restarted without a limit`;
      }
      const custom = r.backoffMs !== defaults.restartBackoffMs || r.maxBackoffMs !== defaults.restartMaxBackoffMs || r.minUptimeMs !== defaults.restartMinUptimeMs;
      return custom ? "backoff, max_backoff and min_uptime: the kubelet's own back-off applies (10s, doubling up to 5m)" : undefined;
    },
  },
  {
    key: "timeout",
    check: (s, workload) =>
      s.timeoutMs !== undefined && workload === "deployment" ? "a Deployment's pods have no deadline (a Job's activeDeadlineSeconds has): set kubernetes: { workload: job } if it runs to an end" : undefined,
  },
  {
    key: "logs",
    check: (s) =>
      s.logs.maxSize !== defaults.logMaxSize || s.logs.maxFiles !== defaults.logMaxFiles ? "the cluster's own log rotation applies (the kubelet's containerLogMaxSize and containerLogMaxFiles)" : undefined,
  },
  {
    key: "watch",
    check: (s) => (s.watch === undefined ? undefined : "restarting on file changes is the dev loop's (sbx up --watch), as are the depends_on restarts that follow it: a cluster runs built images"),
  },
  {
    key: "replicas",
    check: (s, workload) =>
      workload === "job" && s.kubernetes?.replicas === undefined && s.replicas !== undefined && s.replicas !== 1
        ? `a Job runs one pod to its end: the ${s.replicas} local instances are not carried over (set kubernetes.replicas on a deployment instead)`
        : undefined,
  },
  {
    key: "kubernetes.replicas",
    check: (s, workload) =>
      workload === "job" && s.kubernetes?.replicas !== undefined ? `a Job runs one pod to its end: replicas ${s.kubernetes.replicas} is left out` : undefined,
  },
  {
    key: "user",
    check: (s) =>
      s.user?.written !== undefined && !isNumeric(s.user.written)
        ? `"${s.user.written}" is a name, which only the image's /etc/passwd can tell: runAsUser takes a number, so it is left out (write user: UID or UID:GID)`
        : undefined,
  },
];

function probeKind(spec: { http?: unknown; tcp?: unknown; exec?: unknown }): string {
  return spec.http !== undefined ? "http" : spec.tcp !== undefined ? "tcp" : "exec";
}

function readyKept(s: Service): string {
  const kept = s.ready && (s.ready.http ?? s.ready.tcp ?? s.ready.exec);
  return kept ? `the ${probeKind(s.ready as object)} check is kept; ` : "the service gets no readinessProbe; ";
}

/** The warnings for one service, in the table's order. */
export function unmappableWarnings(service: Service, workload: Workload, ctx: ExportContext): ExportWarning[] {
  const out: ExportWarning[] = [];
  for (const { key, check } of unmappableKeys) {
    const message = check(service, workload, ctx);
    if (message !== undefined) out.push({ service: service.name, key, message });
  }
  return out;
}
