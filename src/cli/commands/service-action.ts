import { SbxError } from "../../errors.js";
import { findManifestFiles } from "../../manifest/find-manifest.js";
import type { ControlClient } from "../../protocol/client.js";
import { ExitCode } from "../exit-codes.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { projectDirOf, projectHomeOf, requireRunning } from "../project-connection.js";
import { definedEnvironment, writeFailure } from "./apply-report.js";
import { instancesNamed } from "./instance-names.js";
import { planUp } from "./up-plan.js";

const DONE = { start: "started", stop: "stopped", restart: "restarted" } as const;

export interface ServiceActionOptions extends GlobalOptions {
  /** For start and restart: return once the services are ready; exit 1 saying why when one is not. */
  wait?: boolean;
}

/**
 * `sbx stop | start | restart SERVICE...`: acts on the named services of the running project.
 * `restart` reads the manifest again, as `up -d` does, and starts each service from its
 * definition as it is now (a broken manifest restarts nothing); stop and start act one after another.
 */
export async function serviceActionCommand(action: "start" | "stop" | "restart", services: string[], options: ServiceActionOptions, io: CliIo): Promise<number> {
  const { client } = requireRunning(projectHomeOf(options, io), io);
  if (action === "restart") {
    const failed = await restart(client, services, options, io);
    if (failed) return ExitCode.serviceFailed;
  } else {
    // A service of several instances is each of them.
    for (const name of instancesNamed(services, await client.services())) {
      const status = await client.serviceAction(name, action);
      io.stdout.write(`${name} ${DONE[action]}${status.pid === null ? "" : ` (pid ${status.pid})`}\n`);
    }
  }
  if (action === "stop" || !options.wait) return ExitCode.ok;
  const ready = await client.ready(services);
  if (ready.ready) return ExitCode.ok;
  writeFailure(ready.failure, io);
  return ExitCode.serviceFailed;
}

/** Restarts the services from the manifest as it is now; true when one of them failed already. */
async function restart(client: ControlClient, services: readonly string[], options: GlobalOptions, io: CliIo): Promise<boolean> {
  const views = await client.services();
  const running = new Set(views.flatMap((view) => [view.name, view.service ?? view.name]));
  for (const name of services) if (!running.has(name)) throw new SbxError("UNKNOWN_SERVICE", `no service "${name}" in the running project: sbx up -d ${name} starts it`, { service: name });
  // Checked here first: a mistake is told with its place, and nothing is restarted.
  planUp({ ...options, services: [...services], noDeps: true }, io);
  const answer = await client.apply({
    files: findManifestFiles(options.file, io.cwd, projectDirOf(options, io)),
    projectDir: projectDirOf(options, io),
    env: definedEnvironment(io.env),
    profiles: options.profile,
    services: [...services],
    noDeps: true,
    force: true,
  });
  for (const name of instancesNamed(services, answer.services)) {
    const status = answer.services.find((service) => service.name === name);
    const change = answer.changes.find((c) => c.service === name);
    const changed = change !== undefined && change.changed.length > 0 ? `: ${change.changed.join(", ")} changed` : "";
    io.stdout.write(`${name} restarted${status?.pid == null ? "" : ` (pid ${status.pid})`}${changed}\n`);
  }
  for (const failure of answer.failures) writeFailure(failure, io);
  return answer.failures.length > 0;
}
