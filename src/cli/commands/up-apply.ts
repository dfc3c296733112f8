import type { ApplyBody } from "../../protocol/bodies.js";
import type { ControlClient } from "../../protocol/client.js";
import { ExitCode } from "../exit-codes.js";
import { writeAddresses } from "./addresses.js";
import type { CliIo } from "../io.js";
import { definedEnvironment, writeChanges, writeFailure } from "./apply-report.js";
import { planUp, type UpOptions } from "./up-plan.js";

/**
 * `sbx up -d` (or `--wait`) on a project that runs already: applies the manifest as `docker compose
 * up -d` does. The manifest is checked here first, so that a mistake is told with its place and
 * nothing is touched; then the supervisor loads it again from the same files and environment and
 * restarts what changed, starts what is new, and (when no service is named) stops what was
 * removed. Exits 1 when a service it launched has failed already, or with `--wait` is not ready.
 */
export async function applyToRunning(client: ControlClient, files: readonly string[], projectDir: string, options: UpOptions, io: CliIo): Promise<number> {
  const { selection } = planUp(options, io);
  const answer = await client.apply(applyRequest(files, projectDir, options, io));
  writeChanges(answer.changes, io);
  for (const failure of answer.failures) writeFailure(failure, io);
  if (answer.failures.length > 0) return ExitCode.serviceFailed;
  if (!options.wait) return ExitCode.ok;
  const ready = await client.ready(
    selection.services.map((service) => service.name),
    options.waitTimeoutMs === undefined ? {} : { timeoutMs: options.waitTimeoutMs },
  );
  if (ready.ready) {
    writeAddresses(await client.services(), io);
    return ExitCode.ok;
  }
  writeFailure(ready.failure, io);
  return ExitCode.serviceFailed;
}

/**
 * What `up` asks a running project to apply: the same files, directory, environment and selection
 * that this command loaded, for the supervisor to load again; removing the services the manifest
 * no longer has only when none is named.
 */
export function applyRequest(files: readonly string[], projectDir: string, options: UpOptions, io: CliIo): ApplyBody {
  return {
    files: [...files],
    projectDir,
    env: definedEnvironment(io.env),
    profiles: options.profile,
    services: options.services,
    noDeps: options.noDeps === true,
    force: options.forceRecreate === true,
    removeMissing: options.services.length === 0,
  };
}
