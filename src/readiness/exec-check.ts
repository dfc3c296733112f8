import { randomUUID } from "node:crypto";
import type { Command } from "../manifest/types.js";
import { runChild } from "../process/child-runner.js";
import type { LineBlock } from "../process/line-block.js";
import type { Probe } from "./poll.js";

/**
 * Ready when the command exits 0; each attempt is a fresh run, killed with its whole tree
 * (SIGKILL) if abandoned. Its output goes through socket pairs, not FIFOs: a `mkfifo` process per
 * attempt was half of what twenty services' exec health checks cost the supervisor.
 */
export function execProbe(command: Command, options: { cwd: string; env: Record<string, string>; user?: { uid: number; gid: number } }): Probe {
  return async (signal) => {
    let lastLine = "";
    const keepLast = (_stream: unknown, lines: LineBlock): void => {
      const texts = lines.lines;
      for (let i = texts.length - 1; i >= 0; i--) {
        if ((texts[i] as string).trim() === "") continue;
        lastLine = texts[i] as string;
        return;
      }
    };
    let child;
    try {
      child = await runChild(command, { ...options, tag: `ready-check.${randomUUID()}`, openableOutput: false, onLines: keepLast, signal, stopSignal: "SIGKILL" });
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    const { status } = await child.end;
    if (status.exitCode === 0) return { ok: true };
    const how = status.signal ? `killed by ${status.signal}` : `exited with code ${status.exitCode}`;
    return { ok: false, reason: lastLine === "" ? how : `${how}: ${lastLine}` };
  };
}
