import { SbxError } from "../../errors.js";
import { colorEnabled, type CliIo } from "../io.js";
import type { UpOptions } from "../commands/up-plan.js";
import type { ControlClient } from "../../protocol/client.js";
import { progressEnabled } from "./progress-mode.js";
import { ProgressRenderer } from "./progress-renderer.js";
import { TerminalRenderer } from "./terminal-renderer.js";

/** What foreground `sbx up` shows: its lines (and the progress block below them), or the interactive view of `--ui`. */
export interface UpView {
  renderer: TerminalRenderer;
  /** With `--ui`: shows the view of the running project; `onQuit` is told when the person quits it. */
  watch(client: ControlClient, project: string, onQuit: () => void): void;
  /** Ends the view, giving the terminal back to the lines. */
  close(): Promise<void>;
}

/**
 * The view of a foreground `sbx up` run: lines, with the progress block on a terminal (see
 * progressEnabled); with `--ui`, the interactive view, the lines held back until it ends (they are
 * in the log files and in the view). The view is loaded here, before any service starts: services take
 * sbx's environment as they spawn, and loading the view changes it for a moment.
 */
export async function openUpView(io: CliIo, services: readonly string[], options: UpOptions): Promise<UpView> {
  const rendererOptions = { color: colorEnabled(io, options.color), timestamps: options.timestamps === true };
  if (!options.ui) {
    const terminal = io.stdout as CliIo["stdout"] & { columns?: number; rows?: number };
    const renderer =
      !options.supervise && progressEnabled(io, options.progress) ? new ProgressRenderer(terminal, services, rendererOptions) : new TerminalRenderer(io.stdout, services, rendererOptions);
    return { renderer, watch: () => {}, close: async () => {} };
  }
  if (!process.stdin.isTTY || io.stdout.isTTY !== true) throw new SbxError("USAGE", "up --ui needs a terminal: without one, run sbx up");
  const { loadView } = await import("../ui/load-view.js");
  const view = await loadView();
  let showing = false;
  // While the view shows, the newest lines wait (a failure's words among them) and follow it.
  let held: string[] = [];
  const hold = (text: string): void => {
    held.push(...text.split(/(?<=\n)/));
    if (held.length > HELD_LINES) held = held.slice(-HELD_LINES);
  };
  const renderer = new TerminalRenderer({ write: (text: string) => (showing ? hold(text) : io.stdout.write(text)) }, services, rendererOptions);
  const shownAgain = (): void => {
    showing = false;
    if (held.length > 0) io.stdout.write(held.join(""));
    held = [];
  };
  let closing: () => Promise<void> = async () => {};
  return {
    renderer,
    watch(client, project, onQuit) {
      showing = true;
      const ended = new AbortController();
      const shown = Promise.resolve().then(() =>
        view.runUi({ client, project, terminal: { stdin: process.stdin, stdout: process.stdout }, note: "q stops it", signal: ended.signal }),
      );
      const done = shown.then(
        (end) => {
          shownAgain();
          if (end === "quit") onQuit();
        },
        (error: unknown) => {
          shownAgain();
          io.stderr.write(`sbx up --ui: the view failed: ${error instanceof Error ? error.message : String(error)}\n`);
          onQuit();
        },
      );
      closing = async () => {
        ended.abort();
        await done;
      };
    },
    close: () => closing(),
  };
}

/** How many of the lines written while the `--ui` view showed are printed after it. */
const HELD_LINES = 50;
