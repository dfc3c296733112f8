import { SbxError } from "../../errors.js";
import { selectServices, type Selection } from "../../graph/select-services.js";
import { instanceNames, projectInstances, replicaCount } from "../../manifest/instances.js";
import type { Project } from "../../manifest/types.js";
import type { UpOptions } from "./up-plan.js";

/**
 * The services `up` runs of a loaded project, every option that names one checked. Apart from the
 * loading (up-plan.ts): the background supervisor gets its project already loaded from `up -d`,
 * and selects here without loading the manifest's parser.
 */
export function selectForUp(project: Project, options: UpOptions): Selection {
  if (options.exitCodeFrom !== undefined && !projectInstances(project).has(options.exitCodeFrom)) {
    const replicated = project.services.get(options.exitCodeFrom);
    // One exit code is one process's: a service of several instances is named by one of them.
    if (replicated) {
      const [first] = instanceNames(replicated);
      throw new SbxError("USAGE", `--exit-code-from ${options.exitCodeFrom}: it runs ${replicaCount(replicated)} instances (replicas)${first === undefined ? "" : `; name one, as ${first}`}`);
    }
    throw new SbxError("UNKNOWN_SERVICE", `--exit-code-from names no service: "${options.exitCodeFrom}"`);
  }
  const selection = selectServices(project, {
    services: options.services,
    profiles: options.profile,
    ...(options.noDeps ? { noDeps: true } : {}),
  });
  if (options.exitCodeFrom !== undefined && !selection.services.some((s) => s.name === options.exitCodeFrom)) {
    throw new SbxError("USAGE", `--exit-code-from ${options.exitCodeFrom}: that service is not part of this run`);
  }
  return selection;
}
