import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readProcess } from "../../src/process/process-table.js";
import { binPath } from "../helpers/cli.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { eventually, expectAllGone } from "../helpers/processes.js";
import { stampedEntries } from "../../src/server/project-supervisor.js";
import { runSbx } from "../helpers/run-sbx.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * `.sbx/state.json` is evidence of what sbx started, never an order: a state file that names
 * processes sbx did not start (by mistake, by a crash half-way, or by someone else's hand) must
 * not make sbx signal them or delete files.
 */

const bystanders: ChildProcess[] = [];
afterEach(() => {
  for (const child of bystanders.splice(0)) {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {}
  }
});

/** A process group sbx did not start: a shell leading a group with a child of its own. */
async function bystander(): Promise<{ pid: number; child: number; startTime: number }> {
  const shell = spawn("sh", ["-c", "sleep 60 & echo $!; wait"], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
  bystanders.push(shell);
  const child = await new Promise<number>((resolve) => shell.stdout?.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  return { pid: shell.pid as number, child, startTime: readProcess(shell.pid as number)?.startTime as number };
}

function projectWithState(state: (dir: string) => object): string {
  const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    command: sleep 1\n" });
  mkdirSync(join(dir, ".sbx"), { mode: 0o700 });
  writeFileSync(join(dir, ".sbx", "state.json"), JSON.stringify(state(dir)), { mode: 0o600 });
  return dir;
}

/** A supervisor that is certainly gone: a pid above the kernel's limit. */
const deadSupervisor = { pid: 4_194_305, startTime: 1, startedAt: Date.now() };

const isAlive = (pid: number): boolean => readProcess(pid) !== undefined && readProcess(pid)?.state !== "Z";

describe("the state file is evidence, never an order", () => {
  it("an entry without a start time does not get its process group signalled", async () => {
    const victim = await bystander();
    const dir = projectWithState((d) => ({
      version: 1,
      project: "p",
      dir: d,
      socket: join(d, ".sbx", "sbx.sock"),
      supervisor: deadSupervisor,
      services: { api: { pid: victim.pid, tag: "api.00000000-0000-0000-0000-000000000000", startedAt: Date.now() } },
    }));
    const result = await runSbx(dir, ["down"]);
    expect(result.code).toBe(0);
    // Give a signal, had one been sent, the time to land.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(victim.pid)).toBe(true);
    expect(isAlive(victim.child)).toBe(true);
  });

  it("an entry whose start time is not the process's own is left alone", async () => {
    const victim = await bystander();
    const dir = projectWithState((d) => ({
      version: 1,
      project: "p",
      dir: d,
      socket: join(d, ".sbx", "sbx.sock"),
      supervisor: deadSupervisor,
      services: { api: { pid: victim.pid, startTime: victim.startTime + 1, tag: "api.x", startedAt: Date.now() } },
    }));
    expect((await runSbx(dir, ["down"])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(victim.pid)).toBe(true);
  });

  it("the socket field never names a file for sbx to delete", async () => {
    const dir = projectWithState((d) => ({
      version: 1,
      project: "p",
      dir: d,
      socket: join(d, "precious.txt"),
      supervisor: deadSupervisor,
      services: {},
    }));
    writeFileSync(join(dir, "precious.txt"), "keep me");
    expect((await runSbx(dir, ["down"])).code).toBe(0);
    expect(readFileSync(join(dir, "precious.txt"), "utf8")).toBe("keep me");
    // sbx's own socket path, but a plain file there: not a socket, not removed either.
    const dir2 = projectWithState((d) => ({ version: 1, project: "p", dir: d, socket: join(d, ".sbx", "sbx.sock"), supervisor: deadSupervisor, services: {} }));
    writeFileSync(join(dir2, ".sbx", "sbx.sock"), "not a socket");
    expect((await runSbx(dir2, ["down"])).code).toBe(0);
    expect(existsSync(join(dir2, ".sbx", "sbx.sock"))).toBe(true);
  });

  it("a state file writable by others is ignored with a warning, and what it names is not touched", async () => {
    const victim = await bystander();
    const dir = projectWithState((d) => ({
      version: 1,
      project: "p",
      dir: d,
      socket: join(d, ".sbx", "sbx.sock"),
      supervisor: deadSupervisor,
      // Its start time matches: only the file's mode says it cannot be trusted.
      services: { api: { pid: victim.pid, startTime: victim.startTime, tag: "api.x", startedAt: Date.now() } },
    }));
    chmodSync(join(dir, ".sbx", "state.json"), 0o666);
    const result = await runSbx(dir, ["down"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: ignoring .*state\.json: .*writable by (its group|others)/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(victim.pid)).toBe(true);
  });

  it("a .sbx directory writable by others is not trusted either", async () => {
    const victim = await bystander();
    const dir = projectWithState((d) => ({
      version: 1,
      project: "p",
      dir: d,
      socket: join(d, ".sbx", "sbx.sock"),
      supervisor: deadSupervisor,
      services: { api: { pid: victim.pid, startTime: victim.startTime, tag: "api.x", startedAt: Date.now() } },
    }));
    chmodSync(join(dir, ".sbx"), 0o777);
    const result = await runSbx(dir, ["ps"]);
    expect(result.stderr).toMatch(/warning: ignoring .*\.sbx: .*writable by (its group|others)/);
    expect((await runSbx(dir, ["down"])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(victim.pid)).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)("a state file that another user owns is ignored with a warning", async () => {
    const victim = await bystander();
    const dir = projectWithState((d) => ({
      version: 1,
      project: "p",
      dir: d,
      socket: join(d, ".sbx", "sbx.sock"),
      supervisor: deadSupervisor,
      services: { api: { pid: victim.pid, startTime: victim.startTime, tag: "api.x", startedAt: Date.now() } },
    }));
    // nobody: a second local user.
    chownSync(join(dir, ".sbx", "state.json"), 65534, 65534);
    const result = await runSbx(dir, ["down"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: ignoring .*state\.json: it belongs to uid 65534/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(victim.pid)).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)("sbx up refuses a .sbx directory that another user owns", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    command: sleep 1\n" });
    mkdirSync(join(dir, ".sbx"), { mode: 0o700 });
    chownSync(join(dir, ".sbx"), 65534, 65534);
    const result = await runSbx(dir, ["up"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\.sbx .*belongs to uid 65534/);
  });
});

/** Whether this machine lets us make a PID namespace (root, or user namespaces allowed). */
const canUnshare = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0;

describe.runIf(canUnshare)("pids that stand for many processes", () => {
  // kill(-1) signals every process the caller may signal, and kill(0) the caller's own group:
  // run inside a PID namespace of its own, where that is only this test's processes.
  for (const [what, pid] of [
    ["pid 1", 1],
    ["pid 0", 0],
    ["a negative pid", -1],
  ] as const) {
    it(`an entry naming ${what} signals nothing`, async () => {
      const dir = projectWithState((d) => ({
        version: 1,
        project: "p",
        dir: d,
        socket: join(d, ".sbx", "sbx.sock"),
        supervisor: { pid: 99_999, startTime: 1, startedAt: Date.now() },
        services: { api: { pid, tag: "api.x", startedAt: Date.now() } },
      }));
      const script = `sleep 30 & sentinel=$!; ${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} down; sleep 0.3; kill -0 $sentinel && echo sentinel-alive; kill $sentinel`;
      const result = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "sh", "-c", script], { cwd: dir, encoding: "utf8", timeout: 20_000 });
      expect(result.stdout).toContain("sentinel-alive");
    });
  }
});

describe("a project found by its processes' tags", () => {
  /** A process that carries the tags of a project run in `dir`, supervised by `supervisor`. */
  async function taggedProcess(dir: string, supervisor: string): Promise<number> {
    const child = spawn("sleep", ["60"], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, SBX_TREE_ID: "api.1", SBX_PROJECT_ID: "p.1", SBX_PROJECT_DIR: dir, SBX_SUPERVISOR: supervisor },
    });
    bystanders.push(child);
    await eventually(() => readProcess(child.pid as number) !== undefined, "the process to start");
    return child.pid as number;
  }

  it("a second up refuses to start a duplicate stack of a project whose state is gone but whose supervisor runs", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    command: sleep 1\n" });
    // This test's own process stands for the live supervisor of an earlier up().
    const pid = await taggedProcess(dir, `${process.pid}:${readProcess(process.pid)?.startTime}:api`);
    const result = await runSbx(dir, ["up", "-d"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`a project is already running in ${dir} (supervisor pid ${process.pid}, 1 process), but its .sbx directory was removed`);
    expect(isAlive(pid)).toBe(true);
  });

  it("processes of a run whose supervisor is gone are stopped by the next up, which says so", async () => {
    const project = backgroundProject("services:\n  api:\n    command: sleep 60\n");
    const orphan = await taggedProcess(project.dir, "4194305:1:cli");
    const result = await project.sbx("up", "-d");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`warning: stopped 1 process that a dead supervisor of ${project.dir} had left running`);
    await expectAllGone([orphan], 5_000);
  });
});

describe("what a supervisor writes", () => {
  it("records only entries it could stamp with a start time", () => {
    const entries = stampedEntries(
      [
        { service: "api", pid: 100, tag: "api.1", startedAt: 1 },
        { service: "gone", pid: 200, tag: "gone.1", startedAt: 1 },
      ],
      (pid) => (pid === 100 ? 5_000 : undefined),
    );
    expect(entries).toEqual({ api: { pid: 100, tag: "api.1", startedAt: 1, startTime: 5_000 } });
  });
});
