import { isAbsolute, join, relative } from "node:path";
import type { Service } from "../../manifest/types.js";
import { containerCommand } from "./command.js";
import type { ExportContext } from "./context.js";
import { containerEnvironment } from "./environment.js";
import { escapeExpansion } from "./expansion.js";
import { serviceLabels, selectorLabels } from "./names.js";
import type { Container, KubeObject } from "./objects.js";
import { healthProbe, readyProbes } from "./probes.js";
import { dependencyWaits, waitAccountName, waitRbac } from "./waits.js";

/**
 * How many pods a Deployment runs: `kubernetes.replicas`, else the instances the service runs
 * locally (`replicas`), else 1. The one place that decides it.
 */
export function deploymentReplicas(service: Service): number {
  return service.kubernetes?.replicas ?? service.replicas ?? 1;
}

/** The container's image: its own, else the default, with the project's registry before one that names none. */
export function containerImage(service: Service, ctx: ExportContext): string | undefined {
  const image = service.kubernetes?.image ?? ctx.defaultImage;
  const registry = ctx.project.kubernetes?.registry;
  if (image === undefined || registry === undefined || namesRegistry(image)) return image;
  return `${registry}/${image}`;
}

/** Whether an image's first part is a registry host (has a dot or a port, or is localhost), as docker reads it. */
function namesRegistry(image: string): boolean {
  const slash = image.indexOf("/");
  if (slash === -1) return false;
  const first = image.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost";
}

/** The working directory in the container: the same place relative to the project, below `workdir`. */
function workingDir(service: Service, ctx: ExportContext): string {
  const rel = relative(ctx.project.dir, service.workingDir);
  if (rel === "") return ctx.workdir;
  return rel.startsWith("..") || isAbsolute(rel) ? service.workingDir : join(ctx.workdir, rel);
}

/** `stop_signal` other than SIGTERM → a preStop hook that sends it to the container's first process, then waits for it to end. */
function stopHook(service: Service): Container["lifecycle"] {
  if (service.stopSignal === "SIGTERM") return undefined;
  const signal = service.stopSignal.replace(/^SIG/, "");
  const script = `kill -${signal} 1; while kill -0 1 2>/dev/null; do sleep 1; done`;
  return { preStop: { exec: { command: ["sh", "-c", script] } } };
}

function securityContext(service: Service): Container["securityContext"] {
  const written = service.user?.written;
  const numeric = written === undefined ? undefined : /^(\d+)(?::(\d+))?$/.exec(written);
  if (!numeric) return undefined;
  return { runAsUser: Number(numeric[1]), ...(numeric[2] === undefined ? {} : { runAsGroup: Number(numeric[2]) }) };
}

function mainContainer(service: Service, name: string, image: string, ctx: ExportContext): Container {
  const { env, envFrom } = containerEnvironment(service, ctx);
  const ports = ctx.ports.get(service.name) ?? [];
  const ready = readyProbes(service, ctx);
  const liveness = healthProbe(service, ctx);
  const lifecycle = stopHook(service);
  const security = securityContext(service);
  const resources = service.kubernetes?.resources;
  return {
    name,
    image,
    command: containerCommand(service.command, service, ctx).map(escapeExpansion),
    workingDir: workingDir(service, ctx),
    ...(env.length > 0 ? { env } : {}),
    ...(envFrom.length > 0 ? { envFrom } : {}),
    ...(ports.length > 0 ? { ports: ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: "TCP" as const })) } : {}),
    ...(ready ?? {}),
    ...(liveness ? { livenessProbe: liveness } : {}),
    ...(resources ? { resources: resources as Record<string, Record<string, string | number>> } : {}),
    ...(lifecycle ? { lifecycle } : {}),
    ...(security ? { securityContext: security } : {}),
  };
}

/** The objects of one service: its RBAC for waits, its Deployment or Job, and its Service when it has ports. */
export function serviceObjects(service: Service, image: string, ctx: ExportContext): KubeObject[] {
  const name = ctx.names.get(service.name) as string;
  const namespace = ctx.namespace ? { namespace: ctx.namespace } : {};
  const labels = serviceLabels(ctx.project.name, service.name);
  const selector = selectorLabels(ctx.project.name, service.name);
  const waits = dependencyWaits(service, ctx);
  const rbac = waitRbac(service, name, waits.apiWaits, ctx);
  const workload = ctx.workloads.get(service.name) ?? "deployment";
  const podSpec = {
    ...(rbac.length > 0 ? { serviceAccountName: waitAccountName(name) } : {}),
    ...(waits.initContainers.length > 0 ? { initContainers: waits.initContainers } : {}),
    containers: [mainContainer(service, name, image, ctx)],
    terminationGracePeriodSeconds: Math.ceil(service.stopGracePeriodMs / 1000),
  };
  const metadata = { name, ...namespace, labels };
  const objects: KubeObject[] = [...rbac];
  if (workload === "job") {
    const restart = service.restart;
    const retries = restart.policy === "no" ? 0 : restart.maxRestarts === Infinity ? undefined : restart.maxRestarts;
    objects.push({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata,
      spec: {
        ...(retries === undefined ? {} : { backoffLimit: retries }),
        ...(service.timeoutMs === undefined ? {} : { activeDeadlineSeconds: Math.max(1, Math.ceil(service.timeoutMs / 1000)) }),
        template: { metadata: { labels }, spec: { ...podSpec, restartPolicy: restart.policy === "no" ? "Never" : "OnFailure" } },
      },
    });
  } else {
    objects.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata,
      spec: { replicas: deploymentReplicas(service), selector: { matchLabels: selector }, template: { metadata: { labels }, spec: podSpec } },
    });
  }
  const ports = ctx.ports.get(service.name) ?? [];
  if (ports.length > 0) {
    objects.push({
      apiVersion: "v1",
      kind: "Service",
      metadata,
      spec: { selector, ports: ports.map((port) => ({ name: port.name, port: port.port, targetPort: port.name, protocol: "TCP" })) },
    });
  }
  return objects;
}
