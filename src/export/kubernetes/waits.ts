import type { Dependency, Service } from "../../manifest/types.js";
import type { ExportContext } from "./context.js";
import { serviceLabels } from "./names.js";
import type { Container, KubeObject } from "./objects.js";

/** What an init container waits for through the API, and so what its pod's service account may read. */
interface ApiWait {
  group: "apps" | "batch";
  resource: "deployments" | "jobs";
  name: string;
}

export interface DependencyWaits {
  initContainers: Container[];
  /** The Deployments and Jobs waited for through the API: none, no RBAC. */
  apiWaits: ApiWait[];
}

/**
 * `depends_on` → an init container a dependency, in the order declared:
 * - `service_completed_successfully`, or any condition on a Job without ports: kubectl wait for the Job's Complete condition;
 * - a dependency with ports: until its Service answers (nc), which it does once a pod is ready
 *   (only ready pods are a Service's endpoints), for `service_started` as for `service_healthy`;
 * - a Deployment without ports: kubectl wait for it to be Available.
 */
export function dependencyWaits(service: Service, ctx: ExportContext): DependencyWaits {
  const initContainers: Container[] = [];
  const apiWaits: ApiWait[] = [];
  for (const dependency of service.dependsOn) {
    const wait = waitFor(dependency, ctx);
    if (!wait) continue;
    initContainers.push(wait.container);
    if (wait.api) apiWaits.push(wait.api);
  }
  return { initContainers, apiWaits };
}

function waitFor(dependency: Dependency, ctx: ExportContext): { container: Container; api?: ApiWait } | undefined {
  const name = ctx.names.get(dependency.service);
  if (name === undefined) return undefined;
  const workload = ctx.workloads.get(dependency.service);
  const port = ctx.ports.get(dependency.service)?.[0];
  const containerName = `wait-for-${name}`.slice(0, 63).replace(/-+$/, "");
  if (dependency.condition === "service_completed_successfully" || (workload === "job" && port === undefined)) {
    return {
      container: kubectlWait(containerName, `job/${name}`, "condition=complete", ctx),
      api: { group: "batch", resource: "jobs", name },
    };
  }
  if (port !== undefined) {
    const script = `until nc -z -w 2 ${name} ${port.port}; do echo "waiting for ${name}:${port.port}"; sleep 1; done`;
    return { container: { name: containerName, image: ctx.waitImage, command: ["sh", "-c", script] } };
  }
  return {
    container: kubectlWait(containerName, `deployment/${name}`, "condition=available", ctx),
    api: { group: "apps", resource: "deployments", name },
  };
}

function kubectlWait(name: string, target: string, condition: string, ctx: ExportContext): Container {
  // A negative timeout waits a week: the pod's own restarts and deadlines bound the wait.
  return { name, image: ctx.kubectlImage, command: ["kubectl", "wait", `--for=${condition}`, target, "--timeout=-1s"] };
}

/** The name of the service account (and Role, RoleBinding) of a service whose pods wait through the API. */
export function waitAccountName(objectName: string): string {
  return `${objectName.slice(0, 53).replace(/-+$/, "")}-wait`;
}

/**
 * The least a waiting pod needs: a service account of its own, and a Role that lets it read only
 * the Jobs and Deployments it waits for, by name (get, list and watch: what kubectl wait does).
 */
export function waitRbac(service: Service, objectName: string, waits: readonly ApiWait[], ctx: ExportContext): KubeObject[] {
  if (waits.length === 0) return [];
  const name = waitAccountName(objectName);
  const metadata = { name, ...(ctx.namespace ? { namespace: ctx.namespace } : {}), labels: serviceLabels(ctx.project.name, service.name) };
  const rules = (["batch", "apps"] as const).flatMap((group) => {
    const names = [...new Set(waits.filter((wait) => wait.group === group).map((wait) => wait.name))];
    if (names.length === 0) return [];
    const resource = group === "batch" ? "jobs" : "deployments";
    return [{ apiGroups: [group], resources: [resource], resourceNames: names, verbs: ["get", "list", "watch"] }];
  });
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, ...(ctx.namespace ? { namespace: ctx.namespace } : {}) }],
    },
  ];
}
