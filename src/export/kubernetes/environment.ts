import { relative } from "node:path";
import { hasRuntimeRefs } from "../../manifest/runtime-refs.js";
import type { EnvironmentSource, Service } from "../../manifest/types.js";
import type { ExportContext } from "./context.js";
import { escapeExpansion } from "./expansion.js";
import { objectName, serviceLabels } from "./names.js";
import type { EnvFromSource, EnvVar, KubeObject } from "./objects.js";
import { clusterText, portVariables } from "./runtime-values.js";

type FileSource = Extract<EnvironmentSource, { kind: "file" }>;

/** The ConfigMap's (or Secret's, for `secret: true`) name of an env file: env- and its path from the project. */
export function envFileObjectName(path: string, ctx: ExportContext): string {
  return objectName(`env-${relative(ctx.project.dir, path)}`);
}

/**
 * The container's variables as sbx gives them: each env file as a whole (`envFrom`, in order,
 * a later one winning as locally), and under it, in `env`, each variable whose value does not come
 * from a file (an `environment` entry, or sbx's port variables that nothing overrides). A file's
 * variable whose value holds a runtime value is written in `env` with the cluster's value.
 */
export function containerEnvironment(service: Service, ctx: ExportContext): { env: EnvVar[]; envFrom: EnvFromSource[] } {
  const sources = service.environmentSources ?? [{ kind: "inline" as const, variables: service.environment }];
  const winner = new Map<string, EnvironmentSource>();
  for (const source of sources) for (const name of Object.keys(source.variables)) winner.set(name, source);

  const envFrom: EnvFromSource[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    if (source.kind !== "file" || seen.has(source.path)) continue;
    seen.add(source.path);
    const name = envFileObjectName(source.path, ctx);
    envFrom.push(source.secret ? { secretRef: { name } } : { configMapRef: { name } });
  }

  const env: EnvVar[] = [];
  for (const [name, value] of Object.entries(portVariables(service, ctx))) {
    if (!Object.hasOwn(service.environment, name)) env.push({ name, value });
  }
  for (const [name, value] of Object.entries(service.environment)) {
    const source = winner.get(name);
    if (source?.kind === "file" && !hasRuntimeRefs(value)) continue;
    env.push({ name, value: escapeExpansion(clusterText(value, service, ctx)) });
  }
  return { env, envFrom };
}

/** A ConfigMap (or a Secret) for each env file that an exported service reads, each once. */
export function envFileObjects(services: Iterable<Service>, ctx: ExportContext): KubeObject[] {
  const files = new Map<string, FileSource>();
  for (const service of services) {
    for (const source of service.environmentSources ?? []) if (source.kind === "file" && !files.has(source.path)) files.set(source.path, source);
  }
  return [...files.values()].map((file) => {
    const metadata = { name: envFileObjectName(file.path, ctx), ...(ctx.namespace ? { namespace: ctx.namespace } : {}), labels: projectLabels(ctx) };
    const data = { ...file.variables };
    return file.secret
      ? { apiVersion: "v1", kind: "Secret", metadata, type: "Opaque", stringData: data }
      : { apiVersion: "v1", kind: "ConfigMap", metadata, data };
  });
}

function projectLabels(ctx: ExportContext): Record<string, string> {
  const { ["app.kubernetes.io/name"]: _name, ...rest } = serviceLabels(ctx.project.name, "");
  return rest;
}
