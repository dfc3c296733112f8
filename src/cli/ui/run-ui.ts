import { render } from "ink";
import { createElement } from "react";
import type { ControlClient } from "../../protocol/client.js";
import { attach } from "./attach.js";
import { UiStore } from "./ui-store.js";
import { MAX_FPS, View, type UiAction } from "./view.js";

export interface UiTerminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export interface RunUiOptions {
  client: ControlClient;
  project: string;
  terminal: UiTerminal;
  /** Shown in the title: what q does here. */
  note: string;
  /** Ends the view from outside (the project ended under `up --ui`). */
  signal?: AbortSignal;
}

/** Why the view ended: the person quit, or the project went away under it. */
export type UiEnd = "quit" | "ended";

/**
 * Runs the interactive view of a running project on the terminal until the person quits or the
 * project ends. It takes the whole screen (the terminal's alternate screen, as less and top do)
 * and gives it back as it was.
 */
export async function runUi(options: RunUiOptions): Promise<UiEnd> {
  const { client, terminal } = options;
  const store = new UiStore(options.project);
  const attached = new AbortController();

  let quit = (): void => {};
  const quitting = new Promise<"quit">((resolve) => (quit = () => resolve("quit")));
  const act = (service: string, action: UiAction): void => {
    store.say(`${ACTING[action]} ${service}…`);
    client.serviceAction(service, action).then(
      (status) => store.say(`${service}: ${status.status}${status.pid === null ? "" : ` (pid ${status.pid})`}`),
      (error: Error) => store.say(`${service}: ${error.message}`),
    );
  };

  terminal.stdout.write(ENTER_ALTERNATE_SCREEN);
  const app = render(createElement(View, { store, act, quit, note: options.note }), {
    stdin: terminal.stdin,
    stdout: terminal.stdout,
    // q and Ctrl-C are the view's own keys: quitting `sbx ui` is not the same as quitting `up --ui`.
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: MAX_FPS,
  });
  try {
    const ended = attach(client, store, attached.signal).then(
      () => "ended" as const,
      (error: Error) => {
        if (attached.signal.aborted) return "quit" as const;
        throw error;
      },
    );
    const stopped = new Promise<"ended">((resolve) => {
      if (options.signal?.aborted) resolve("ended");
      options.signal?.addEventListener("abort", () => resolve("ended"), { once: true });
    });
    return await Promise.race([quitting, ended, stopped]);
  } finally {
    attached.abort();
    app.unmount();
    await app.waitUntilExit().catch(() => {});
    terminal.stdout.write(LEAVE_ALTERNATE_SCREEN);
  }
}

const ACTING: Record<UiAction, string> = { restart: "restarting", stop: "stopping", start: "starting" };

const ENTER_ALTERNATE_SCREEN = "\x1b[?1049h\x1b[H";
const LEAVE_ALTERNATE_SCREEN = "\x1b[?1049l";
