import { randomUUID } from "node:crypto";
import type { Command } from "../manifest/types.js";
import { TREE_TAG_VARIABLE } from "../process/process-table.js";
import { killTree } from "../process/kill-tree.js";
import { LineSplitter } from "../process/line-splitter.js";
import { spawnCommand } from "../process/spawn-command.js";
import type { Probe } from "./poll.js";

/** Ready when the command exits 0; each attempt is a fresh run, killed with its whole tree if abandoned. */
export function execProbe(command: Command, options: { cwd: string; env: Record<string, string> }): Probe {
  return async (signal) => {
    const tag = `ready-check.${randomUUID()}`;
    let spawned;
    try {
      spawned = await spawnCommand(command, { cwd: options.cwd, env: { ...options.env, [TREE_TAG_VARIABLE]: tag } });
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    const splitter = new LineSplitter();
    let lastLine = "";
    const keep = (chunk: Buffer): void => {
      const lines = splitter.push(chunk).filter((l) => l.trim() !== "");
      if (lines.length > 0) lastLine = lines[lines.length - 1] as string;
    };
    spawned.stdout.on("data", keep);
    spawned.stderr.on("data", keep);
    const onAbort = (): void => void killTree(spawned.pid, { signal: "SIGKILL", gracePeriodMs: 0, tag });
    signal.addEventListener("abort", onAbort, { once: true });
    const { exitCode, signal: killedBy } = await spawned.exit;
    signal.removeEventListener("abort", onAbort);
    const rest = splitter.end().filter((l) => l.trim() !== "");
    if (rest.length > 0) lastLine = rest[rest.length - 1] as string;
    if (exitCode === 0) return { ok: true };
    const how = killedBy ? `killed by ${killedBy}` : `exited with code ${exitCode}`;
    return { ok: false, reason: lastLine === "" ? how : `${how}: ${lastLine}` };
  };
}
