import { envName, substituteRuntimeRefs } from "../../manifest/runtime-refs.js";
import type { Service } from "../../manifest/types.js";
import type { ExportContext } from "./context.js";
import type { ContainerPort } from "./ports.js";

/**
 * The runtime values of a text as they are in the cluster: `${ports.NAME}` the container port,
 * `${services.api.ports.NAME}` the dependency's, `${services.api.url}` `http://api:PORT`, the
 * dependency's Service by its DNS name in the namespace, of its port named http else its first.
 */
export function clusterText(text: string, service: Service, ctx: ExportContext): string {
  return substituteRuntimeRefs(text, (ref, written) => {
    if (ref.kind === "own-port") return String(declaredPort(ctx.ports.get(service.name), ref.port) ?? written);
    if (ref.kind === "service-port") return String(declaredPort(ctx.ports.get(ref.service), ref.port) ?? written);
    return serviceUrl(ref.service, ctx) ?? written;
  });
}

/** The variables sbx gives a run about ports (resolve-run.ts), with the cluster's values. */
export function portVariables(service: Service, ctx: ExportContext): Record<string, string> {
  const out: Record<string, string> = {};
  const own = (ctx.ports.get(service.name) ?? []).filter((port) => port.declared !== undefined);
  if (own.length === 1) out.PORT = String((own[0] as ContainerPort).port);
  for (const port of own) out[`SBX_PORT_${envName(port.declared as string)}`] = String(port.port);
  for (const dependency of service.dependsOn) {
    const ports = (ctx.ports.get(dependency.service) ?? []).filter((port) => port.declared !== undefined);
    for (const port of ports) out[`SBX_SERVICE_${envName(dependency.service)}_PORT_${envName(port.declared as string)}`] = String(port.port);
    const url = serviceUrl(dependency.service, ctx);
    if (url !== undefined && ports.length > 0) out[`SBX_SERVICE_${envName(dependency.service)}_URL`] = url;
  }
  return out;
}

function declaredPort(ports: readonly ContainerPort[] | undefined, name: string): number | undefined {
  return ports?.find((port) => port.declared === name)?.port;
}

function serviceUrl(service: string, ctx: ExportContext): string | undefined {
  const ports = (ctx.ports.get(service) ?? []).filter((port) => port.declared !== undefined);
  const port = ports.find((p) => p.declared === "http") ?? ports[0];
  const name = ctx.names.get(service);
  return port === undefined || name === undefined ? undefined : `http://${name}:${port.port}`;
}
