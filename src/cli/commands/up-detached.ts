import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SbxError } from "../../errors.js";
import type { Selection } from "../../graph/select-services.js";
import type { Project } from "../../manifest/types.js";
import { ControlClient } from "../../server/control-client.js";
import { readState, stateDirectory, supervisorAlive } from "../../server/state-file.js";
import { socketPathFor } from "../../server/socket-path.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import type { UpOptions } from "./up-plan.js";
import type { SupervisorReport } from "./up-report.js";

/** The sbx being run (the bundle, or dist/cli/main.js): the supervisor is the same program. */
const cliPath = process.argv[1] as string;

/**
 * `sbx up -d` / `--wait`: starts the project in a background supervisor (its own session, no
 * terminal, its output in `.sbx/sbx.log`) and returns once the services are started, or with
 * `--wait` once they are ready; on a failure the supervisor tears down and this exits 1.
 */
export async function detachUp(project: Project, selection: Selection, options: UpOptions, io: CliIo): Promise<number> {
  const state = readState(project.dir);
  if (state && supervisorAlive(state)) {
    throw new SbxError("ALREADY_RUNNING", `project ${state.project} is already running in ${project.dir} (supervisor pid ${state.supervisor.pid}): use sbx ps, sbx logs, or sbx down`);
  }
  mkdirSync(stateDirectory(project.dir), { recursive: true });
  const logPath = join(stateDirectory(project.dir), "sbx.log");
  const log = openSync(logPath, "a");
  const child = spawn(process.execPath, [cliPath, ...childArguments(project, options)], {
    cwd: io.cwd,
    env: { ...io.env, NO_COLOR: "1" },
    detached: true,
    stdio: ["ignore", log, log, "ipc"],
  });
  closeSync(log);

  const wanted = options.wait ? "ready" : "started";
  const outcome = await new Promise<SupervisorReport | { type: "exited"; code: number | null } | { type: "timeout" }>((resolve) => {
    child.on("message", (message: SupervisorReport) => {
      if (message.type === wanted || message.type === "failed") resolve(message);
    });
    child.once("exit", (code) => resolve({ type: "exited", code }));
    if (options.waitTimeoutMs !== undefined) setTimeout(() => resolve({ type: "timeout" }), options.waitTimeoutMs).unref();
  });

  const detach = (): void => {
    if (child.connected) child.disconnect();
    child.unref();
  };
  switch (outcome.type) {
    case "started":
    case "ready": {
      detach();
      const count = selection.services.length === 1 ? "1 service" : `${selection.services.length} services`;
      io.stdout.write(`${project.name}: ${count} ${outcome.type === "ready" ? "ready" : "started"} in the background (supervisor pid ${child.pid}). See sbx ps, sbx logs -f; stop with sbx down.\n`);
      return ExitCode.ok;
    }
    case "failed": {
      io.stderr.write(`error: ${outcome.message}\n`);
      if (outcome.lastLines.length > 0) io.stderr.write(`last lines of ${outcome.service ?? "the service"}:\n${outcome.lastLines.map((l) => `  ${l}`).join("\n")}\n`);
      // The supervisor tears everything down after a failure; wait for it, so that nothing outlives the command.
      await waitForExit(child);
      return ExitCode.serviceFailed;
    }
    case "timeout": {
      io.stderr.write(`error: not ready within --wait-timeout ${options.waitTimeoutMs} ms: stopping every service\n`);
      await new ControlClient(socketPathFor(project.dir)).post("/v1/down").catch(() => child.kill("SIGTERM"));
      await waitForExit(child);
      return ExitCode.serviceFailed;
    }
    case "exited":
      io.stderr.write(`error: the background supervisor exited (code ${outcome.code}) before the services ${wanted === "ready" ? "were ready" : "started"}; its log ${logPath} ends with:\n${lastLines(logPath, 10)}\n`);
      return ExitCode.serviceFailed;
  }
}

function childArguments(project: Project, options: UpOptions): string[] {
  const args = ["up", "--supervise", "--timestamps"];
  for (const file of project.files) args.push("-f", file);
  args.push("--project-dir", project.dir);
  for (const profile of options.profile) args.push("--profile", profile);
  if (options.noDeps) args.push("--no-deps");
  if (options.exitCodeFrom) args.push("--exit-code-from", options.exitCodeFrom);
  if (options.abortOnContainerExit) args.push("--abort-on-container-exit");
  if (options.abortOnContainerFailure) args.push("--abort-on-container-failure");
  return [...args, ...options.services];
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
