import type { Selection } from "../../graph/select-services.js";
import { loadProject } from "../../manifest/load-project.js";
import type { Project } from "../../manifest/types.js";
import { loadOptionsFrom, type GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import type { ProgressMode } from "../render/progress-mode.js";
import { selectForUp } from "./up-selection.js";

export interface UpOptions extends GlobalOptions {
  services: string[];
  noDeps?: boolean;
  exitCodeFrom?: string;
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  timestamps?: boolean;
  /** Run in the background (`-d`); with `wait`, return once every service is ready. */
  detach?: boolean;
  wait?: boolean;
  waitTimeoutMs?: number;
  /** On a running project: restart every selected service, changed or not. */
  forceRecreate?: boolean;
  /** With -d or --wait: attach to the project when it runs with the same definitions, else apply; never start it twice. */
  reuse?: boolean;
  /** The progress block on a terminal (`--progress`, `--no-tty`): see progressEnabled. */
  progress?: ProgressMode;
  /** Watch the run in the interactive view (`--ui`); quitting it stops the run. */
  ui?: boolean;
  /** Restart services when the files their `watch:` names change (`--watch`); off by default, as compose's. */
  watch?: boolean;
  /** This process is the background supervisor that `up -d` started: report to it over IPC. */
  supervise?: boolean;
  /** As the supervisor: pass each event on to the parent, which draws them in its progress block (none where it draws none). */
  reportEvents?: boolean;
}

/**
 * What `up` will run: the project loaded and the services selected, every option checked, so that
 * a mistake fails before anything starts.
 */
export function planUp(options: UpOptions, io: CliIo): { project: Project; selection: Selection } {
  const project = loadProject(loadOptionsFrom(options, io));
  const selection = selectForUp(project, options);
  for (const warning of project.warnings) io.stderr.write(`warning: ${warning}\n`);
  return { project, selection };
}
