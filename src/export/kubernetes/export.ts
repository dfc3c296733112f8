import { ManifestError, type Diagnostic } from "../../errors.js";
import { selectServices, type SelectionOptions } from "../../graph/select-services.js";
import { instanceOf } from "../../manifest/instances.js";
import type { Project, Service } from "../../manifest/types.js";
import { kubernetesDefaults, serviceDiagnostic, type ExportContext, type ExportWarning, type Workload } from "./context.js";
import { envFileObjects } from "./environment.js";
import { objectName } from "./names.js";
import type { KubeObject } from "./objects.js";
import { containerPorts, type ContainerPort } from "./ports.js";
import { unmappableWarnings } from "./unmappable.js";
import { containerImage, serviceObjects } from "./workload.js";

export interface KubernetesExportOptions extends SelectionOptions {
  /** The image of a service that names none, before the project's kubernetes.image (`--image`). */
  image?: string;
}

/** A file of the export: its name in the output directory and its objects. */
export interface ExportFile {
  name: string;
  objects: KubeObject[];
}

export interface KubernetesExport {
  /** In the order kubectl should apply them: the namespace, the env files' ConfigMaps and Secrets, then each service in dependency order. */
  files: ExportFile[];
  /** kustomization.yaml's content: every file, and the namespace. */
  kustomization: Record<string, unknown>;
  warnings: ExportWarning[];
}

/**
 * The selected services (and what they depend on, profiles honoured, as `sbx up` picks them) as
 * Kubernetes objects. Throws a ManifestError naming each service and key that the cluster
 * needs and the manifest does not give: an image, a number for an `auto` port.
 */
export function exportKubernetes(project: Project, options: KubernetesExportOptions = {}): KubernetesExport {
  const services = declaredServices(project, selectServices(project, options).services);
  const ctx = exportContext(project, services, options);
  if (ctx.errors.length > 0) throw new ManifestError(ctx.errors);

  const files: ExportFile[] = [];
  if (ctx.namespace !== undefined) files.push({ name: "namespace.yaml", objects: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ctx.namespace } }] });
  const envObjects = envFileObjects(services, ctx);
  if (envObjects.length > 0) files.push({ name: "env-files.yaml", objects: envObjects });
  for (const service of services) {
    const workload = ctx.workloads.get(service.name) as Workload;
    ctx.warnings.push(...unmappableWarnings(service, workload, ctx));
    files.push({ name: `${ctx.names.get(service.name)}.yaml`, objects: serviceObjects(service, containerImage(service, ctx) as string, ctx) });
  }
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    ...(ctx.namespace === undefined ? {} : { namespace: ctx.namespace }),
    resources: files.map((file) => file.name),
  };
  return { files, kustomization, warnings: ctx.warnings };
}

/**
 * The manifest's services behind the selected instances, once each and in their order: a service
 * of several instances is one workload of that many pods (see deploymentReplicas); one with
 * `replicas: 0` runs nowhere and is not exported. What each depends on is kept to the selection.
 */
function declaredServices(project: Project, instances: readonly Service[]): Service[] {
  const names = [...new Set(instances.map((instance) => instanceOf(instance).service))];
  const selected = new Set(names);
  return names.map((name) => {
    const service = project.services.get(name) as Service;
    const dependsOn = service.dependsOn.filter((dependency) => selected.has(dependency.service));
    return dependsOn.length === service.dependsOn.length ? service : { ...service, dependsOn };
  });
}

function exportContext(project: Project, services: readonly Service[], options: KubernetesExportOptions): ExportContext {
  const settings = project.kubernetes ?? {};
  const errors: Diagnostic[] = [];
  const defaultImage = options.image ?? settings.image;
  const names = new Map<string, string>();
  const owners = new Map<string, string>();
  const ports = new Map<string, readonly ContainerPort[]>();
  const workloads = new Map<string, Workload>();
  // Decided from every service of the project, not only the exported ones: a service's kind does not change with what else is exported.
  const awaitedToEnd = new Map<string, string>();
  for (const service of project.services.values()) {
    for (const dep of service.dependsOn) if (dep.condition === "service_completed_successfully" && !awaitedToEnd.has(dep.service)) awaitedToEnd.set(dep.service, service.name);
  }
  for (const service of services) {
    const name = objectName(service.name);
    const owner = owners.get(name);
    if (owner !== undefined) errors.push(serviceDiagnostic(service, "", `its Kubernetes name "${name}" is also "${owner}"'s: rename one of them`));
    owners.set(name, service.name);
    names.set(service.name, name);
    ports.set(service.name, containerPorts(service, errors));
    const waiter = awaitedToEnd.get(service.name);
    workloads.set(service.name, service.kubernetes?.workload ?? (waiter === undefined ? "deployment" : "job"));
    if (waiter !== undefined && service.kubernetes?.workload === "deployment") {
      errors.push(
        serviceDiagnostic(service, "kubernetes.workload", `a Deployment never completes, and "${waiter}" waits for it to (service_completed_successfully): make it a job, or wait for service_healthy`),
      );
    }
    if (service.kubernetes?.image === undefined && defaultImage === undefined) {
      errors.push(
        serviceDiagnostic(service, "kubernetes.image", "no image to run it in a cluster: give the service kubernetes: { image: ... }, the project a kubernetes: { image: ... } for every service, or sbx export kubernetes --image"),
      );
    }
  }
  return {
    project,
    names,
    workloads,
    ports,
    ...(defaultImage === undefined ? {} : { defaultImage }),
    ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
    workdir: settings.workdir ?? kubernetesDefaults.workdir,
    waitImage: settings.waitImage ?? kubernetesDefaults.waitImage,
    kubectlImage: settings.kubectlImage ?? kubernetesDefaults.kubectlImage,
    warnings: [],
    errors,
  };
}
