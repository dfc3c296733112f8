import { spawn, type ChildProcess } from "node:child_process";
import { afterEach } from "vitest";
import { binPath } from "./cli.js";
import { expectNothingLeft, newMarker, processesMarked } from "./leftovers.js";
import { eventually } from "./processes.js";

export interface SbxProcess {
  child: ChildProcess;
  marker: ReturnType<typeof newMarker>;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Waits until stdout holds `text` (or matches it). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or 128 + signal number). */
  exited: Promise<number>;
}

const started: SbxProcess[] = [];

afterEach(async () => {
  for (const sbx of started.splice(0)) {
    if (sbx.child.exitCode === null && sbx.child.signalCode === null) {
      // A test that failed half-way: let sbx tear down as a user's Ctrl-C would, then insist.
      sbx.child.kill("SIGINT");
      const timer = setTimeout(() => sbx.child.kill("SIGKILL"), 10_000);
      await sbx.exited;
      clearTimeout(timer);
    }
    try {
      await expectNothingLeft(sbx.marker, 5_000);
    } finally {
      // Whatever the verdict, the next test must not inherit this one's processes.
      for (const pid of processesMarked(sbx.marker)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
  }
});

/**
 * Runs the built `sbx` binary in `cwd` as a user would, its output captured. Everything it starts
 * inherits a marker: after the test, the test fails if any of those processes still runs.
 */
export function startSbx(cwd: string, args: string[], env: Record<string, string> = {}, options: { detached?: boolean } = {}): SbxProcess {
  const marker = newMarker();
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd,
    // As the foreground job of a terminal: its own process group, which a Ctrl-C signals as a whole.
    detached: options.detached === true,
    env: { ...process.env, NO_COLOR: "1", ...env, [marker.name]: marker.value },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number>((resolve) =>
    child.once("close", (code, signal) => resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 2))),
  );
  const sbx: SbxProcess = {
    child,
    marker,
    stdout: () => out,
    stderr: () => err,
    waitFor: (text, timeoutMs = 15_000) =>
      eventually(() => (typeof text === "string" ? out.includes(text) : text.test(out)), `"${String(text)}" in sbx's output:\n${out}\n${err}`, timeoutMs),
    exited,
  };
  started.push(sbx);
  return sbx;
}
