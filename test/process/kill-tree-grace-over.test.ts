import { afterEach, describe, expect, it } from "vitest";
import { killTagged, killTree } from "../../src/process/kill-tree.js";
import { spawnCommand, type SpawnedProcess } from "../../src/process/spawn-command.js";
import { eventually, fixture } from "../helpers/processes.js";

// The engine keeps a stop's grace period on its own clock and says when it is over: killTree and
// killTagged must then send SIGKILL at once, however long their own grace period still runs.

const started: SpawnedProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) await killTree(child.pid, { signal: "SIGKILL", gracePeriodMs: 0 });
});

/** A process that ignores SIGTERM, once it has said so; its output so far in `text()`. */
async function stubborn(tag: string): Promise<{ child: SpawnedProcess; text: () => string }> {
  const child = await spawnCommand({ kind: "exec", argv: [process.execPath, fixture("ignore-sigterm.mjs")] }, { cwd: process.cwd(), env: { SBX_TREE_ID: tag } });
  started.push(child);
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await eventually(() => out.includes("ready"), "the process to be ready");
  return { child, text: () => out };
}

describe("a grace period ended by its caller", () => {
  it("killTree sends SIGKILL once graceOver aborts", async () => {
    const { child, text } = await stubborn(`grace-over-${process.pid}-${Date.now()}`);
    const graceOver = new AbortController();
    const killed = killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 600_000, graceOver: graceOver.signal });
    await eventually(() => text().includes("ignoring SIGTERM"), "SIGTERM to be ignored");
    graceOver.abort();
    expect(await killed).toEqual({ forced: true });
    expect(await child.exit).toEqual({ exitCode: null, signal: "SIGKILL" });
  });

  it("killTagged sends SIGKILL once graceOver aborts", async () => {
    const tag = `grace-over-tagged-${process.pid}-${Date.now()}`;
    const { child, text } = await stubborn(tag);
    const graceOver = new AbortController();
    const ended = killTagged({ trees: [tag] }, { signal: "SIGTERM", gracePeriodMs: 600_000, graceOver: graceOver.signal });
    await eventually(() => text().includes("ignoring SIGTERM"), "SIGTERM to be ignored");
    graceOver.abort();
    expect(await ended).toBe(1);
    expect(await child.exit).toEqual({ exitCode: null, signal: "SIGKILL" });
  });
});
