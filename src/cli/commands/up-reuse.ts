import { definitionHashes } from "../../engine/service-definition.js";
import { attachToRunning } from "../../fixtures/attach-running.js";
import type { ControlClient } from "../../protocol/client.js";
import type { ProjectState } from "../../protocol/discovery.js";
import { sbxCommandFor, type ProjectHome } from "../../protocol/project-home.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { writeChanges, writeFailure } from "./apply-report.js";
import { applyRequest } from "./up-apply.js";
import { planUp, type UpOptions } from "./up-plan.js";

/**
 * `sbx up --wait --reuse` (or `-d --reuse`) on a project that runs: attaches to it when every
 * selected service runs the definition the manifest gives now and is ready — the supervisor is
 * only asked for its services' status — and otherwise applies the manifest as `up -d` does. The
 * project is left running either way: it is there for the next run.
 */
export async function reuseRunning(running: { client: ControlClient; state: ProjectState }, files: readonly string[], projectDir: string, home: ProjectHome, options: UpOptions, io: CliIo): Promise<number> {
  const { selection } = planUp(options, io);
  const names = selection.services.map((service) => service.name);
  const attached = await attachToRunning({
    client: running.client,
    state: running.state,
    definitions: definitionHashes(selection.services),
    apply: applyRequest(files, projectDir, options, io),
    services: names,
    wait: options.wait === true,
    ...(options.waitTimeoutMs === undefined ? {} : { timeoutMs: options.waitTimeoutMs }),
  });
  if (attached.changes.length > 0) writeChanges(attached.changes, io);
  if (!attached.ready) {
    writeFailure(attached.failure, io);
    return ExitCode.serviceFailed;
  }
  const count = names.length === 1 ? "1 service" : `${names.length} services`;
  const word = attached.waited ? "ready" : "started";
  io.stdout.write(`${running.state.project}: ${count} ${word}, reused (supervisor pid ${running.state.supervisor.pid}); stop it with ${sbxCommandFor(home)} down\n`);
  return ExitCode.ok;
}
