import { spawn } from "node:child_process";
import { closeSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { findManifestFiles } from "../../manifest/find-manifest.js";
import { ControlClient } from "../../protocol/client.js";
import { openPrivateAppend } from "../../process/private-files.js";
import { ensureHomeDirectory, projectHome, type ProjectHome } from "../../protocol/project-home.js";
import type { ProjectState } from "../../protocol/discovery.js";
import { SbxError } from "../../errors.js";
import { loadOptionsFrom, projectNameOf } from "../global-options.js";
import { connectToProject, runningProject } from "../project-connection.js";
import { checkStateDirectory } from "../../server/state-file.js";
import { socketPathFor } from "../../protocol/socket-path.js";
import { ExitCode } from "../exit-codes.js";
import { writeAddresses } from "./addresses.js";
import type { CliIo } from "../io.js";
import { withCaCertsAside } from "../extra-ca-certs.js";
import type { UpOptions } from "./up-plan.js";
import type { Project } from "../../manifest/types.js";
import { errorFromReport, type SupervisorOrder, type SupervisorReport } from "./up-report.js";
import { openDetachedProgress } from "../render/detached-progress.js";
import { progressEnabled } from "../render/progress-mode.js";
import supervisorFlags from "../perf/supervisor-flags.cjs";

/** The sbx being run (the bundle dist/cli/sbx.cjs, or dist/cli/main.js): the supervisor is the same program. */
const cliPath = process.argv[1] as string;

/**
 * `sbx up -d` / `--wait`: applies the manifest to the project if it runs already (see
 * applyToRunning); else starts the project in a background supervisor (its own session, no
 * terminal, its output in `.sbx/sbx.log`) and returns once the services are started, or with
 * `--wait` once they are ready; on a failure the supervisor tears down and this exits 1.
 *
 * The supervisor is started first: a Node.js start-up is the longest step of `up --wait`, and
 * this loads the manifest while it starts, then hands it the project (see loadForSupervisor). A
 * broken manifest is thrown here, the supervisor sent away with nothing; what goes wrong there (a
 * project already running, a service named that is not) comes back as a report, and is thrown
 * here as if it had happened here.
 */
export async function detachUp(options: UpOptions, io: CliIo): Promise<number> {
  const files = findManifestFiles(options.file, io.cwd, options.projectDir === undefined ? io.cwd : resolve(io.cwd, options.projectDir));
  const projectDir = options.projectDir === undefined ? dirname(files[0] as string) : resolve(io.cwd, options.projectDir);
  const projectName = projectNameOf(options, io);
  const home = projectHome(projectDir, projectName);
  checkStateDirectory(home);
  const connection = runningProject(home, io);
  // Its supervisor watches, or not, as it was started: a change of mind needs a new one.
  if (connection && options.watch) io.stderr.write("warning: --watch: the project runs already, and watches files only if it was started with --watch: sbx down, then sbx up -d --watch\n");
  if (connection && options.reuse) {
    const { reuseRunning } = await import("./up-reuse.js");
    return reuseRunning(connection, files, projectDir, home, options, io);
  }
  if (connection) {
    // Only now is the manifest code loaded here: a first `up -d` leaves that to the supervisor.
    const { applyToRunning } = await import("./up-apply.js");
    return applyToRunning(connection.client, files, projectDir, options, io);
  }
  const logPath = join(ensureHomeDirectory(home), "sbx.log");
  const log = openPrivateAppend(logPath);
  const child = spawn(process.execPath, [...supervisorFlags.SUPERVISOR_NODE_OPTIONS, cliPath, "__supervise"], {
    cwd: io.cwd,
    env: { ...withCaCertsAside(io.env), NO_COLOR: "1" },
    detached: true,
    stdio: ["ignore", log, log, "ipc"],
    // The project crosses as it is: its services are a Map, a log check's pattern a RegExp.
    serialization: "advanced",
  });
  closeSync(log);
  const supervised = supervisorOptions(files, projectDir, projectName, options, progressEnabled(io, options.progress));
  let project: Project;
  try {
    project = await loadForSupervisor(supervised, io);
  } catch (error) {
    // Nothing started: the supervisor, still waiting for its order, ends as soon as it is sent none.
    if (child.connected) child.disconnect();
    await waitForExit(child);
    throw error;
  }
  child.send({ type: "run", options: supervised, project } satisfies SupervisorOrder);

  const wanted = options.wait ? "ready" : "started";
  const progress = openDetachedProgress(io, options);
  let plan = { project: "", services: 0 };
  type Outcome = Exclude<SupervisorReport, { type: "planned" } | { type: "warning" } | { type: "event" }> | { type: "exited"; code: number | null } | { type: "timeout" };
  const outcome = await new Promise<Outcome>((resolve) => {
    child.on("message", (message: SupervisorReport) => {
      if (message.type === "event") progress?.event(message.event);
      else if (message.type === "planned") {
        plan = message;
        for (const warning of message.warnings) io.stderr.write(`warning: ${warning}\n`);
      } else if (message.type === "warning") {
        io.stderr.write(`warning: ${message.message}\n`);
      } else if (message.type === wanted || message.type === "failed" || message.type === "rejected") {
        resolve(message);
      }
    });
    child.once("exit", (code) => resolve({ type: "exited", code }));
    // The supervisor keeps --wait-timeout itself and says which services were not ready and why;
    // this is for a supervisor that cannot say anything any more.
    if (options.waitTimeoutMs !== undefined) setTimeout(() => resolve({ type: "timeout" }), options.waitTimeoutMs + SUPERVISOR_SILENCE_MS).unref();
  });

  progress?.close();
  const detach = (): void => {
    if (child.connected) child.disconnect();
    child.unref();
  };
  switch (outcome.type) {
    case "started":
    case "ready": {
      detach();
      const count = plan.services === 1 ? "1 service" : `${plan.services} services`;
      io.stdout.write(`${plan.project}: ${count} ${outcome.type === "ready" ? "ready" : "started"} in the background (supervisor pid ${child.pid}). See sbx ps, sbx logs -f; stop with sbx down.\n`);
      // Where they answer: their ports are known once they have started (`auto` ones were picked).
      writeAddresses(outcome.addresses, io);
      return ExitCode.ok;
    }
    case "rejected": {
      // Nothing was started: the supervisor only ends, having written the same to its log.
      await waitForExit(child);
      const error = errorFromReport(outcome.error);
      // Another `up --reuse` started the project a moment before this one: use it.
      if (options.reuse && error instanceof SbxError && error.code === "ALREADY_RUNNING") {
        const running = await runningSoon(home, io);
        if (running) {
          const { reuseRunning } = await import("./up-reuse.js");
          return reuseRunning(running, files, projectDir, home, options, io);
        }
      }
      throw error;
    }
    case "failed": {
      io.stderr.write(`error: ${outcome.message}\n`);
      if (outcome.lastLines.length > 0) io.stderr.write(`last lines of ${outcome.service ?? "the service"}:\n${outcome.lastLines.map((l) => `  ${l}`).join("\n")}\n`);
      // The supervisor tears everything down after a failure; wait for it, so that nothing outlives the command.
      await waitForExit(child);
      return ExitCode.serviceFailed;
    }
    case "timeout": {
      io.stderr.write(`error: the background supervisor (pid ${child.pid}) said nothing within --wait-timeout and ${SUPERVISOR_SILENCE_MS / 1_000} s more: stopping every service\n`);
      await new ControlClient(socketPathFor(home)).down().catch(() => child.kill("SIGTERM"));
      await waitForExit(child);
      return ExitCode.serviceFailed;
    }
    case "exited":
      io.stderr.write(`error: the background supervisor exited (code ${outcome.code}) before the services ${wanted === "ready" ? "were ready" : "started"}; its log ${logPath} ends with:\n${lastLines(logPath, 10)}\n`);
      return ExitCode.serviceFailed;
  }
}

/**
 * The project, loaded here while the supervisor starts: the manifest's parser and its schema's
 * validator are most of the bundle, and a supervisor that loaded them held them for as long as it
 * ran (10 idle services: 58.3 MB before, see BENCHMARKS.md). Loaded here, the two Node.js start-ups
 * still overlap, and a broken manifest is told as `sbx validate` tells it. As the apply endpoint
 * loads a manifest again (server/apply-manifest.ts): with the environment of the command.
 */
async function loadForSupervisor(options: UpOptions, io: CliIo): Promise<Project> {
  const { loadProject } = await import("../../manifest/load-project.js");
  return loadProject(loadOptionsFrom(options, io));
}

/** How long a project that another sbx is starting may take to answer on its socket. */
const STARTING_WAIT_MS = 10_000;

/** The project once its supervisor answers, polling while another sbx is starting it; undefined if it never does. */
async function runningSoon(home: ProjectHome, io: CliIo): Promise<{ client: ControlClient; state: ProjectState } | undefined> {
  const deadline = Date.now() + STARTING_WAIT_MS;
  while (Date.now() < deadline) {
    const connection = connectToProject(home, io);
    if (connection.kind === "running") {
      try {
        await connection.client.project();
        return connection;
      } catch {}
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/** How long past --wait-timeout the supervisor may take to report before it counts as stuck. */
const SUPERVISOR_SILENCE_MS = 10_000;

/**
 * The run's options as the supervisor takes them: the manifest files and the project's directory
 * found here, its output written for a file (timestamps, no colours); nothing else is re-derived.
 */
function supervisorOptions(files: readonly string[], projectDir: string, projectName: string | undefined, options: UpOptions, reportEvents: boolean): UpOptions {
  return { ...options, file: [...files], projectDir, ...(projectName === undefined ? {} : { projectName }), timestamps: true, color: false, detach: false, supervise: true, reportEvents };
}

function waitForExit(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function lastLines(path: string, count: number): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-count).map((l) => `  ${l}`).join("\n");
  } catch {
    return "  (no log)";
  }
}
