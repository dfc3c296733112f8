import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterEach } from "vitest";
import { binPath } from "./cli.js";
import { eventually } from "./processes.js";

/**
 * A real terminal for tests that drive sbx as a person does: a tmux server of the test's own (its
 * own socket, no configuration read), one session of a fixed size running one command. Its pane
 * stays on screen after the command ends, with the exit status, so that what it printed last can
 * be read.
 */
export interface Terminal {
  /** The screen as it is now, one string per row, trailing blanks removed; with `escapes`, its colours as escape sequences. */
  screen(options?: { escapes?: boolean }): string;
  /** Types keys, as tmux's send-keys names them ("q", "Down", "Enter", "C-c"); a literal text with `literal`. */
  keys(...keys: string[]): void;
  type(text: string): void;
  /** Waits until the screen holds `text` (or matches it); the guard only keeps a broken test from hanging. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  waitUntil(check: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Resolves with the command's exit status once it has ended (the shell prints it: `[exited N]`). */
  exited(timeoutMs?: number): Promise<number>;
  resize(columns: number, rows: number): void;
  /** Ends the tmux server, and with it whatever still runs in it. */
  close(): void;
}

const open: Terminal[] = [];

afterEach(() => {
  for (const terminal of open.splice(0)) terminal.close();
});

/** `sbx ARGS` as a shell command line for the terminal, run with the built CLI. */
export function sbxCommand(...args: string[]): string {
  return [process.execPath, binPath, ...args].map(quote).join(" ");
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function openTerminal(options: { cwd: string; command: string; env?: Record<string, string | undefined>; columns?: number; rows?: number }): Terminal {
  const socket = `sbx-test-${randomUUID()}`;
  const session = "sbx";
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, TERM: "xterm-256color", ...options.env })) if (value !== undefined) env[key] = value;
  const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { env, encoding: "utf8" });
  // One invocation, so that remain-on-exit is set before the command can end.
  tmux(
    "start-server",
    ";",
    "set-option",
    "-g",
    "remain-on-exit",
    "on",
    ";",
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    String(options.columns ?? 120),
    "-y",
    String(options.rows ?? 40),
    "-c",
    options.cwd,
    // The status is printed, and the pane kept, by the shell: a pane whose command ends at once may
    // be dead before tmux has drawn what it printed.
    `${options.command}; echo "[exited $?]"; exec sleep 3600`,
  );
  let closed = false;
  const screen = (options: { escapes?: boolean } = {}): string =>
    tmux("capture-pane", "-p", ...(options.escapes ? ["-e"] : []), "-t", session)
      .split("\n")
      .slice(0, -1)
      .map((row) => row.trimEnd())
      .join("\n");
  const waitUntil = async (check: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> => {
    let last = "";
    await eventually(
      () => check((last = screen())),
      `${what}; the screen:\n${last}`,
      timeoutMs,
    ).catch(() => {
      throw new Error(`${what} did not show; the screen:\n${last}`);
    });
    return last;
  };
  const terminal: Terminal = {
    screen,
    keys: (...keys) => void tmux("send-keys", "-t", session, ...keys),
    type: (text) => void tmux("send-keys", "-t", session, "-l", text),
    waitFor: (text, timeoutMs) => waitUntil((s) => (typeof text === "string" ? s.includes(text) : text.test(s)), `"${String(text)}"`, timeoutMs),
    waitUntil,
    exited: async (timeoutMs = 20_000) => Number(/\[exited (\d+)\]/.exec(await waitUntil((s) => /\[exited \d+\]/.test(s), "the command's end", timeoutMs))?.[1]),
    resize: (columns, rows) => void tmux("resize-window", "-t", session, "-x", String(columns), "-y", String(rows)),
    close: () => {
      if (closed) return;
      closed = true;
      try {
        tmux("kill-server");
      } catch {
        // Already gone.
      }
    },
  };
  open.push(terminal);
  return terminal;
}
