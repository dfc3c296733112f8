import { afterEach, describe, expect, it } from "vitest";
import { killTree } from "../../src/process/kill-tree.js";
import { LineSplitter } from "../../src/process/line-splitter.js";
import { listProcesses, ownStartTime, processesTagged, readProcess } from "../../src/process/process-table.js";
import { spawnCommand, type SpawnedProcess } from "../../src/process/spawn-command.js";
import { eventually, expectAllGone } from "../helpers/processes.js";

const tag = `floor-test-${process.pid}-${Date.now()}`;
const started: SpawnedProcess[] = [];
// By the tag too: the setsid one has left the group, and the tree once its parent is gone.
afterEach(async () => {
  for (const child of started.splice(0)) await killTree(child.pid, { signal: "SIGKILL", gracePeriodMs: 0, tag });
});

// A tag this process minted can only be on processes started since it: lookups of such tags skip
// reading the environment of every older process on the machine, and still find every process
// that carries the tag, one that left its group and tree with setsid among them.
describe("tag lookups with a start-time floor", () => {
  it("find a tagged process that escaped its tree when the floor is this process's start, and skip those started before the floor", async () => {
    const child = await spawnCommand({ kind: "exec", argv: ["bash", "-c", "setsid sleep 100 & echo $!; echo ready; wait"] }, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "", SBX_TREE_ID: tag } });
    started.push(child);
    const lines: string[] = [];
    const splitter = new LineSplitter();
    child.stdout.on("data", (chunk: Buffer) => lines.push(...splitter.push(chunk)));
    await eventually(() => lines.includes("ready"), "the tree to be ready");
    const escaped = Number(lines[0]);
    const escapedStart = readProcess(escaped)?.startTime as number;
    expect(escapedStart).toBeGreaterThanOrEqual(ownStartTime());

    const table = listProcesses();
    expect(processesTagged(tag, table, ownStartTime()).map((p) => p.pid)).toContain(escaped);
    // A floor after the tagged processes started: they are not looked at.
    expect(processesTagged(tag, table, escapedStart + 1)).toEqual([]);

    // killTree with the tag marked as ours ends the escaped one too.
    await killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 2_000, tag, tagIsOurs: true });
    await expectAllGone([child.pid, escaped], 2_000);
  });
});
