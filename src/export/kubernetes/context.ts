import type { Diagnostic } from "../../errors.js";
import type { Project, Service } from "../../manifest/types.js";
import type { ContainerPort } from "./ports.js";

/** The images and places the export falls back on when the manifest names none. */
export const kubernetesDefaults = {
  workdir: "/app",
  waitImage: "busybox:1.36",
  kubectlImage: "registry.k8s.io/kubectl:v1.31.0",
} as const;

export type Workload = "deployment" | "job";

/** A key that could not be carried over to the cluster, and why. */
export interface ExportWarning {
  service: string;
  /** The key as written under the service: `ready.log`. */
  key: string;
  message: string;
}

/** What every mapping of one export reads: decided once for all the services exported. */
export interface ExportContext {
  project: Project;
  /** Each exported service's object name. */
  names: ReadonlyMap<string, string>;
  workloads: ReadonlyMap<string, Workload>;
  ports: ReadonlyMap<string, readonly ContainerPort[]>;
  /** The image of a service that names none, after `--image` and the project's kubernetes.image. */
  defaultImage?: string;
  namespace?: string;
  workdir: string;
  waitImage: string;
  kubectlImage: string;
  warnings: ExportWarning[];
  errors: Diagnostic[];
}

/** A problem of the export, placed at the service's declaration and named by its key's path. */
export function serviceDiagnostic(service: Service, key: string, message: string): Diagnostic {
  return { ...service.source, path: `services.${service.name}${key === "" ? "" : `.${key}`}`, message };
}
