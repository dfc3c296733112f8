import { SbxError } from "../../errors.js";
import { newTreeTag, serviceEnvironment } from "../../engine/default-runtime.js";
import type { ServiceAddress } from "../../engine/port-assignments.js";
import { resolveRun } from "../../engine/resolve-run.js";
import { didYouMean } from "../../manifest/did-you-mean.js";
import type { Command, Service } from "../../manifest/types.js";
import { commandArgv } from "../../process/command-argv.js";
import { killTagged } from "../../process/kill-tree.js";
import { TREE_TAG_VARIABLE } from "../../process/process-table.js";
import { pickFreePort } from "../../readiness/free-port.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { projectHomeOf, requireRunning } from "../project-connection.js";
import { runInForeground } from "./foreground-child.js";
import { detachUp } from "./up-detached.js";
import { planUp } from "./up-plan.js";

/**
 * `sbx run SERVICE [-- CMD...]`: a one-off instance of the service, as `docker compose run` makes
 * one. Its dependencies are brought up first, in the background project (as `sbx up -d --wait`
 * would; they stay up after, as compose leaves them), and the one-off runs here, on this terminal:
 * the service's command, or CMD, with its environment, working directory and user, the
 * dependencies' addresses resolved, and `auto` ports of its own (free ports, not the running
 * instance's). It is not one of the project's services: `ps` does not show it and its output is in
 * no log file. When it ends, whatever it left running is ended too, and sbx exits with its code.
 */
export async function runCommand(name: string, argv: readonly string[], options: GlobalOptions, io: CliIo): Promise<number> {
  const { project } = planUp({ ...options, services: [] }, io);
  const service = project.services.get(name);
  if (!service) throw new SbxError("UNKNOWN_SERVICE", `no service "${name}" in ${project.files.join(", ")}${didYouMean(name, project.services.keys())}`, { service: name });

  const addresses = await dependenciesUp(service, options, io);
  const resolved = resolveRun(service, await ownPorts(service), addresses);
  const [program, ...args] = commandArgv(argv.length > 0 ? ({ kind: "exec", argv: argv as [string, ...string[]] } satisfies Command) : resolved.command);
  const tag = newTreeTag(`${name}-run`);
  const env = { ...serviceEnvironment(resolved, io.env), [TREE_TAG_VARIABLE]: tag };
  try {
    return await runInForeground("run", program, args, { cwd: resolved.workingDir, env, user: resolved.user ?? null }, io);
  } finally {
    // What it started and left running (a daemon, a child it did not wait for) goes with it.
    await killTagged({ trees: [tag] }, { gracePeriodMs: resolved.stopGracePeriodMs, signal: resolved.stopSignal });
  }
}

/** Brings the service's dependencies up and ready in the background project; their addresses, for those that have ports. */
async function dependenciesUp(service: Service, options: GlobalOptions, io: CliIo): Promise<Map<string, ServiceAddress>> {
  const names = service.dependsOn.map((dependency) => dependency.service);
  const addresses = new Map<string, ServiceAddress>();
  if (names.length === 0) return addresses;
  // What up says goes to stderr: stdout is the one-off's own.
  const quiet: CliIo = { ...io, stdout: io.stderr };
  const code = await detachUp({ ...options, services: names, wait: true, progress: "plain" }, quiet);
  if (code !== 0) throw new SbxError("SERVICE_FAILED", `sbx run ${service.name}: its dependencies did not come up (${names.join(", ")})`, { service: service.name });
  const { client } = requireRunning(projectHomeOf(options, io), io);
  for (const status of await client.services()) {
    // A dependency of several instances is known by its first, as a service's run knows it.
    const service = status.service ?? status.name;
    if (!names.includes(service) || (status.replica ?? 0) !== 0 || Object.keys(status.ports).length === 0) continue;
    addresses.set(service, { ports: status.ports, ...(status.url === null ? {} : { url: status.url }) });
  }
  return addresses;
}

/** Its fixed ports, and a free port for each `auto` one: the running instance, if any, keeps its own. */
async function ownPorts(service: Service): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const port of service.ports) ports[port.name] = port.port === "auto" ? await pickFreePort() : port.port;
  return ports;
}
