import type { Orchestrator } from "../engine/orchestrator.js";
import type { ServiceChange } from "../engine/apply-plan.js";
import { isFailedStatus, type ServiceState } from "../engine/service-state.js";
import { SbxError } from "../errors.js";
import { selectServices } from "../graph/select-services.js";
import type { ApplyBody } from "../protocol/bodies.js";

/**
 * The `apply` endpoint: loads the manifest again, as the command that asks would (its files, its
 * environment for interpolation), and applies it to the running project. Resolves with what
 * changed and the state of each service it launched once each has started or ended, and which
 * of them have failed already or could not start: a caller that returns now must not call that a success.
 */
export async function applyManifest(orchestrator: Orchestrator, body: ApplyBody): Promise<{ changes: ServiceChange[]; launched: ServiceState[]; failed: ServiceState[] }> {
  // Loaded only now: the parser and the schema's validator are most of the bundle's code, and a
  // supervisor that no one asks to apply never needs them (its project came resolved from `up -d`).
  const { loadProject } = await import("../manifest/load-project.js");
  // The counts `sbx scale` set hold through it (until the manifest's own count changes).
  const project = orchestrator.withScales(loadProject({ files: body.files, cwd: body.projectDir, projectDir: body.projectDir, env: body.env }));
  if (project.dir !== orchestrator.project.dir) {
    throw new SbxError("USAGE", `the manifest is for the project in ${project.dir}, and this supervisor runs the one in ${orchestrator.project.dir}`);
  }
  const selection = selectServices(project, { services: body.services ?? [], profiles: body.profiles ?? [], ...(body.noDeps ? { noDeps: true } : {}) });
  // A service named whose manifest now says fewer replicas loses the extra instances, as a whole-project apply does.
  const removeInstancesOf = (body.services ?? []).filter((name) => project.services.has(name));
  const changes = await orchestrator.apply(
    { project, selection },
    { ...(body.force ? { force: true } : {}), ...(body.removeMissing ? { removeMissing: true } : {}), ...(removeInstancesOf.length > 0 ? { removeInstancesOf } : {}) },
  );
  return outcome(orchestrator, changes);
}

/**
 * What an apply (or a scale) did: its changes, the state of each service it launched, and which of
 * them have failed already or could not start: a caller that returns now must not call that a success.
 */
export function outcome(orchestrator: Orchestrator, changes: ServiceChange[]): { changes: ServiceChange[]; launched: ServiceState[]; failed: ServiceState[] } {
  const launched = changes.filter((change) => change.action !== "stopped").flatMap((change) => orchestrator.state(change.service) ?? []);
  return { changes, launched, failed: launched.filter((state) => isFailedStatus(state.status)) };
}
