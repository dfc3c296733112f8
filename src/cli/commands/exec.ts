import { SbxError } from "../../errors.js";
import { serviceEnvironment } from "../../engine/default-runtime.js";
import { fixedPorts, resolveRun } from "../../engine/resolve-run.js";
import { didYouMean } from "../../manifest/did-you-mean.js";
import { loadProject } from "../../manifest/load-project.js";
import type { ServiceEnvironmentView } from "../../protocol/views.js";
import { loadOptionsFrom, type GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { connectToProject, projectHomeOf } from "../project-connection.js";
import { runInForeground } from "./foreground-child.js";

/**
 * `sbx exec SERVICE -- CMD...`: runs CMD as the service would run, in its working directory,
 * with its environment and as its user, its output straight to this terminal, and exits with
 * CMD's code (128 + the signal's number when a signal ended it, as a shell says). While the
 * project runs, the supervisor tells what the service's run has (its `auto` ports, its
 * dependencies' URLs); otherwise the manifest does, with its fixed ports only.
 */
export async function execCommand(name: string, argv: readonly string[], options: GlobalOptions, io: CliIo): Promise<number> {
  const [program, ...args] = argv;
  if (program === undefined) throw new SbxError("USAGE", "sbx exec: give the command after the service: sbx exec SERVICE -- CMD [ARG...]");
  const target = await serviceTarget(name, options, io);
  const env = serviceEnvironment({ environment: target.environment, ...(target.user ? { user: target.user } : {}) }, io.env);
  return runInForeground("exec", program, args, { cwd: target.workingDir, env, user: target.user }, io);
}

/** The service's environment, working directory and user: from the running project, else from the manifest. */
async function serviceTarget(name: string, options: GlobalOptions, io: CliIo): Promise<ServiceEnvironmentView> {
  const connection = connectToProject(projectHomeOf(options, io), io);
  if (connection.kind === "running") return connection.client.serviceEnvironment(name);
  const project = loadProject(loadOptionsFrom(options, io));
  const service = project.services.get(name);
  if (!service) throw new SbxError("UNKNOWN_SERVICE", `no service "${name}" in ${project.files.join(", ")}${didYouMean(name, project.services.keys())}`, { service: name });
  if (service.ports.some((port) => port.port === "auto")) {
    io.stderr.write(`warning: the project does not run: ${name}'s auto ports are not known, and what refers to them stays as written\n`);
  }
  const resolved = resolveRun(service, fixedPorts(service), new Map());
  return { name, environment: resolved.environment, workingDir: resolved.workingDir, user: resolved.user ?? null };
}
