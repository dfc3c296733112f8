import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killTagged, killTree } from "../../src/process/kill-tree.js";
import { listProcesses, readProcess } from "../../src/process/process-table.js";
import { spawnCommand, type SpawnedProcess } from "../../src/process/spawn-command.js";
import { isRunning } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";

/*
 * A teardown ends many trees at once and they share their /proc scans (perf/scan-cache.ts). A
 * process that a dying service starts after the last shared scan, out of its group and tree
 * (setsid, its parent gone), is found only by its tag in a scan made after it started: these
 * trees start one just after a scan was taken, then their leader dies, before sbx looks.
 */

const started: SpawnedProcess[] = [];
const lateOnes: number[] = [];
afterEach(async () => {
  for (const pid of lateOnes.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  for (const child of started.splice(0)) await killTree(child.pid, { signal: "SIGKILL", gracePeriodMs: 0 });
});

/**
 * A tree whose leader waits on a FIFO, then starts a setsid'd `sleep` that carries its tag and
 * exits. Returns the leader and `goLate()`, which (synchronously, in the caller's turn of the
 * event loop) makes it do so and returns the late process's pid once the leader is dead.
 */
async function treeThatSpawnsLate(tag: string): Promise<{ leader: SpawnedProcess; goLate: () => number }> {
  const dir = tempDir({});
  const fifo = join(dir, "go");
  const pidFile = join(dir, "late.pid");
  execFileSync("mkfifo", [fifo]);
  const script = `read line < "${fifo}"; setsid sleep 100 & echo $! > "${pidFile}.tmp"; mv "${pidFile}.tmp" "${pidFile}"; exit 0`;
  const leader = await spawnCommand({ kind: "exec", argv: ["bash", "-c", script] }, { cwd: dir, env: { PATH: process.env.PATH ?? "", SBX_TREE_ID: tag } });
  started.push(leader);
  const goLate = (): number => {
    writeFileSync(fifo, "go\n");
    let late = NaN;
    const deadline = Date.now() + 5_000;
    // Busy waits: the turn must not end, so that the scan taken before stays the one shared.
    while (Number.isNaN(late) && Date.now() < deadline) {
      try {
        late = Number(readFileSync(pidFile, "utf8").trim());
      } catch {}
    }
    lateOnes.push(late);
    // The leader is our child: a zombie until this process reaps it, on a later turn.
    while (readProcess(leader.pid)?.state !== "Z" && Date.now() < deadline);
    if (!isRunning(late) || readProcess(leader.pid)?.state !== "Z") throw new Error("the tree did not start its late process and die");
    return late;
  };
  return { leader, goLate };
}

describe("a process a tree starts after the last shared scan", () => {
  it("killTree finds it by its tag once the tree is gone, and ends it", async () => {
    const tag = `late-tree-${process.pid}-${Date.now()}`;
    const { leader, goLate } = await treeThatSpawnsLate(tag);
    // Another tree's kill scanned /proc in this turn, before the late process started.
    listProcesses();
    const late = goLate();
    await killTree(leader.pid, { signal: "SIGTERM", gracePeriodMs: 5_000, tag });
    expect(isRunning(late), "the late process is left running").toBe(false);
  });

  it("killTagged (the sweep of what a run left) finds it too", async () => {
    const tag = `late-sweep-${process.pid}-${Date.now()}`;
    const { goLate } = await treeThatSpawnsLate(tag);
    listProcesses();
    const late = goLate();
    expect(await killTagged({ trees: [tag] }, { gracePeriodMs: 5_000 })).toBeGreaterThanOrEqual(1);
    expect(isRunning(late), "the late process is left running").toBe(false);
  });
});
