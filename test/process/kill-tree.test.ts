import { afterEach, describe, expect, it } from "vitest";
import { killProject, killTree } from "../../src/process/kill-tree.js";
import { LineSplitter } from "../../src/process/line-splitter.js";
import { processTreeOf, readProcess } from "../../src/process/process-table.js";
import { spawnCommand, type SpawnedProcess } from "../../src/process/spawn-command.js";
import { defaultShell } from "../../src/manifest/shell.js";
import { eventually, expectAllGone, fixture } from "../helpers/processes.js";

const started: SpawnedProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) await killTree(child.pid, { signal: "SIGKILL", gracePeriodMs: 0 });
});

/** Starts `script` in bash and waits for it to print `ready`; returns the child and the lines it printed. */
async function startTree(script: string, tag = "test-tree"): Promise<{ child: SpawnedProcess; lines: string[] }> {
  const child = await spawnCommand({ kind: "exec", argv: ["bash", "-c", script] }, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "", SBX_TREE_ID: tag } });
  started.push(child);
  const lines: string[] = [];
  const splitter = new LineSplitter();
  child.stdout.on("data", (chunk: Buffer) => lines.push(...splitter.push(chunk)));
  await eventually(() => lines.includes("ready"), "the tree to be ready");
  return { child, lines };
}

const pidsIn = (lines: string[]): number[] => lines.filter((l) => /^\d+$/.test(l)).map(Number);

describe("killTree", () => {
  it("ends the group and every grandchild", async () => {
    const { child, lines } = await startTree("sleep 100 & echo $!; (sleep 100 & echo $!; wait) & echo ready; wait");
    const pids = pidsIn(lines);
    expect(pids).toHaveLength(2);
    const tree = processTreeOf(child.pid).map((p) => p.pid);
    for (const pid of pids) expect(tree).toContain(pid);
    const result = await killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 2_000 });
    expect(result.forced).toBe(false);
    await expectAllGone([child.pid, ...pids], 100);
  });

  it("ends a descendant that left the group with setsid", async () => {
    const { child, lines } = await startTree("setsid sleep 100 & echo $!; echo ready; wait");
    const [escaped] = pidsIn(lines) as [number];
    await eventually(() => readProcess(escaped)?.pgid === escaped, "setsid to take effect");
    expect(readProcess(escaped)?.pgid).not.toBe(child.pid);
    await killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 2_000 });
    await expectAllGone([child.pid, escaped], 100);
  });

  it("ends the descendants of a setsid'd process whose parent has already died", async () => {
    // The middle shell exits at once: its setsid'd child is re-parented, with a child of its own.
    const tag = `orphans-${process.pid}-${Date.now()}`;
    const { child, lines } = await startTree("bash -c 'setsid bash -c \"sleep 100 & echo \\$!; wait\" & echo $!' ; echo ready; sleep 100", tag);
    await eventually(() => pidsIn(lines).length === 2, "both pids");
    const pids = pidsIn(lines);
    // Neither in the group nor below the leader any more: only the environment tag finds them.
    const tree = processTreeOf(child.pid).map((p) => p.pid);
    for (const pid of pids) expect(tree).not.toContain(pid);
    await killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 2_000, tag });
    await expectAllGone([child.pid, ...pids], 100);
  });

  it("sends SIGKILL to a process that ignores SIGTERM, after the grace period", async () => {
    const child = await spawnCommand({ kind: "exec", argv: ["node", fixture("ignore-sigterm.mjs")] }, { cwd: process.cwd(), env: {} });
    started.push(child);
    const lines: string[] = [];
    const splitter = new LineSplitter();
    child.stdout.on("data", (chunk: Buffer) => lines.push(...splitter.push(chunk)));
    await eventually(() => lines.includes("ready"), "ready");
    const begun = Date.now();
    const result = await killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 300 });
    expect(result.forced).toBe(true);
    expect(Date.now() - begun).toBeGreaterThanOrEqual(300);
    expect(lines).toContain("ignoring SIGTERM");
    expect(await child.exit).toEqual({ exitCode: null, signal: "SIGKILL" });
  });

  it("lets a process that handles its signal finish within the grace period", async () => {
    const child = await spawnCommand({ kind: "exec", argv: ["node", fixture("graceful.mjs"), "SIGINT"] }, { cwd: process.cwd(), env: {} });
    started.push(child);
    const lines: string[] = [];
    const splitter = new LineSplitter();
    child.stdout.on("data", (chunk: Buffer) => lines.push(...splitter.push(chunk)));
    await eventually(() => lines.includes("ready"), "ready");
    const result = await killTree(child.pid, { signal: "SIGINT", gracePeriodMs: 5_000 });
    expect(result.forced).toBe(false);
    expect(await child.exit).toEqual({ exitCode: 0, signal: null });
    expect(lines).toContain("got SIGINT, cleaning up");
  });

  it("with SIGKILL ends everything at once", async () => {
    const { child, lines } = await startTree("trap '' TERM; sleep 100 & echo $!; echo ready; wait");
    const result = await killTree(child.pid, { signal: "SIGKILL", gracePeriodMs: 0 });
    expect(result.forced).toBe(false);
    await expectAllGone([child.pid, ...pidsIn(lines)], 100);
  });

  it("is a no-op for a process that is already gone", async () => {
    const child = await spawnCommand({ kind: "exec", argv: ["true"] }, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" } });
    await child.exit;
    expect(await killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 1_000 })).toEqual({ forced: false });
  });

  it("killProject ends every process that carries the project's tag, and nothing else", async () => {
    const project = `project-${process.pid}-${Date.now()}`;
    const env = (projectTag?: string) => ({ PATH: process.env.PATH ?? "", SBX_TREE_ID: `t-${Math.random()}`, ...(projectTag ? { SBX_PROJECT_ID: projectTag } : {}) });
    const mine = [
      await spawnCommand({ kind: "shell", script: "sleep 100 & wait", shell: defaultShell() }, { cwd: process.cwd(), env: env(project) }),
      await spawnCommand({ kind: "exec", argv: ["setsid", "-w", "sleep", "100"] }, { cwd: process.cwd(), env: env(project) }),
    ];
    const other = await spawnCommand({ kind: "exec", argv: ["sleep", "100"] }, { cwd: process.cwd(), env: env(`${project}-other`) });
    started.push(...mine, other);
    await eventually(() => mine.every((p) => readProcess(p.pid) !== undefined), "the processes");
    expect(await killProject(project, 1_000)).toBeGreaterThanOrEqual(3);
    await expectAllGone(mine.map((p) => p.pid), 100);
    expect(readProcess(other.pid)?.state).not.toBe("Z");
  });
});
