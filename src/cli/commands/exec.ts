import { spawn } from "node:child_process";
import { constants } from "node:os";
import { SbxError } from "../../errors.js";
import { serviceEnvironment } from "../../engine/default-runtime.js";
import { fixedPorts, resolveRun } from "../../engine/resolve-run.js";
import { didYouMean } from "../../manifest/did-you-mean.js";
import { loadProject } from "../../manifest/load-project.js";
import type { ServiceEnvironmentView } from "../../protocol/views.js";
import { loadOptionsFrom, type GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { connectToProject, projectHomeOf } from "../project-connection.js";

/** What a shell answers for a command it cannot find, or find but not run. */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;

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
  return run(program, args, target, env, io);
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

function run(program: string, args: string[], target: ServiceEnvironmentView, env: Record<string, string>, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    const user = target.user ? { uid: target.user.uid, gid: target.user.gid } : {};
    const child = spawn(program, args, { cwd: target.workingDir, env, stdio: "inherit", ...user });
    // Ctrl-C reaches the command through the terminal's process group: its exit is what ends this, as in a shell.
    const ignore = (): void => {};
    const signals = ["SIGINT", "SIGQUIT"] as const;
    for (const signal of signals) process.on(signal, ignore);
    const done = (code: number): void => {
      for (const signal of signals) process.off(signal, ignore);
      resolve(code);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      io.stderr.write(`sbx exec: ${program}: ${error.code === "ENOENT" ? `not found (in ${target.workingDir}, on the service's PATH)` : error.message}\n`);
      done(error.code === "ENOENT" ? NOT_FOUND : NOT_EXECUTABLE);
    });
    child.once("exit", (code, signal) => done(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
}
