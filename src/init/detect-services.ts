import type { Findings } from "./found-service.js";
import { fromCompose } from "./from-compose.js";
import { fromPackageJson } from "./from-package-json.js";
import { fromProcfile } from "./from-procfile.js";

/**
 * What `sbx init` finds in a project's directory, by source: a compose file's plain commands,
 * then a Procfile's processes, else package.json's scripts (a Procfile already lists what a
 * project runs, often as npm start). A name taken by an earlier source is left to it.
 */
export function detectServices(dir: string): Findings[] {
  const compose = fromCompose(dir);
  const procfile = fromProcfile(dir);
  const packageJson = fromPackageJson(dir);
  const found: Findings[] = [];
  if (compose) found.push(compose);
  if (procfile) found.push(procfile);
  if (packageJson && procfile && procfile.services.length > 0) {
    const scripts = packageJson.services.map((service) => service.name);
    if (scripts.length > 0) found.push({ source: "package.json", services: [], notTaken: [`package.json's ${scripts.join(", ")} not taken: the Procfile says what runs.`] });
  } else if (packageJson) found.push(packageJson);

  const names = new Set<string>();
  for (const findings of found) {
    findings.services = findings.services.filter((service) => {
      if (!names.has(service.name)) return names.add(service.name);
      findings.notTaken.push(`${service.from} not taken: a service named ${service.name} comes from an earlier file.`);
      return false;
    });
  }
  return found;
}
