import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { runChild, type Child, type ChildOptions } from "../../src/process/child-runner.js";
import type { OutputStream } from "../../src/process/output-capture.js";
import { SpawnError } from "../../src/process/spawn-command.js";
import type { Command } from "../../src/manifest/types.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { fixture } from "../helpers/processes.js";

const marker = newMarker();
const started: Child[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) await child.stop("SIGKILL");
  await expectNothingLeft(marker);
});

const shell = (script: string): Command => ({ kind: "shell", script, shell: ["/bin/sh", "-c"] });

/** Runs a command with the marker in its environment, collecting its lines and its text. */
async function run(command: Command, options: Partial<ChildOptions> = {}) {
  const lines: string[] = [];
  const text: Record<OutputStream, string> = { stdout: "", stderr: "" };
  const child = await runChild(command, {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, [marker.name]: marker.value },
    tag: `test.${randomUUID()}`,
    onLines: (stream, block) => lines.push(...block.lines.map((line) => (stream === "stderr" ? `err: ${line}` : line))),
    onText: (stream, chunk) => (text[stream] += chunk),
    ...options,
  });
  started.push(child);
  return { child, lines, text };
}

async function untilSaid(lines: string[], line: string): Promise<void> {
  while (!lines.includes(line)) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("runChild", () => {
  it("gives the output exactly as written, and its lines", async () => {
    const { child, lines, text } = await run(shell(`printf 'a\\r\\nb'; printf 'progress 1\\rprogress 2\\n' >&2; printf OK`));
    const end = await child.end;
    expect(end).toEqual({ kind: "exited", status: { exitCode: 0, signal: null }, exitCode: 0 });
    expect(text).toEqual({ stdout: "a\r\nbOK", stderr: "progress 1\rprogress 2\n" });
    expect(lines.sort()).toEqual(["a", "bOK", "err: progress 1\rprogress 2"].sort());
  });

  it("decodes its text with the encoding asked for", async () => {
    const { child, text } = await run({ kind: "exec", argv: [process.execPath, "-e", `process.stdout.write(Buffer.from("h\\u00e9", "utf16le"))`] }, { encoding: "utf16le" });
    await child.end;
    expect(text.stdout).toBe("hé");
  });

  it("tells an exit by a signal from outside, with the shell's exit code", async () => {
    const { child } = await run(shell("sleep 30"));
    process.kill(child.pid, "SIGKILL");
    expect(await child.end).toEqual({ kind: "signalled", status: { exitCode: null, signal: "SIGKILL" }, exitCode: 137 });
  });

  it("stops the whole tree after its timeout: kind timed-out", async () => {
    const { child } = await run(shell("sleep 30 & sleep 30 & wait"), { timeoutMs: 50 });
    expect(await child.end).toMatchObject({ kind: "timed-out", exitCode: 143 });
  });

  it("stops when its AbortSignal aborts, with the stop signal asked for", async () => {
    const controller = new AbortController();
    const { child } = await run({ kind: "exec", argv: [process.execPath, fixture("ignore-sigterm.mjs")] }, { signal: controller.signal, stopSignal: "SIGKILL" });
    controller.abort();
    expect(await child.end).toEqual({ kind: "stopped", status: { exitCode: null, signal: "SIGKILL" }, exitCode: 137 });
  });

  it("stop() sends its signal, then SIGKILL after the grace period, and counts as stopped however it exits", async () => {
    const { child: graceful, lines: said } = await run(shell("trap 'exit 0' TERM; sleep 30 & echo ready; wait"));
    await untilSaid(said, "ready");
    await graceful.stop("SIGTERM");
    expect(await graceful.end).toMatchObject({ kind: "stopped", status: { exitCode: 0, signal: null }, exitCode: 0 });

    const { child: stubborn, lines } = await run({ kind: "exec", argv: [process.execPath, fixture("ignore-sigterm.mjs")] });
    await untilSaid(lines, "ready");
    await stubborn.stop("SIGTERM", { gracePeriodMs: 100 });
    expect(await stubborn.end).toMatchObject({ kind: "stopped", status: { signal: "SIGKILL" }, exitCode: 137 });
  });

  it("once ended, stop() ends what it left running, found by its tag", async () => {
    const { child } = await run(shell("setsid sleep 30 > /dev/null 2>&1 & echo started"));
    expect((await child.end).kind).toBe("exited");
    await child.stop("SIGTERM");
    await expectNothingLeft(marker);
  });

  it("reads an output nobody listens to, so that the process never blocks on a full pipe", async () => {
    const child = await runChild(shell("head -c 1000000 /dev/zero"), { cwd: process.cwd(), env: { PATH: process.env.PATH, [marker.name]: marker.value }, tag: `test.${marker.value}` });
    started.push(child);
    expect((await child.end).exitCode).toBe(0);
  });

  it("rejects with a SpawnError when the command cannot start", async () => {
    await expect(run({ kind: "exec", argv: ["no-such-program-sbx"] })).rejects.toBeInstanceOf(SpawnError);
  });
});
