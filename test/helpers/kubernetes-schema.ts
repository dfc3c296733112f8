import { Deployment } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";

/** The model of each kind the export writes: kubernetes-models validates each against the API's OpenAPI schema. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
};

/** The problems of each object that the API's schema refuses, as "Kind/name: message"; none when all pass. */
export function schemaProblems(objects: readonly { apiVersion: string; kind: string; metadata: { name: string } }[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const Model = models[`${object.apiVersion}/${object.kind}`];
    if (!Model) {
      problems.push(`${object.kind}/${object.metadata.name}: no model for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(structuredClone(object) as never).validate();
    } catch (error) {
      problems.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
    }
    problems.push(...apiRuleProblems(object).map((problem) => `${object.kind}/${object.metadata.name}: ${problem}`));
    // A Service's name is also a DNS name: an RFC 1035 label, which starts with a letter.
    if (object.kind === "Service" && !/^[a-z]/.test(object.metadata.name)) problems.push(`Service/${object.metadata.name}: a Service's name must start with a letter (RFC 1035)`);
  }
  return problems;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * The API server's own rules that its OpenAPI schema does not carry (it types fields, it does not
 * check names or ranges): names as RFC 1123 labels, port names as IANA service names, port numbers.
 */
function apiRuleProblems(object: unknown): string[] {
  const problems: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${path}[${index}]`));
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      const at = `${path}.${key}`;
      if (key === "name" && typeof value === "string" && !/\.ports\[|\.env\[|\.subjects\[|roleRef$/.test(path) && (!LABEL.test(value) || value.length > 63)) problems.push(`${at}: "${value}" is not an RFC 1123 label`);
      if (key === "name" && typeof value === "string" && /\.ports\[\d+\]$/.test(path) && (!PORT_NAME.test(value) || value.length > 15 || value.includes("--"))) problems.push(`${at}: "${value}" is not an IANA service name`);
      if ((key === "port" || key === "containerPort") && typeof value === "number" && (value < 1 || value > 65535 || !Number.isInteger(value))) problems.push(`${at}: ${value} is not a port`);
      walk(value, at);
    }
  };
  walk(object, "");
  return problems;
}
