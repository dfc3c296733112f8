import { defaults } from "../../defaults.js";
import { SbxError } from "../../errors.js";
import { ProjectSupervisor } from "../../server/project-supervisor.js";
import type { UpOptions } from "./up-plan.js";
import { selectForUp } from "./up-selection.js";
import type { Selection } from "../../graph/select-services.js";
import type { Project } from "../../manifest/types.js";
import { reportedError, reportProgress, sendReport } from "./up-report.js";

export type { UpOptions } from "./up-plan.js";
import type { ServiceEvent } from "../../engine/events.js";
import { isFailedStatus, isRunningStatus } from "../../engine/service-state.js";
import { ExitCode } from "../exit-codes.js";
import { projectNameOf } from "../global-options.js";
import { colorEnvironment } from "../color-environment.js";
import { colorEnabled, type CliIo } from "../io.js";
import { openUpView } from "../render/up-view.js";
import { ControlClient } from "../../protocol/client.js";

/** What `up` listens to for the end of the world: the process's signals, injectable for tests. */
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM" | "SIGHUP", listener: () => void): void;
  off(signal: "SIGINT" | "SIGTERM" | "SIGHUP", listener: () => void): void;
}

/**
 * `sbx up` in the foreground: starts the selected services, streams their output with prefixes,
 * and tears everything down on Ctrl-C (a second one kills at once), SIGTERM or SIGHUP, when a
 * service fails to start or to become ready, or as --abort-on-container-exit / --exit-code-from say.
 */
export async function upCommand(options: UpOptions, io: CliIo, signals: SignalSource = process, loaded?: Project): Promise<number> {
  const began = performance.now();
  let onDown = (): void => {};
  const color = colorEnabled(io, options.color);
  // Their output reaches this terminal: in the foreground only (a background supervisor's goes to files).
  const colors = options.supervise ? {} : colorEnvironment(io, color);
  const { selection, supervisor } = await openProject(options, io, () => onDown(), colors, loaded);
  const names = selection.services.map((s) => s.name);
  const view = await openUpView(io, names, options);
  const renderer = view.renderer;
  const orchestrator = supervisor.orchestrator;
  const abortOnExit = options.abortOnContainerExit === true || options.exitCodeFrom !== undefined;

  let exitCode: number | undefined;
  let interrupted = false;
  let forced = false;
  let stopping = false;

  const stopAll = (why: string, force = false): void => {
    if (force) {
      forced = true;
      renderer.note(`${why}: killing every process now`);
      void orchestrator.stop({ force: true });
      return;
    }
    if (stopping) return;
    stopping = true;
    renderer.note(why);
    void orchestrator.stop();
  };

  const report = options.supervise
    ? reportProgress(orchestrator, {
        wanted: options.wait ? "ready" : "started",
        ...(options.waitTimeoutMs === undefined ? {} : { timeoutMs: options.waitTimeoutMs }),
        onFailed: (failure) => {
          exitCode ??= ExitCode.serviceFailed;
          stopAll(`${failure.message}: stopping every service`);
        },
        onTimeout: (error) => {
          exitCode ??= ExitCode.serviceFailed;
          stopAll(`--wait-timeout: ${error.message}: stopping every service`);
        },
      }, options.reportEvents !== false)
    : undefined;

  onDown = () => {
    // The control API stops the services itself; this only says so and keeps the rest from reacting.
    if (!stopping) renderer.note("sbx down: stopping every service");
    stopping = true;
  };
  let firstSigintAt: number | undefined;
  const onSigint = (): void => {
    const now = performance.now();
    interrupted = true;
    supervisor.stopRequested();
    if (!stopping) {
      firstSigintAt = now;
      stopAll("stopping every service (Ctrl-C again to kill them at once)");
    } else if (firstSigintAt === undefined || now - firstSigintAt >= defaults.sameCtrlCWindowMs) {
      stopAll("second Ctrl-C", true);
    }
  };
  const onSigterm = (): void => {
    supervisor.stopRequested();
    stopAll("SIGTERM received: stopping every service");
  };
  const onSighup = (): void => {
    supervisor.stopRequested();
    stopAll("SIGHUP received: stopping every service");
  };
  // A bug in sbx must not leave the services running: tear down, then fail.
  const onCrash = (error: unknown): void => {
    exitCode = ExitCode.serviceFailed;
    renderer.note(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    stopAll("stopping every service after an internal error");
  };
  signals.on("SIGINT", onSigint);
  signals.on("SIGTERM", onSigterm);
  signals.on("SIGHUP", onSighup);
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  if (options.ui) view.watch(new ControlClient(supervisor.socketPath), projectNameOf(options, io) ?? supervisor.project.name, onSigint);

  // A background supervisor's output (.sbx/sbx.log) is sbx's own lines: the services' are in their
  // log files, which are rotated; written here too, a flood went to disk twice, and sbx.log without bound.
  const lines = options.supervise ? undefined : orchestrator.batches$.subscribe((batch) => renderer.outputLines(batch.service, batch.lines, batch.time));
  // Services that a later apply (`sbx up -d`, `sbx restart`) launched or changed: their failure to
  // start is told to the command that asked, and the rest of the project runs on, as in compose.
  const applied = new Set<string>();
  const events = orchestrator.events$.subscribe((event) => {
    renderer.event(event);
    if (event.type === "updated" || event.type === "removed" || !names.includes(event.service)) applied.add(event.service);
    const verdict = judge(event);
    if (verdict === undefined || stopping) return;
    if (options.exitCodeFrom === event.service) {
      exitCode = verdict.exitCode;
      stopAll(`${event.service} ended: stopping every service (--exit-code-from)`);
    } else if (verdict.startFailure && !applied.has(event.service)) {
      exitCode ??= ExitCode.serviceFailed;
      // When the failure came before any service started (a port taken, found up front), there is nothing to stop.
      const started = [...orchestrator.states.values()].some((state) => isRunningStatus(state.status) || state.status === "starting");
      stopAll(`${event.service} ${event.type === "skipped" ? "could not start" : "failed"}: ${started ? "stopping every service" : "starting none of the others"}`);
    } else if (abortOnExit || (options.abortOnContainerFailure && verdict.exitCode !== 0)) {
      if (verdict.exitCode !== 0 && options.exitCodeFrom === undefined) exitCode ??= ExitCode.serviceFailed;
      stopAll(`${event.service} exited: stopping every service`);
    }
  });

  /** A service's end, as the abort options read it; undefined for events that are not an end. */
  function judge(event: ServiceEvent): { exitCode: number; startFailure: boolean } | undefined {
    if (event.type === "completed") return { exitCode: 0, startFailure: false };
    if (event.type === "skipped") return { exitCode: ExitCode.serviceFailed, startFailure: true };
    if (event.type !== "failed") return undefined;
    // A service that was never ready failed to start, whatever ended it.
    const startFailure = orchestrator.state(event.service)?.everReady !== true;
    switch (event.reason.kind) {
      case "exited":
      case "not-ready": {
        // Its own code, when its (last) run exited with one: what --exit-code-from passes on.
        const { exitCode } = event.reason;
        return { exitCode: typeof exitCode === "number" && exitCode !== 0 ? exitCode : ExitCode.serviceFailed, startFailure };
      }
      case "spawn-failed":
      case "timed-out":
      case "port-taken":
      case "dependency":
        return { exitCode: ExitCode.serviceFailed, startFailure };
    }
  }

  // One line once everything is up, as the moment to start working: a failure is told by its own events.
  orchestrator.whenReady().then(
    () => {
      if (stopping) return;
      const seconds = ((performance.now() - began) / 1_000).toFixed(1);
      renderer.note(names.length === 1 ? `${names[0]} ready in ${seconds} s` : `all ${names.length} services ready in ${seconds} s`);
    },
    () => {},
  );

  try {
    await orchestrator.run();
    await orchestrator.close();
    await supervisor.close();
  } finally {
    report?.unsubscribe();
    lines?.unsubscribe();
    events.unsubscribe();
    signals.off("SIGINT", onSigint);
    signals.off("SIGTERM", onSigterm);
    signals.off("SIGHUP", onSighup);
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
  }

  await view.close();
  const states = [...orchestrator.states.values()];
  if (exitCode === undefined && !interrupted && states.some((s) => isFailedStatus(s.status))) exitCode = ExitCode.serviceFailed;
  renderer.note(forced ? "killed every process" : stopping ? "every service is stopped" : "every service has ended");
  renderer.flush();
  if (forced) return ExitCode.interrupted;
  return exitCode ?? ExitCode.ok;
}

/**
 * Loads the project, unless it came `loaded` (the background supervisor's, from `up -d`), and
 * becomes its supervisor. In the background supervisor of `up -d` the parent hears of either
 * outcome: what was planned, or why nothing could start.
 */
async function openProject(options: UpOptions, io: CliIo, onDown: () => void, colorEnvironment: Record<string, string>, loaded: Project | undefined) {
  try {
    const { project, selection } = loaded === undefined ? (await import("./up-plan.js")).planUp(options, io) : selectLoaded(loaded, options, io);
    const name = projectNameOf(options, io);
    if (options.supervise) sendReport({ type: "planned", project: name ?? project.name, services: selection.services.length, warnings: project.warnings });
    const warn = (message: string): void => {
      io.stderr.write(`warning: ${message}\n`);
      if (options.supervise) sendReport({ type: "warning", message });
    };
    const supervisor = await ProjectSupervisor.open(project, selection, { onDown, warn, kind: "cli", colorEnvironment, watch: options.watch === true, ...(name === undefined ? {} : { name }) });
    return { selection, supervisor };
  } catch (error) {
    if (options.supervise) sendReport({ type: "rejected", error: reportedError(error) });
    throw error;
  }
}

/** What planUp does after loading, for a project loaded elsewhere: the manifest's parser is not loaded here for it. */
function selectLoaded(project: Project, options: UpOptions, io: CliIo): { project: Project; selection: Selection } {
  const selection = selectForUp(project, options);
  for (const warning of project.warnings) io.stderr.write(`warning: ${warning}\n`);
  return { project, selection };
}
